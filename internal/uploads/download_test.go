package uploads_test

import (
	"bufio"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/uploads"
)

// TestDownloadHeaders pins SECURITY.md IN-02 and IN-03: a download is an
// attachment named by the display name (ASCII fallback and RFC 5987
// form), with the exact type, nosniff, a sandbox policy and no shared
// caching; a name built to split headers stays one header value on the
// wire.
func TestDownloadHeaders(t *testing.T) {
	cases := []struct {
		name, ascii, star string
	}{
		{"evidence.pdf", "evidence.pdf", "evidence.pdf"},
		{"a\"\r\nX: y.pdf", "a_X: y.pdf", "a%22X%3A%20y.pdf"},
		{"../../../etc/passwd.pdf", "passwd.pdf", "passwd.pdf"},
		{"résumé ✓.pdf", "r_sum_ _.pdf", "r%C3%A9sum%C3%A9%20%E2%9C%93.pdf"},
		{"x\u202egpj.pdf", "xgpj.pdf", "xgpj.pdf"},
		{`back\slash;semi%.pdf`, "slash_semi_.pdf", "slash%3Bsemi%25.pdf"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u := &portal.Upload{ID: 1, DisplayName: c.name, ContentType: "application/pdf", SizeBytes: 5}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if err := uploads.WriteDownload(w, u, strings.NewReader("%PDF-")); err != nil {
					t.Error(err)
				}
			}))
			defer srv.Close()
			// Read the raw response: the header block must be what we set.
			conn, err := net.Dial("tcp", srv.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := conn.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")); err != nil {
				t.Fatal(err)
			}
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.Header.Get("X") != "" {
				t.Error("the name split the header block")
			}
			want := map[string]string{
				"Content-Type":            "application/pdf",
				"Content-Disposition":     `attachment; filename="` + c.ascii + `"; filename*=UTF-8''` + c.star,
				"X-Content-Type-Options":  "nosniff",
				"Content-Security-Policy": "sandbox",
				"Cache-Control":           "private, no-store",
				"Content-Length":          "5",
			}
			for k, v := range want {
				if got := resp.Header.Values(k); len(got) != 1 || got[0] != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
		})
	}
}
