package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
)

//go:embed static
var staticFS embed.FS

// staticFiles serves the embedded assets under content-hashed names
// (/static/app.3f2a9c1d.css), so they can be cached for a year and change
// name whenever their content does.
type staticFiles struct {
	byURL  map[string]asset
	byName map[string]string // logical name -> hashed URL
}

type asset struct {
	content []byte
	ctype   string
}

func newStaticFiles() (*staticFiles, error) {
	s := &staticFiles{byURL: map[string]asset{}, byName: map[string]string{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		sum := sha256.Sum256(b)
		ext := path.Ext(name)
		hashed := "/static/" + strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:4]) + ext
		ctype := mime.TypeByExtension(ext)
		if ext == ".ico" {
			ctype = "image/x-icon" // not in Go's own table; systems disagree
		}
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		s.byURL[hashed] = asset{content: b, ctype: ctype}
		s.byName[name] = hashed
		return nil
	})
	return s, err
}

// url returns the hashed URL of a static file by its logical name.
func (s *staticFiles) url(name string) string {
	if u, ok := s.byName[name]; ok {
		return u
	}
	return "/static/missing/" + name
}

func (s *staticFiles) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a, ok := s.byURL[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", a.ctype)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.content))
}

// faviconMaxAge is how long browsers keep /favicon.ico, whose address
// cannot change with its content (pages link the hashed icons).
const faviconMaxAge = 7 * 24 * time.Hour

// serveFavicon serves the icon at the fixed address browsers and other
// clients ask for without reading a page.
func (s *staticFiles) serveFavicon(w http.ResponseWriter, r *http.Request) {
	a, ok := s.byURL[s.url("favicon.ico")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", a.ctype)
	w.Header().Set("Cache-Control", "public, max-age="+strconv.Itoa(int(faviconMaxAge.Seconds())))
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.content))
}
