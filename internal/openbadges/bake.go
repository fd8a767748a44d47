package openbadges

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
)

// Baking, as Open Badges 3.0 defines it: a badge image that carries its
// credential. A PNG holds it in an iTXt chunk with the keyword
// openbadgecredential; an SVG in an <openbadges:credential> element of the
// Open Badges namespace, the JSON credential as CDATA (a VC-JWT is read
// from the element's text or its verify attribute).

// Media types of baked badge images.
const (
	MediaPNG = "image/png"
	MediaSVG = "image/svg+xml"
)

// PNGKeyword is the iTXt keyword of a baked PNG.
const PNGKeyword = "openbadgecredential"

// SVGNamespace is the namespace of the <openbadges:credential> element.
const SVGNamespace = "https://purl.imsglobal.org/ob/v3p0"

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// ErrNotBaked is returned by Unbake for an image that carries no
// credential.
var ErrNotBaked = errors.New("openbadges: the image carries no credential")

// BakePNG returns png with credential (the JSON credential or its VC-JWT)
// in an iTXt chunk openbadgecredential just before IEND; a credential it
// already carried is replaced.
func BakePNG(png []byte, credential string) ([]byte, error) {
	chunks, err := pngChunks(png)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	out.Write(pngSignature)
	data := make([]byte, 0, len(PNGKeyword)+5+len(credential))
	data = append(data, PNGKeyword...)
	// null separator, compression flag 0, method 0, empty language tag and
	// translated keyword, each ended by a null.
	data = append(data, 0, 0, 0, 0, 0)
	data = append(data, credential...)
	for _, c := range chunks {
		if c.typ == "iTXt" && bytes.HasPrefix(c.data, []byte(PNGKeyword+"\x00")) {
			continue
		}
		if c.typ == "IEND" {
			writeChunk(&out, "iTXt", data)
		}
		writeChunk(&out, c.typ, c.data)
	}
	return out.Bytes(), nil
}

type pngChunk struct {
	typ  string
	data []byte
}

// pngChunks splits a PNG into its chunks, checking each CRC; the last one
// is IEND.
func pngChunks(png []byte) ([]pngChunk, error) {
	if !bytes.HasPrefix(png, pngSignature) {
		return nil, errors.New("openbadges: not a PNG image")
	}
	rest := png[len(pngSignature):]
	var out []pngChunk
	for len(rest) > 0 {
		if len(rest) < 12 {
			return nil, errors.New("openbadges: truncated PNG chunk")
		}
		n := binary.BigEndian.Uint32(rest)
		if uint64(n) > uint64(len(rest)-12) {
			return nil, errors.New("openbadges: truncated PNG chunk")
		}
		typ, data := rest[4:8], rest[8:8+n]
		sum := crc32.NewIEEE()
		sum.Write(typ)
		sum.Write(data)
		if sum.Sum32() != binary.BigEndian.Uint32(rest[8+n:]) {
			return nil, fmt.Errorf("openbadges: PNG chunk %q has a wrong CRC", typ)
		}
		out = append(out, pngChunk{typ: string(typ), data: data})
		rest = rest[12+n:]
		if string(typ) == "IEND" {
			return out, nil
		}
	}
	return nil, errors.New("openbadges: PNG image without IEND")
}

func writeChunk(w *bytes.Buffer, typ string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	w.Write(n[:])
	w.WriteString(typ)
	w.Write(data)
	sum := crc32.NewIEEE()
	sum.Write([]byte(typ))
	sum.Write(data)
	binary.BigEndian.PutUint32(n[:], sum.Sum32())
	w.Write(n[:])
}

// unbakePNG reads the openbadgecredential iTXt chunk of a PNG.
func unbakePNG(png []byte) (string, error) {
	chunks, err := pngChunks(png)
	if err != nil {
		return "", err
	}
	for _, c := range chunks {
		if c.typ != "iTXt" || !bytes.HasPrefix(c.data, []byte(PNGKeyword+"\x00")) {
			continue
		}
		rest := c.data[len(PNGKeyword)+1:]
		if len(rest) < 2 {
			return "", errors.New("openbadges: malformed iTXt chunk")
		}
		compressed, method := rest[0], rest[1]
		rest = rest[2:]
		for range 2 { // language tag, translated keyword
			i := bytes.IndexByte(rest, 0)
			if i < 0 {
				return "", errors.New("openbadges: malformed iTXt chunk")
			}
			rest = rest[i+1:]
		}
		switch {
		case compressed == 0:
			return string(rest), nil
		case compressed == 1 && method == 0:
			zr, err := zlib.NewReader(bytes.NewReader(rest))
			if err != nil {
				return "", fmt.Errorf("openbadges: iTXt chunk: %w", err)
			}
			text, err := io.ReadAll(io.LimitReader(zr, MaxCredentialSize+1))
			if err != nil {
				return "", fmt.Errorf("openbadges: iTXt chunk: %w", err)
			}
			if len(text) > MaxCredentialSize {
				return "", errors.New("openbadges: the baked credential is too large")
			}
			return string(text), nil
		default:
			return "", errors.New("openbadges: malformed iTXt chunk")
		}
	}
	return "", ErrNotBaked
}

// BakeSVG returns svg with credential in an <openbadges:credential>
// element, the first child of the root element, and the Open Badges
// namespace declared on the root. The JSON credential goes in CDATA;
// a VC-JWT as text.
func BakeSVG(svg []byte, credential string) ([]byte, error) {
	s := string(svg)
	start := strings.Index(s, "<svg")
	if start < 0 {
		return nil, errors.New("openbadges: not an SVG image")
	}
	end := strings.IndexByte(s[start:], '>')
	if end < 0 {
		return nil, errors.New("openbadges: not an SVG image")
	}
	end += start
	open := s[start:end]
	selfClosing := strings.HasSuffix(open, "/")
	open = strings.TrimSuffix(open, "/")
	if !strings.Contains(open, "xmlns:openbadges=") {
		open += ` xmlns:openbadges="` + SVGNamespace + `"`
	}
	var elem string
	if strings.HasPrefix(strings.TrimSpace(credential), "{") {
		elem = "<openbadges:credential><![CDATA[" + strings.ReplaceAll(credential, "]]>", "]]]]><![CDATA[>") + "]]></openbadges:credential>"
	} else {
		var b strings.Builder
		_ = xml.EscapeText(&b, []byte(credential))
		elem = "<openbadges:credential>" + b.String() + "</openbadges:credential>"
	}
	if selfClosing {
		return []byte(s[:start] + open + ">" + elem + "</svg>" + s[end+1:]), nil
	}
	return []byte(s[:start] + open + ">" + elem + s[end+1:]), nil
}

// unbakeSVG reads the <openbadges:credential> element of an SVG: its
// verify attribute when set, else its text.
func unbakeSVG(svg []byte) (string, error) {
	d := xml.NewDecoder(bytes.NewReader(svg))
	d.Strict = true
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return "", ErrNotBaked
		}
		if err != nil {
			return "", fmt.Errorf("openbadges: not a readable SVG image: %w", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Space != SVGNamespace || se.Name.Local != "credential" {
			continue
		}
		for _, a := range se.Attr {
			if a.Name.Local == "verify" && a.Value != "" {
				return a.Value, nil
			}
		}
		var text struct {
			Text string `xml:",chardata"`
		}
		if err := d.DecodeElement(&text, &se); err != nil {
			return "", fmt.Errorf("openbadges: not a readable SVG image: %w", err)
		}
		return strings.TrimSpace(text.Text), nil
	}
}

// Baked reports the media type of a baked badge image, MediaPNG or
// MediaSVG, or "" when data is not one (a JSON credential or a VC-JWT).
func Baked(data []byte) string {
	if bytes.HasPrefix(data, pngSignature) {
		return MediaPNG
	}
	head := bytes.TrimSpace(data[:min(len(data), 512)])
	if bytes.HasPrefix(head, []byte("<")) {
		return MediaSVG
	}
	return ""
}

// Unbake returns the credential a baked PNG or SVG badge carries, exactly
// as it was baked. Images over MaxCredentialSize are refused.
func Unbake(data []byte) (string, error) {
	if len(data) > MaxCredentialSize {
		return "", fmt.Errorf("openbadges: images over %d bytes are refused", MaxCredentialSize)
	}
	switch Baked(data) {
	case MediaPNG:
		return unbakePNG(data)
	case MediaSVG:
		return unbakeSVG(data)
	}
	return "", errors.New("openbadges: not a PNG or SVG image")
}
