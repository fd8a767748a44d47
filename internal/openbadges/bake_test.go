package openbadges

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
)

func samplePNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	img.Set(3, 3, color.RGBA{200, 10, 10, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const sampleSVG = `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>`

// bakeSamples are credentials of both forms, including JSON holding the
// sequence that ends CDATA, and non-ASCII text.
var bakeSamples = []string{
	`{"@context":["https://www.w3.org/ns/credentials/v2"],"name":"Año ]]> <b>&amp;</b>","proof":[{"proofValue":"z3"}]}`,
	"eyJhbGciOiJFZERTQSJ9.eyJuYW1lIjoiQSJ9.c2ln",
}

func TestBakePNGRoundTrip(t *testing.T) {
	for _, cred := range bakeSamples {
		baked, err := BakePNG(samplePNG(t), cred)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Unbake(baked)
		if err != nil || got != cred {
			t.Fatalf("Unbake = %q, %v; want %q", got, err, cred)
		}
		if _, err := png.Decode(bytes.NewReader(baked)); err != nil {
			t.Fatalf("baked PNG does not decode: %v", err)
		}
		chunks, err := pngChunks(baked) // checks every CRC
		if err != nil {
			t.Fatal(err)
		}
		n := len(chunks)
		if chunks[n-1].typ != "IEND" || chunks[n-2].typ != "iTXt" || !strings.HasPrefix(string(chunks[n-2].data), "openbadgecredential\x00\x00\x00\x00\x00") {
			t.Fatalf("the iTXt chunk is not just before IEND: %v", chunks[n-2].typ)
		}
		// Baking again replaces the credential.
		again, err := BakePNG(baked, "other")
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := Unbake(again); got != "other" || bytes.Count(again, []byte("iTXt")) != 1 {
			t.Fatalf("rebaked PNG = %q with %d iTXt chunks", got, bytes.Count(again, []byte("iTXt")))
		}
	}
}

func TestUnbakePNGRefusesBadCRC(t *testing.T) {
	baked, err := BakePNG(samplePNG(t), "x.y.z")
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(baked, []byte("iTXt"))
	bad := bytes.Clone(baked)
	crcAt := i + 4 + int(binary.BigEndian.Uint32(baked[i-4:]))
	bad[crcAt] ^= 1
	if _, err := Unbake(bad); err == nil {
		t.Fatal("a chunk with a wrong CRC was read")
	}
	data := baked[i:crcAt]
	if crc32.ChecksumIEEE(data) != binary.BigEndian.Uint32(baked[crcAt:]) {
		t.Fatal("the iTXt CRC is wrong")
	}
}

func TestUnbakeNotBaked(t *testing.T) {
	if _, err := Unbake(samplePNG(t)); err != ErrNotBaked {
		t.Fatalf("plain PNG: %v", err)
	}
	if _, err := Unbake([]byte(sampleSVG)); err != ErrNotBaked {
		t.Fatalf("plain SVG: %v", err)
	}
	if _, err := Unbake([]byte("{}")); err == nil {
		t.Fatal("JSON read as an image")
	}
}

func TestBakeSVGRoundTrip(t *testing.T) {
	for _, cred := range bakeSamples {
		baked, err := BakeSVG([]byte(sampleSVG), cred)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Unbake(baked)
		if err != nil || got != cred {
			t.Fatalf("Unbake = %q, %v; want %q\n%s", got, err, cred, baked)
		}
		if !strings.Contains(string(baked), `xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"`) || !strings.Contains(string(baked), "<openbadges:credential>") {
			t.Fatalf("baked SVG lacks the namespace or element:\n%s", baked)
		}
		if strings.HasPrefix(cred, "{") && !strings.Contains(string(baked), "<![CDATA[") {
			t.Fatalf("JSON not in CDATA:\n%s", baked)
		}
	}
}

func TestUnbakeSVGVerifyAttribute(t *testing.T) {
	svg := `<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"><openbadges:credential verify="a.b.c"></openbadges:credential></svg>`
	if got, err := Unbake([]byte(svg)); err != nil || got != "a.b.c" {
		t.Fatalf("Unbake = %q, %v", got, err)
	}
	// The element must be in the Open Badges namespace.
	other := `<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://example.org/ns"><openbadges:credential>a.b.c</openbadges:credential></svg>`
	if _, err := Unbake([]byte(other)); err != ErrNotBaked {
		t.Fatalf("foreign namespace: %v", err)
	}
}
