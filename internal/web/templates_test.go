package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"text/template/parse"
)

// TestTemplatesAsPerPageSets: each page of the one set, escaped, is the
// page parsed with the layout and partials in a set of its own, escaped:
// the same text, actions and escapers in the same order, the calls
// inlined. So the page renders the same bytes for any data.
func TestTemplatesAsPerPageSets(t *testing.T) {
	funcs := (&Server{}).funcs()
	sections := sectionTemplates()
	set, pages, err := parseSet(templatesFS, funcs, sections...)
	if err != nil {
		t.Fatal(err)
	}
	shared, err := fs.Glob(templatesFS, "templates/_*.html")
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) < 50 {
		t.Fatalf("%d pages parsed", len(pages))
	}
	// pageFS is where each page's file is: the kit's or a section's.
	pageFS := map[string]fs.FS{}
	for _, fsys := range append([]fs.FS{templatesFS}, sections...) {
		files, err := fs.Glob(fsys, "templates/*.html")
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			pageFS[strings.TrimSuffix(path.Base(f), ".html")] = fsys
		}
	}
	for name := range pages {
		own, err := template.New(name).Funcs(funcs).ParseFS(templatesFS, shared...)
		for _, sfs := range sections {
			partials, _ := fs.Glob(sfs, "templates/_*.html")
			if err == nil && len(partials) > 0 {
				own, err = own.ParseFS(sfs, partials...)
			}
		}
		if err == nil {
			own, err = own.ParseFS(pageFS[name], "templates/"+name+".html")
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, def := range []string{layoutTemplate, contentTemplate} {
			// Executing escapes the template and what it calls; the nil
			// data then stops the execution.
			_ = own.ExecuteTemplate(io.Discard, def, nil)
			_ = set.ExecuteTemplate(io.Discard, pageTemplate(name, def), nil)
			want := inline(own, own.Lookup(def).Tree.Root)
			got := inline(set, set.Lookup(pageTemplate(name, def)).Tree.Root)
			if got != want {
				i := 0
				for i < len(got) && i < len(want) && got[i] == want[i] {
					i++
				}
				t.Errorf("%s %s differs at byte %d:\n got %.200q\nwant %.200q", name, def, i, got[max(0, i-60):], want[max(0, i-60):])
			}
			if !strings.Contains(want, "_html_template_") {
				t.Errorf("%s %s: not escaped: %.200q", name, def, want)
			}
		}
	}
}

// inline writes n as template text with each call replaced by the called
// template's text (its name left out, but for the escaping context of a
// derived template), so that two sets naming their templates differently
// compare equal when they execute alike.
func inline(set *template.Template, n parse.Node) string {
	var b strings.Builder
	var walk func(n parse.Node, depth int)
	branch := func(kind string, pipe *parse.PipeNode, list, elseList *parse.ListNode, depth int) {
		fmt.Fprintf(&b, "{{%s %s}}", kind, pipe)
		walk(list, depth)
		b.WriteString("{{else}}")
		walk(elseList, depth)
		b.WriteString("{{end}}")
	}
	walk = func(n parse.Node, depth int) {
		if depth > 20 {
			b.WriteString("{{too deep}}")
			return
		}
		switch n := n.(type) {
		case *parse.ListNode:
			if n != nil {
				for _, c := range n.Nodes {
					walk(c, depth)
				}
			}
		case *parse.IfNode:
			branch("if", n.Pipe, n.List, n.ElseList, depth)
		case *parse.RangeNode:
			branch("range", n.Pipe, n.List, n.ElseList, depth)
		case *parse.WithNode:
			branch("with", n.Pipe, n.List, n.ElseList, depth)
		case *parse.TemplateNode:
			callee := set.Lookup(n.Name)
			if callee == nil || callee.Tree == nil {
				fmt.Fprintf(&b, "{{undefined %q}}", n.Name)
				return
			}
			_, context, _ := strings.Cut(n.Name, "$")
			// The page's layout calls its pieces with "." alone.
			if pipe := n.Pipe.String(); pipe != "." || context != "" {
				fmt.Fprintf(&b, "{{call %s %s}}", context, pipe)
			}
			walk(callee.Tree.Root, depth+1)
		default:
			b.WriteString(n.String())
		}
	}
	walk(n, 0)
	return b.String()
}

// TestTemplatesOfPagesApart: helpers two pages define under one name stay
// each page's own, and a page gets the layout's block default unless it
// defines the block.
func TestTemplatesOfPagesApart(t *testing.T) {
	fsys := fstest.MapFS{
		"templates/_layout.html": {Data: []byte(`{{define "layout"}}<main>{{template "content" .}}</main>{{block "scripts" .}}<p>none</p>{{end}}{{end}}`)},
		"templates/_fields.html": {Data: []byte(`{{define "field"}}<input value="{{.}}">{{end}}`)},
		"templates/a.html":       {Data: []byte(`{{define "content"}}{{template "row" .}}{{template "field" .}}{{end}}{{define "row"}}<p>a {{.}}</p>{{end}}`)},
		"templates/b.html": {Data: []byte(`{{define "content"}}{{template "row" .}}{{end}}{{define "row"}}<p>b {{.}}</p>{{end}}` +
			`{{define "scripts"}}<script src="/b.js"></script>{{end}}`)},
	}
	set, pages, err := parseSet(fsys, template.FuncMap{})
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 2 {
		t.Fatalf("pages = %v", pages)
	}
	for _, tc := range []struct{ page, def, want string }{
		{"a", layoutTemplate, `<main><p>a &lt;x&gt;</p><input value="&lt;x&gt;"></main><p>none</p>`},
		{"b", layoutTemplate, `<main><p>b &lt;x&gt;</p></main><script src="/b.js"></script>`},
		{"b", contentTemplate, `<p>b &lt;x&gt;</p>`},
	} {
		var buf bytes.Buffer
		if err := set.ExecuteTemplate(&buf, pageTemplate(tc.page, tc.def), "<x>"); err != nil {
			t.Fatal(err)
		}
		if got := buf.String(); got != tc.want {
			t.Errorf("%s %s = %q, want %q", tc.page, tc.def, got, tc.want)
		}
	}
}

// TestTemplatesRefused: templates that the one set could not keep apart,
// or that call what nothing defines, stop start-up.
func TestTemplatesRefused(t *testing.T) {
	layout := `{{define "layout"}}<main>{{template "content" .}}</main>{{end}}`
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"page redefines a partial", map[string]string{"_fields.html": `{{define "field"}}x{{end}}`,
			"a.html": `{{define "content"}}{{template "field"}}{{end}}{{define "field"}}y{{end}}`}, `"field" is a shared template's name`},
		{"call of nothing", map[string]string{"a.html": `{{define "content"}}{{template "nowhere" .}}{{end}}`}, `a/content calls "nowhere"`},
		{"page without content", map[string]string{"a.html": `{{define "body"}}x{{end}}`}, `no "content" template`},
		{"content inside an action", map[string]string{"_layout.html": `{{define "layout"}}{{if .}}{{template "content" .}}{{end}}{{end}}`,
			"a.html": `{{define "content"}}x{{end}}`}, `must call "content"`},
		{"variable across the cut", map[string]string{"_layout.html": `{{define "layout"}}{{$x := .}}{{template "content" .}}{{$x}}{{end}}`,
			"a.html": `{{define "content"}}x{{end}}`}, `declares a variable`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{"templates/_layout.html": {Data: []byte(layout)}}
			for name, src := range tc.files {
				fsys[path.Join("templates", name)] = &fstest.MapFile{Data: []byte(src)}
			}
			_, _, err := parseSet(fsys, template.FuncMap{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// TestDevModeReadsEverySource: in development mode the pages of each
// section come from its source directory (Section.Source), not from what
// the section embedded, and the layout and the kit's pages from the kit's.
func TestDevModeReadsEverySource(t *testing.T) {
	var sections []templateSource
	for _, dir := range sectionDirs {
		abs, err := filepath.Abs(dir)
		if err != nil {
			t.Fatal(err)
		}
		sections = append(sections, templateSource{fsys: fstest.MapFS{}, dir: abs})
	}
	tm, err := parseTemplates((&Server{}).funcs(), true, sections)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"error", "mfa_reauth", "exam_list", "console_home"} {
		if !tm.pages[name] {
			t.Errorf("development mode lacks the page %s", name)
		}
	}
}

// TestSectionPartials: a partial in a section's templates/_*.html is
// callable from every page; one defined twice stops the parse.
func TestSectionPartials(t *testing.T) {
	funcs := (&Server{}).funcs()
	a := fstest.MapFS{
		"templates/_greeting.html": {Data: []byte(`{{define "greeting"}}Hello, {{.}}{{end}}`)},
		"templates/hello.html":     {Data: []byte(`{{define "content"}}{{template "greeting" "Noor"}}{{end}}`)},
	}
	set, pages, err := parseSet(templatesFS, funcs, a)
	if err != nil {
		t.Fatal(err)
	}
	if !pages["hello"] || pages["_greeting"] {
		t.Errorf("pages %v: want hello and no page of the partial", pages)
	}
	var b strings.Builder
	if err := set.ExecuteTemplate(&b, pageTemplate("hello", contentTemplate), nil); err != nil || b.String() != "Hello, Noor" {
		t.Errorf("hello renders %q, %v", b.String(), err)
	}
	other := fstest.MapFS{"templates/_greeting.html": {Data: []byte(`{{define "greeting"}}Hi{{end}}`)}}
	if _, _, err := parseSet(templatesFS, funcs, a, other); err == nil || !strings.Contains(err.Error(), `"greeting" defined twice`) {
		t.Errorf("a partial defined in two sections: %v", err)
	}
}
