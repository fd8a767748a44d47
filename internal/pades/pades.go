// Package pades signs a finished PDF with a PAdES baseline B-B signature:
// an incremental update holding an invisible certification signature whose
// /Contents is a detached CMS SignedData (SubFilter ETSI.CAdES.detached)
// over every byte of the file but the signature itself.
//
// github.com/digitorus/pdfsign writes the incremental update (signature
// dictionary, widget, new catalog with the AcroForm, cross-reference
// section and trailer); this package writes the CMS itself. pdfsign alone
// would not do for three reasons (docs/documents.md, "Signing"):
//
//   - its CMS library stamps a signing-time attribute from time.Now(), so
//     signing the same bytes twice would give different files, and PAdES
//     baseline forbids that attribute anyway (the claimed time is /M);
//   - it always writes SubFilter adbe.pkcs7.detached;
//   - it adds an empty adbe-revocationInfoArchival attribute.
//
// So pdfsign signs with a placeholder key that returns zeros, and the CMS
// it wrote is then replaced, in the hole /ByteRange leaves, by one built
// here: content type, message digest and ESS signing-certificate-v2 as the
// only signed attributes, SHA-256, RSA PKCS#1 v1.5. The output depends only
// on the input bytes, the key and the time passed in.
package pades

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/digitorus/pdf"
	"github.com/digitorus/pdfsign/sign"
)

// Signer is a document-signing key with its certificate chain, the
// signer's own certificate first.
type Signer struct {
	Chain []*x509.Certificate
	Key   crypto.Signer
}

// The SubFilter pdfsign writes and the one PAdES baseline requires; they
// have the same length, so one replaces the other in place.
var (
	subFilterWritten = []byte("/SubFilter /adbe.pkcs7.detached")
	subFilterPAdES   = []byte("/SubFilter /ETSI.CAdES.detached")
)

// Sign returns pdfIn with a PAdES B-B signature appended. at is the
// claimed signing time, written as the signature's /M; it is the only time
// in the signature.
func Sign(pdfIn []byte, s Signer, at time.Time) (out []byte, err error) {
	if len(s.Chain) == 0 || s.Key == nil {
		return nil, errors.New("pades: a signer needs a certificate and a key")
	}
	if err := CheckKey(s.Key.Public()); err != nil {
		return nil, err
	}
	// The PDF parser and pdfsign panic on some malformed input; a bad
	// file must come back as an error, never take the server down.
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("pades: the PDF cannot be signed: %v", r)
		}
	}()
	rdr, err := pdf.NewReader(bytes.NewReader(pdfIn), int64(len(pdfIn)))
	if err != nil {
		return nil, fmt.Errorf("pades: read the PDF: %w", err)
	}
	if rdr.XrefInformation.Type != "table" {
		// pdfsign rewrites a cross-reference stream trailer by hand in a
		// way no test here covers; the document writer emits tables.
		return nil, fmt.Errorf("pades: the PDF has a cross-reference %s, want a table", rdr.XrefInformation.Type)
	}

	// The hole must hold our CMS; its size is fixed by the chain and the
	// key, so a CMS with a zero digest and signature measures it.
	sigLen := s.Key.Public().(*rsa.PublicKey).Size()
	measure, err := buildCMS(s.Chain, make([]byte, sha256.Size), make([]byte, sigLen))
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	sc := sign.SignContext{
		PDFReader:  rdr,
		InputFile:  bytes.NewReader(pdfIn),
		OutputFile: &buf,
		SignData: sign.SignData{
			Signature: sign.SignDataSignature{
				CertType:   sign.CertificationSignature,
				DocMDPPerm: sign.DoNotAllowAnyChangesPerms,
				Info:       sign.SignDataSignatureInfo{Date: at.UTC()},
			},
			Signer:            placeholderKey{s.Key.Public()},
			DigestAlgorithm:   crypto.SHA256,
			Certificate:       s.Chain[0],
			CertificateChains: [][]*x509.Certificate{s.Chain},
		},
		// pdfsign adds room for the certificates on top of this base,
		// so its own (larger) placeholder CMS fits too and it never takes
		// its retry path.
		SignatureMaxLengthBase: uint32(hex.EncodedLen(len(measure))),
	}
	if err := sc.SignPDF(); err != nil {
		return nil, fmt.Errorf("pades: write the signature dictionary: %w", err)
	}
	out = buf.Bytes()
	if err := fillSignature(out, len(pdfIn), sc.ByteRangeValues, s); err != nil {
		return nil, err
	}
	return out, nil
}

// fillSignature sets the SubFilter and writes our CMS into the /Contents
// hole that byteRange [0 a b c] leaves between a and b.
func fillSignature(out []byte, inLen int, byteRange []int64, s Signer) error {
	if len(byteRange) != 4 || byteRange[0] != 0 {
		return fmt.Errorf("pades: unexpected byte range %v", byteRange)
	}
	a, b, c := byteRange[1], byteRange[2], byteRange[3]
	if a <= int64(inLen) || b <= a+2 || b+c != int64(len(out)) || out[a] != '<' || out[b-1] != '>' {
		return fmt.Errorf("pades: byte range %v does not frame the signature contents", byteRange)
	}
	// Only the appended update is searched: the input may mention the
	// name in a content stream.
	at := bytes.Index(out[inLen:a], subFilterWritten)
	if at < 0 {
		return errors.New("pades: no SubFilter in the signature dictionary")
	}
	copy(out[inLen+at:], subFilterPAdES)

	h := sha256.New()
	h.Write(out[:a])
	h.Write(out[b:])
	cms, err := signCMS(s, h.Sum(nil))
	if err != nil {
		return err
	}
	hole := out[a+1 : b-1]
	if hex.EncodedLen(len(cms)) > len(hole) {
		return fmt.Errorf("pades: the signature (%d bytes) does not fit its placeholder (%d bytes)", len(cms), len(hole)/2)
	}
	n := hex.Encode(hole, cms)
	for i := n; i < len(hole); i++ {
		hole[i] = '0'
	}
	return nil
}

// placeholderKey stands in for the real key while pdfsign builds its own
// CMS, which is thrown away: it returns zeros of the right length, so the
// real key signs once per document and never a CMS with a wall-clock time.
type placeholderKey struct{ pub crypto.PublicKey }

func (k placeholderKey) Public() crypto.PublicKey { return k.pub }

func (k placeholderKey) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return make([]byte, k.pub.(*rsa.PublicKey).Size()), nil
}
