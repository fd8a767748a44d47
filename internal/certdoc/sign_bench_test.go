package certdoc

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"testing"
	"time"

	"example.org/certportal/internal/pades"
)

// BenchmarkMakeAndSign makes each document as a download does on first
// need, without the database: laid out from plain values, then signed
// (PAdES, RSA-3072, self-signed certificate) at its instant. The fonts
// are loaded and the key made before the timing.
func BenchmarkMakeAndSign(b *testing.B) {
	key, err := rsa.GenerateKey(rand.Reader, 3072)
	if err != nil {
		b.Fatal(err)
	}
	cert, err := pades.SelfSigned(key, "Benchmark documents", time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2056, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		b.Fatal(err)
	}
	signer := pades.Signer{Chain: []*x509.Certificate{cert}, Key: key}
	c := certificate(b, "Gwenllïan ap Ŵyn", "cy")
	s := scoreReport()
	tr := transcript(20)
	ce := ceTranscript(b, 200)
	for _, doc := range []struct {
		name   string
		at     time.Time
		render func(r *Renderer) ([]byte, error)
	}{
		{"Certificate", c.IssuedAt, func(r *Renderer) ([]byte, error) { return r.Certificate(c) }},
		{"ScoreReport", s.PublishedAt, func(r *Renderer) ([]byte, error) { return r.ScoreReport(s) }},
		{"Transcript20", tr.IssuedAt, func(r *Renderer) ([]byte, error) { return r.Transcript(tr) }},
		{"CETranscript200", ce.IssuedAt, func(r *Renderer) ([]byte, error) { return r.CETranscript(ce) }},
	} {
		b.Run(doc.name, func(b *testing.B) {
			r := newRenderer(b)
			if _, err := doc.render(r); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				unsigned, err := doc.render(r)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := pades.Sign(unsigned, signer, doc.at); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
