package mail

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"net/url"
	"path"
	"sort"
	"strings"
	texttemplate "text/template"
	"time"

	"example.org/certportal/internal/i18n"
)

//go:embed templates/*.txt templates/*.html
var templateFS embed.FS

// layoutName is the shared layout's base name (templates/layout.txt and
// templates/layout.html); every other pair of files is a template.
const layoutName = "layout"

// Renderer turns a Message into a subject and text and HTML bodies in the
// recipient's language. It parses the embedded templates once, in
// NewRenderer, and is safe for concurrent use.
type Renderer struct {
	cat     *i18n.Catalog
	program string
	baseURL string
	names   []string
	text    map[string]*texttemplate.Template
	html    map[string]*htmltemplate.Template
}

// Rendered is a rendered email.
type Rendered struct {
	Subject string
	Text    string
	HTML    string
}

// NewRenderer parses the embedded templates and checks that the catalog
// has every template's subject and reason. It fails on the first problem,
// so a broken template stops the app at start, not at the first send.
func NewRenderer(cat *i18n.Catalog, programName, baseURL string) (*Renderer, error) {
	return newRenderer(templateFS, cat, programName, baseURL)
}

func newRenderer(fsys fs.FS, cat *i18n.Catalog, programName, baseURL string) (*Renderer, error) {
	if cat == nil {
		return nil, errors.New("mail: nil catalog")
	}
	programName = singleLine(programName)
	if programName == "" {
		return nil, errors.New("mail: program name is empty")
	}
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("mail: base URL %q is not an absolute http(s) URL", baseURL)
	}
	r := &Renderer{
		cat:     cat,
		program: programName,
		baseURL: strings.TrimRight(baseURL, "/"),
		text:    map[string]*texttemplate.Template{},
		html:    map[string]*htmltemplate.Template{},
	}
	for _, id := range []string{"mail.layout.automated", "mail.layout.fallback_link"} {
		if !cat.Has(id) {
			return nil, fmt.Errorf("mail: catalog lacks %q", id)
		}
	}

	textLayout, err := texttemplate.New(layoutName+".txt").Option("missingkey=error").ParseFS(fsys, "templates/"+layoutName+".txt")
	if err != nil {
		return nil, fmt.Errorf("mail: parse text layout: %w", err)
	}
	htmlLayout, err := htmltemplate.New(layoutName+".html").Option("missingkey=error").ParseFS(fsys, "templates/"+layoutName+".html")
	if err != nil {
		return nil, fmt.Errorf("mail: parse HTML layout: %w", err)
	}

	files, err := fs.Glob(fsys, "templates/*")
	if err != nil {
		return nil, err
	}
	kinds := map[string]map[string]bool{} // name -> extension -> present
	for _, f := range files {
		ext := path.Ext(f)
		name := strings.TrimSuffix(path.Base(f), ext)
		if ext != ".txt" && ext != ".html" {
			return nil, fmt.Errorf("mail: unexpected template file %s", f)
		}
		if name == layoutName {
			continue
		}
		if kinds[name] == nil {
			kinds[name] = map[string]bool{}
		}
		kinds[name][ext] = true
	}
	for name, exts := range kinds {
		if !exts[".txt"] || !exts[".html"] {
			return nil, fmt.Errorf("mail: template %s needs both %s.txt and %s.html", name, name, name)
		}
		for _, id := range []string{subjectID(name), reasonID(name)} {
			if !cat.Has(id) {
				return nil, fmt.Errorf("mail: template %s: catalog lacks %q", name, id)
			}
		}
		tt, err := texttemplate.Must(textLayout.Clone()).ParseFS(fsys, "templates/"+name+".txt")
		if err != nil {
			return nil, fmt.Errorf("mail: parse %s.txt: %w", name, err)
		}
		if tt.Lookup("body") == nil {
			return nil, fmt.Errorf("mail: %s.txt does not define \"body\"", name)
		}
		ht, err := htmltemplate.Must(htmlLayout.Clone()).ParseFS(fsys, "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("mail: parse %s.html: %w", name, err)
		}
		if ht.Lookup("body") == nil {
			return nil, fmt.Errorf("mail: %s.html does not define \"body\"", name)
		}
		r.text[name], r.html[name] = tt, ht
		r.names = append(r.names, name)
	}
	sort.Strings(r.names)
	return r, nil
}

func subjectID(name string) string { return "mail." + name + ".subject" }
func reasonID(name string) string  { return "mail." + name + ".reason" }

// Templates lists the template names, sorted.
func (r *Renderer) Templates() []string { return append([]string(nil), r.names...) }

// ProgramName is the program name shown in mail.
func (r *Renderer) ProgramName() string { return r.program }

// Render renders m in its language (English when m.Lang is unknown). An
// unknown template or missing template data yields an error wrapping
// ErrInvalidJob.
func (r *Renderer) Render(m Message) (*Rendered, error) {
	tt, ok := r.text[m.Template]
	if !ok {
		return nil, fmt.Errorf("%w: unknown mail template %q", ErrInvalidJob, m.Template)
	}
	ht := r.html[m.Template]
	loc := r.cat.Localizer(m.Lang)
	data := cleanData(m.Data)
	v := &view{
		T:        loc,
		Lang:     loc.Lang(),
		Program:  r.program,
		BaseURL:  r.baseURL,
		ToName:   singleLine(m.ToName),
		Data:     data,
		Template: m.Template,
		zone:     zoneOf(data),
	}
	v.Subject = singleLine(loc.T(subjectID(m.Template), r.withProgram(data)))
	v.Reason = loc.T(reasonID(m.Template), r.withProgram(data))
	v.Automated = loc.T("mail.layout.automated", map[string]any{"Program": r.program, "BaseURL": r.baseURL})

	var text, html bytes.Buffer
	if err := tt.Execute(&text, v); err != nil {
		return nil, fmt.Errorf("%w: render %s.txt: %w", ErrInvalidJob, m.Template, err)
	}
	if err := ht.Execute(&html, v); err != nil {
		return nil, fmt.Errorf("%w: render %s.html: %w", ErrInvalidJob, m.Template, err)
	}
	return &Rendered{Subject: v.Subject, Text: tidyText(text.String()), HTML: html.String()}, nil
}

// RenderSMS renders the catalog message sms.TEMPLATE as one line of plain
// text.
func (r *Renderer) RenderSMS(s SMS) (string, error) {
	id := "sms." + s.Template
	if s.Template == "" || !r.cat.Has(id) {
		return "", fmt.Errorf("%w: unknown SMS template %q", ErrInvalidJob, s.Template)
	}
	loc := r.cat.Localizer(s.Lang)
	return singleLine(loc.T(id, r.withProgram(cleanData(s.Data)))), nil
}

// withProgram returns data plus the program name and base URL, for
// catalog messages.
func (r *Renderer) withProgram(data map[string]any) map[string]any {
	out := make(map[string]any, len(data)+2)
	for k, v := range data {
		out[k] = v
	}
	out["Program"] = r.program
	out["BaseURL"] = r.baseURL
	return out
}

// tidyText trims trailing spaces from lines, collapses runs of blank lines
// that template actions leave behind and ends the text with one newline.
func tidyText(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	var b strings.Builder
	blank := 0
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if l == "" {
			blank++
			continue
		}
		if b.Len() > 0 {
			if blank > 0 {
				b.WriteString("\n\n")
			} else {
				b.WriteString("\n")
			}
		}
		blank = 0
		b.WriteString(l)
	}
	b.WriteString("\n")
	return b.String()
}

// view is what the templates see.
type view struct {
	T         *i18n.Localizer // {{.T.Tr "mail.x.y" "Key" value}}
	Lang      string          // the language actually used
	Program   string
	BaseURL   string
	Subject   string
	Reason    string // why the recipient got this mail (footer)
	Automated string // "automated message, do not reply" (footer)
	ToName    string
	Data      map[string]any // Message.Data, strings made single-line
	Template  string
	zone      *time.Location
}

// DateTime formats a time for the recipient: a time.Time or an RFC 3339
// string (what a time becomes in job arguments) in Data["TimeZone"] (an
// IANA name; UTC when absent or unknown). Any other string is shown as it
// is, so a service may pass preformatted text.
func (v *view) DateTime(x any) string {
	switch t := x.(type) {
	case time.Time:
		return v.T.DateTime(t, v.zone)
	case *time.Time:
		if t == nil {
			return ""
		}
		return v.T.DateTime(*t, v.zone)
	case string:
		if parsed, err := time.Parse(time.RFC3339Nano, t); err == nil {
			return v.T.DateTime(parsed, v.zone)
		}
		return t
	case nil:
		return ""
	}
	return fmt.Sprint(x)
}

// Date formats a calendar day for the recipient: a day written
// YYYY-MM-DD is shown as it is named, in no time zone; a time.Time or an
// RFC 3339 string is the day it falls on in Data["TimeZone"]. Any other
// string is shown as it is.
func (v *view) Date(x any) string {
	switch t := x.(type) {
	case time.Time:
		return v.T.Date(t, v.zone)
	case string:
		if day, err := time.Parse(time.DateOnly, t); err == nil {
			return v.T.Date(day, time.UTC)
		}
		if parsed, err := time.Parse(time.RFC3339Nano, t); err == nil {
			return v.T.Date(parsed, v.zone)
		}
		return t
	case nil:
		return ""
	}
	return fmt.Sprint(x)
}

// Money formats an amount in minor units (a number, or its JSON form) of
// an ISO 4217 currency.
func (v *view) Money(minor any, code any) string {
	var n int64
	switch x := minor.(type) {
	case float64:
		n = int64(x)
	case int64:
		n = x
	case int:
		n = int64(x)
	}
	return v.T.Money(n, fmt.Sprint(code))
}

// Opt returns Data[key] or "" when absent, for optional values
// ({{with .Opt "SentBy"}}); .Data.Key fails the render when Key is missing.
func (v *view) Opt(key string) any {
	if x, ok := v.Data[key]; ok {
		return x
	}
	return ""
}

// Button is the argument of the layout's "button" template: a call to
// action followed by the address in full for clients that hide buttons.
func (v *view) Button(href any, label string) map[string]string {
	return map[string]string{
		"Href":     fmt.Sprint(href),
		"Label":    label,
		"Fallback": v.T.T("mail.layout.fallback_link", nil),
	}
}

func zoneOf(data map[string]any) *time.Location {
	if name, ok := data["TimeZone"].(string); ok && name != "" {
		if loc, err := time.LoadLocation(name); err == nil {
			return loc
		}
	}
	return time.UTC
}
