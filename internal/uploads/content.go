package uploads

import (
	"bufio"
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"example.org/certportal/internal/portal"
)

// The accepted types, by content, with the name endings each may have.
var accepted = []struct {
	contentType string
	magic       []byte
	exts        []string
}{
	{"application/pdf", []byte("%PDF-"), []string{".pdf"}},
	{"image/png", []byte("\x89PNG\r\n\x1a\n"), []string{".png"}},
	{"image/jpeg", []byte("\xff\xd8\xff"), []string{".jpg", ".jpeg"}},
}

// sniffLen is how much of the start of a file the type is decided from.
const sniffLen = 512

// MaxNameRunes caps the display name kept for a file.
const MaxNameRunes = 200

// sniff decides the type of a file from its first bytes: one of the
// accepted types, or "" when it is none of them.
func sniff(head []byte) string {
	for _, a := range accepted {
		if bytes.HasPrefix(head, a.magic) {
			return a.contentType
		}
	}
	return ""
}

// extensionOf returns the lower-case ending of a file name (".pdf"), or ""
// when it has none.
func extensionOf(name string) string {
	return strings.ToLower(path.Ext(name))
}

// extensionFits reports whether ext is one of contentType's endings.
func extensionFits(contentType, ext string) bool {
	for _, a := range accepted {
		if a.contentType == contentType {
			for _, e := range a.exts {
				if e == ext {
					return true
				}
			}
		}
	}
	return false
}

// knownExtension reports whether ext is the ending of an accepted type.
func knownExtension(ext string) bool {
	for _, a := range accepted {
		for _, e := range a.exts {
			if e == ext {
				return true
			}
		}
	}
	return false
}

// typeName is how a message names a content type.
func typeName(contentType string) string {
	switch contentType {
	case "application/pdf":
		return "PDF"
	case "image/png":
		return "PNG"
	case "image/jpeg":
		return "JPEG"
	}
	return contentType
}

// CheckFile decides the content type of a file from its first bytes
// (head, up to 512 of them) and checks it against the name's ending. It
// refuses, with a message naming the file, anything that is not a PDF,
// JPEG or PNG whatever its name (HTML, SVG, archives, programs), and a
// file whose content and ending disagree. name is the sanitised display
// name (SanitizeName).
func CheckFile(name string, head []byte) (string, error) {
	ext := extensionOf(name)
	if !knownExtension(ext) {
		return "", invalid("upload.extension_unsupported", map[string]any{"Name": name})
	}
	ct := sniff(head)
	if ct == "" {
		return "", invalid("upload.type_unsupported", map[string]any{"Name": name, "Type": typeName(contentTypeOfExt(ext))})
	}
	if !extensionFits(ct, ext) {
		return "", invalid("upload.type_mismatch", map[string]any{"Name": name, "Type": typeName(ct), "Ext": ext})
	}
	return ct, nil
}

func contentTypeOfExt(ext string) string {
	for _, a := range accepted {
		for _, e := range a.exts {
			if e == ext {
				return a.contentType
			}
		}
	}
	return ""
}

// encryptToken marks an encrypted PDF: the trailer (or the cross-reference
// stream's dictionary) names its /Encrypt dictionary. Readers need a
// password for such a file, and a scanner cannot look inside it.
var encryptToken = []byte("/Encrypt")

// pdfEncrypted reports whether the PDF r holds the /Encrypt key, reading
// it in chunks (never all at once).
func pdfEncrypted(r io.Reader) (bool, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	buf := make([]byte, 64<<10)
	keep := len(encryptToken) - 1
	var tail []byte
	for {
		n, err := br.Read(buf)
		if n > 0 {
			window := append(tail, buf[:n]...)
			if bytes.Contains(window, encryptToken) {
				return true, nil
			}
			if len(window) > keep {
				tail = append(tail[:0], window[len(window)-keep:]...)
			} else {
				tail = window
			}
		}
		if err == io.EOF {
			return false, nil
		}
		if err != nil {
			return false, err
		}
	}
}

// Image limits against decompression bombs: a small file may claim a huge
// picture, which decoding would allocate in full.
const (
	MaxImageSide   = 20000
	MaxImagePixels = 50_000_000
)

// reencodeImage decodes the image in r after checking its dimensions and
// writes it to w again with the standard library, which keeps no
// metadata (EXIF, text chunks, ICC profiles, thumbnails).
func reencodeImage(name, contentType string, r io.ReadSeeker, w io.Writer) error {
	cfg, _, err := image.DecodeConfig(r)
	if err != nil {
		return invalid("upload.image_unreadable", map[string]any{"Name": name})
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > MaxImageSide || cfg.Height > MaxImageSide ||
		int64(cfg.Width)*int64(cfg.Height) > MaxImagePixels {
		return invalid("upload.image_too_big", map[string]any{"Name": name, "Width": cfg.Width, "Height": cfg.Height})
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("uploads: rewind %s: %w", name, err)
	}
	var img image.Image
	switch contentType {
	case "image/png":
		img, err = png.Decode(r)
	case "image/jpeg":
		img, err = jpeg.Decode(r)
	default:
		return fmt.Errorf("uploads: re-encode %s", contentType)
	}
	if err != nil {
		return invalid("upload.image_unreadable", map[string]any{"Name": name})
	}
	switch contentType {
	case "image/png":
		err = (&png.Encoder{CompressionLevel: png.DefaultCompression}).Encode(w, img)
	default:
		err = jpeg.Encode(w, img, &jpeg.Options{Quality: 90})
	}
	if err != nil {
		return fmt.Errorf("uploads: re-encode %s: %w", name, err)
	}
	return nil
}

// SanitizeName turns the name a device gave a file into display text: the
// last path part only (either slash), no control or invisible formatting
// characters (bidi overrides among them), valid UTF-8, no leading dots or
// spaces, at most MaxNameRunes characters with the ending kept. It never
// becomes a path: storage keys are random.
func SanitizeName(raw string) string {
	s := strings.ToValidUTF8(raw, "")
	if i := strings.LastIndexAny(s, `/\`); i >= 0 {
		s = s[i+1:]
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError ||
			unicode.Is(unicode.Zl, r) || unicode.Is(unicode.Zp, r) {
			return -1
		}
		if unicode.IsSpace(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.TrimLeft(s, ". ")
	s = strings.TrimRight(s, " ")
	if utf8.RuneCountInString(s) > MaxNameRunes {
		ext := path.Ext(s)
		if utf8.RuneCountInString(ext) > 10 {
			ext = ""
		}
		stem := []rune(strings.TrimSuffix(s, ext))
		s = strings.TrimRight(string(stem[:MaxNameRunes-utf8.RuneCountInString(ext)]), " ") + ext
	}
	return s
}

func invalid(message string, data map[string]any) error {
	return &portal.Error{Code: portal.EInvalid, Message: message, Data: data}
}
