package program

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
)

// Limits of an uploaded logo.
const (
	// MaxLogoBytes is the largest upload read.
	MaxLogoBytes = 1 << 20
	// MaxLogoSide is the largest width and height, in pixels.
	MaxLogoSide = 1024
)

// decoders are the formats a logo may arrive in, by the name
// image.DecodeConfig reports; anything else is refused before decoding.
var decoders = map[string]struct {
	config func(io.Reader) (image.Config, error)
	decode func(io.Reader) (image.Image, error)
}{
	"png":  {png.DecodeConfig, png.Decode},
	"jpeg": {jpeg.DecodeConfig, jpeg.Decode},
}

// normalizeLogo reads an uploaded PNG or JPEG, checks its size and
// dimensions before decoding the pixels, and re-encodes it as a PNG, which
// keeps the pixels and nothing else (no text chunks, EXIF or colour
// profiles).
func normalizeLogo(r io.Reader) ([]byte, Logo, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxLogoBytes+1))
	if err != nil {
		return nil, Logo{}, fmt.Errorf("program: read logo: %w", err)
	}
	switch {
	case len(data) == 0:
		return nil, Logo{}, invalidLogo("program.error.logo_missing", nil)
	case len(data) > MaxLogoBytes:
		return nil, Logo{}, invalidLogo("program.error.logo_too_large", map[string]any{"Count": MaxLogoBytes >> 20})
	}
	format := sniffFormat(data)
	dec, ok := decoders[format]
	if !ok {
		return nil, Logo{}, invalidLogo("program.error.logo_format", nil)
	}
	cfg, err := dec.config(bytes.NewReader(data))
	if err != nil {
		return nil, Logo{}, invalidLogo("program.error.logo_format", nil)
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width > MaxLogoSide || cfg.Height > MaxLogoSide {
		return nil, Logo{}, invalidLogo("program.error.logo_dimensions", map[string]any{"Count": MaxLogoSide})
	}
	img, err := dec.decode(bytes.NewReader(data))
	if err != nil {
		return nil, Logo{}, invalidLogo("program.error.logo_format", nil)
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, Logo{}, fmt.Errorf("program: encode logo: %w", err)
	}
	b := img.Bounds()
	out := buf.Bytes()
	return out, Logo{ETag: logoTag(out), Width: b.Dx(), Height: b.Dy(), Bytes: len(out)}, nil
}

// sniffFormat names the format by its signature: "png", "jpeg" or "".
func sniffFormat(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return "png"
	case bytes.HasPrefix(data, []byte("\xff\xd8\xff")):
		return "jpeg"
	}
	return ""
}

// logoTag is the logo's cache validator.
func logoTag(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:12])
}
