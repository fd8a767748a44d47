package uploads_test

import (
	"bytes"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"example.org/certportal/internal/uploads"
)

// FuzzCheckFile: for any name and first bytes, the name checks and the
// type sniffing never panic; a cleaned name has no path part, no control
// or formatting character and at most MaxNameRunes characters, and
// cleaning it again changes nothing; an accepted file starts with the
// magic of the type it was given and carries a matching ending; the
// download header built from the name is one safe header value.
func FuzzCheckFile(f *testing.F) {
	for _, s := range []struct {
		name string
		head []byte
	}{
		{"a.pdf", []byte("%PDF-1.7")},
		{"cv.pdf", []byte("<html>")},
		{"x.png", []byte("\x89PNG\r\n\x1a\n")},
		{"x.png", []byte("<svg")},
		{"y.JPG", []byte("\xff\xd8\xff\xe0")},
		{"../../etc/passwd.pdf", []byte("%PDF-")},
		{"a\"\r\nX: y.pdf", []byte("%PDF-")},
		{"\u202egnp.pdf", []byte("%PDF-")},
		{"\xff\xfe.pdf", nil},
	} {
		f.Add(s.name, s.head)
	}
	f.Fuzz(func(t *testing.T, raw string, head []byte) {
		name := uploads.SanitizeName(raw)
		if strings.ContainsAny(name, `/\`) || !utf8.ValidString(name) || utf8.RuneCountInString(name) > uploads.MaxNameRunes {
			t.Fatalf("SanitizeName(%q) = %q", raw, name)
		}
		for _, r := range name {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
				t.Fatalf("SanitizeName(%q) = %q keeps %U", raw, name, r)
			}
		}
		if again := uploads.SanitizeName(name); again != name {
			t.Fatalf("SanitizeName not stable: %q then %q", name, again)
		}
		ct, err := uploads.CheckFile(name, head)
		if err == nil {
			ext := strings.ToLower(name[strings.LastIndex(name, "."):])
			ok := (ct == "application/pdf" && bytes.HasPrefix(head, []byte("%PDF-")) && ext == ".pdf") ||
				(ct == "image/png" && bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")) && ext == ".png") ||
				(ct == "image/jpeg" && bytes.HasPrefix(head, []byte("\xff\xd8\xff")) && (ext == ".jpg" || ext == ".jpeg"))
			if !ok {
				t.Fatalf("CheckFile(%q, %q) accepted as %s", name, head, ct)
			}
		}
		cd := uploads.ContentDisposition(raw)
		if strings.ContainsAny(cd, "\r\n\x00") || strings.Count(cd, `"`) != 2 || !strings.HasPrefix(cd, `attachment; filename="`) {
			t.Fatalf("ContentDisposition(%q) = %q", raw, cd)
		}
		for i := 0; i < len(cd); i++ {
			if cd[i] < 0x20 || cd[i] > 0x7e {
				t.Fatalf("ContentDisposition(%q) has byte %#x", raw, cd[i])
			}
		}
	})
}
