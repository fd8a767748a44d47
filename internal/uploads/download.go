package uploads

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"example.org/certportal/internal/portal"
)

// SetDownloadHeaders sets the headers of a download of u: always an
// attachment, named by its display name (an ASCII fallback and the RFC
// 5987 UTF-8 form, RFC 6266), with the exact type, no sniffing, a sandbox
// policy (nothing in it runs even if a browser renders it) and no caching
// by anything but the browser that asked.
func SetDownloadHeaders(h http.Header, u *portal.Upload) {
	h.Set("Content-Type", u.ContentType)
	h.Set("Content-Disposition", ContentDisposition(u.DisplayName))
	h.Set("Content-Length", strconv.FormatInt(u.SizeBytes, 10))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox")
	h.Set("Cache-Control", "private, no-store")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
}

// WriteDownload writes the headers of u and then body (the reader Open
// returned) to w.
func WriteDownload(w http.ResponseWriter, u *portal.Upload, body io.Reader) error {
	SetDownloadHeaders(w.Header(), u)
	w.WriteHeader(http.StatusOK)
	if _, err := io.Copy(w, body); err != nil {
		return fmt.Errorf("uploads: send upload %d: %w", u.ID, err)
	}
	return nil
}

// ContentDisposition is the header value that makes name a download:
// `attachment; filename="<ASCII>"; filename*=UTF-8”<percent-encoded>`.
// The ASCII form replaces every character outside printable ASCII, and
// the quote and backslash, with an underscore, so no name can end the
// quoted string or the header line.
func ContentDisposition(name string) string {
	name = SanitizeName(name)
	if name == "" {
		name = "download"
	}
	ascii := strings.Map(func(r rune) rune {
		if r > unicode.MaxASCII || r < 0x20 || r == 0x7f || r == '"' || r == '\\' || r == '%' || r == ';' {
			return '_'
		}
		return r
	}, name)
	return `attachment; filename="` + ascii + `"; filename*=UTF-8''` + encodeRFC5987(name)
}

// encodeRFC5987 percent-encodes everything but RFC 5987's attr-char.
func encodeRFC5987(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if isAttrChar(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteString("%" + strings.ToUpper(strconv.FormatUint(uint64(c)>>4, 16)+strconv.FormatUint(uint64(c)&15, 16)))
	}
	return b.String()
}

func isAttrChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$&+-.^_`|~", c) >= 0
}
