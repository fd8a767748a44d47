package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"
	"text/template/parse"
)

//go:embed all:templates
var templatesFS embed.FS

// templates holds the site's templates in one set: the layout, the shared
// partials and every page, parsed at start-up (an error stops the server)
// and, in development mode, again on every render.
//
// The templates a page file defines ("content", "scripts", helpers of its
// own) are named after the page in the set ("credential/content"), and so
// are its calls of them, so that pages do not collide. The layout is cut
// at its calls of the page's templates ("content", and the blocks it
// defines, "scripts") into pieces shared by every page; a page's
// "credential/layout" calls the pieces and the page's templates in turn.
// html/template escapes each piece, partial and page once, in the context
// it is called in, as it escapes the layout and partials in a set of their
// own per page: the page is the same, byte for byte. One set keeps one
// copy of the layout and partials instead of one per page (about 13 MB of
// the heap at start-up; docs/benchmarks.md).
type templates struct {
	funcs template.FuncMap
	dev   bool
	// sections are the page templates of the sections, parsed into the
	// same set as the kit's.
	sections []templateSource
	mu       sync.RWMutex
	set      *template.Template
	pages    map[string]bool
}

// Names of the layout and of the page template it calls in every page.
const (
	layoutTemplate  = "layout"
	contentTemplate = "content"
)

// templateSource is where a section's page templates are: embedded, and in
// development mode its source directory dir when it has them.
type templateSource struct {
	fsys fs.FS
	dir  string
}

func parseTemplates(funcs template.FuncMap, dev bool, sections []templateSource) (*templates, error) {
	t := &templates{funcs: funcs, dev: dev, sections: sections}
	set, pages, err := t.parse()
	if err != nil {
		return nil, err
	}
	t.set, t.pages = set, pages
	return t, nil
}

// pageTemplate is the name in the set of template def of page name.
func pageTemplate(name, def string) string { return name + "/" + def }

// layoutPiece is the name in the set of the layout's i-th piece.
func layoutPiece(i int) string { return fmt.Sprintf("%s/%d", layoutTemplate, i) }

func (t *templates) parse() (*template.Template, map[string]bool, error) {
	var fsys fs.FS = templatesFS
	if t.dev {
		if dir, err := devTemplateDir(kitSourceDir); err == nil {
			fsys = dir
		}
	}
	var sections []fs.FS
	for _, src := range t.sections {
		sfs := src.fsys
		if t.dev && src.dir != "" {
			if dir, err := devTemplateDir(src.dir); err == nil {
				sfs = dir
			}
		}
		sections = append(sections, sfs)
	}
	return parseSet(fsys, t.funcs, sections...)
}

// parseSet parses the templates of fsys, the kit's: the layout and
// partials in templates/_*.html, a page in each other templates/*.html;
// and the pages of each section, in its templates/*.html. It returns the
// set and the pages' names.
func parseSet(fsys fs.FS, funcs template.FuncMap, sections ...fs.FS) (*template.Template, map[string]bool, error) {
	shared, err := fs.Glob(fsys, "templates/_*.html")
	if err != nil {
		return nil, nil, err
	}
	files, err := fs.Glob(fsys, "templates/*.html")
	if err != nil {
		return nil, nil, err
	}
	layoutFile := path.Join("templates", "_"+layoutTemplate+".html")
	shared = slices.DeleteFunc(shared, func(f string) bool { return f == layoutFile })
	set := template.New("").Funcs(funcs)
	if len(shared) > 0 {
		if _, err := set.ParseFS(fsys, shared...); err != nil {
			return nil, nil, fmt.Errorf("web: parse shared templates: %w", err)
		}
	}
	slots, err := addLayout(set, fsys, layoutFile, funcs)
	if err != nil {
		return nil, nil, fmt.Errorf("web: parse the layout: %w", err)
	}
	// A section's partials (templates/_*.html) join the shared ones: a
	// partial one section uses lives with that section's pages.
	for _, sfs := range sections {
		if err := addPartials(set, sfs, funcs); err != nil {
			return nil, nil, err
		}
	}
	pages := map[string]bool{}
	addPages := func(fsys fs.FS, files []string) error {
		for _, f := range files {
			name := strings.TrimSuffix(path.Base(f), ".html")
			if strings.HasPrefix(name, "_") {
				continue
			}
			if pages[name] {
				return fmt.Errorf("web: two pages named %s", name)
			}
			if err := addPage(set, slots, fsys, f, name, funcs); err != nil {
				return fmt.Errorf("web: parse template %s: %w", name, err)
			}
			pages[name] = true
		}
		return nil
	}
	if err := addPages(fsys, files); err != nil {
		return nil, nil, err
	}
	for _, sfs := range sections {
		files, err := fs.Glob(sfs, "templates/*.html")
		if err != nil {
			return nil, nil, err
		}
		if err := addPages(sfs, files); err != nil {
			return nil, nil, err
		}
	}
	if err := checkCalls(set); err != nil {
		return nil, nil, err
	}
	return set, pages, nil
}

// addPartials parses the partials of a section's templates/_*.html into
// set. A name the set defines already is an error, not an override.
func addPartials(set *template.Template, fsys fs.FS, funcs template.FuncMap) error {
	files, err := fs.Glob(fsys, "templates/_*.html")
	if err != nil || len(files) == 0 {
		return err
	}
	parsed, err := template.New("").Funcs(funcs).ParseFS(fsys, files...)
	if err != nil {
		return fmt.Errorf("web: parse partials: %w", err)
	}
	for _, d := range parsed.Templates() {
		if d.Tree == nil || d.Name() == "" || slices.Contains(files, path.Join("templates", d.Name())) {
			continue // the unnamed root and each file's own (empty) template
		}
		if set.Lookup(d.Name()) != nil {
			return fmt.Errorf("web: partial %q defined twice", d.Name())
		}
		if _, err := set.AddParseTree(d.Name(), d.Tree); err != nil {
			return err
		}
	}
	return nil
}

// addLayout adds the layout of file f to set in pieces, cut at its calls
// of "content" and of the blocks it defines, and adds the blocks' defaults
// under their own names. It returns the names of the calls it was cut at,
// in order: a page's layout calls piece 0, the page's template of the
// first name, piece 1, and so on.
func addLayout(set *template.Template, fsys fs.FS, f string, funcs template.FuncMap) ([]string, error) {
	lf, err := template.New(path.Base(f)).Funcs(funcs).ParseFS(fsys, f)
	if err != nil {
		return nil, err
	}
	layout := lf.Lookup(layoutTemplate)
	if layout == nil || layout.Tree == nil {
		return nil, fmt.Errorf("no %q template", layoutTemplate)
	}
	isSlot := map[string]bool{contentTemplate: true}
	for _, d := range lf.Templates() {
		if d == layout || d.Tree == nil || d.Name() == path.Base(f) {
			continue
		}
		isSlot[d.Name()] = true
		if _, err := set.AddParseTree(d.Name(), d.Tree); err != nil {
			return nil, err
		}
	}
	var slots []string
	nodes := layout.Tree.Root.Nodes
	from := 0
	addPiece := func(to int) error {
		piece := layout.Tree.Copy()
		piece.Name = layoutPiece(len(slots))
		piece.Root.Nodes = slices.Clone(piece.Root.Nodes[from:to])
		_, err := set.AddParseTree(piece.Name, piece)
		return err
	}
	for i, n := range nodes {
		switch n := n.(type) {
		case *parse.TemplateNode:
			if !isSlot[n.Name] {
				continue
			}
			if err := addPiece(i); err != nil {
				return nil, err
			}
			slots = append(slots, n.Name)
			from = i + 1
		case *parse.ActionNode:
			// A piece is a template of its own: a variable would not
			// reach the next.
			if len(n.Pipe.Decl) > 0 {
				return nil, fmt.Errorf("%q declares a variable at its top level", layoutTemplate)
			}
		}
	}
	if err := addPiece(len(nodes)); err != nil {
		return nil, err
	}
	calls := 0
	walkCalls(layout.Tree.Root, func(c *parse.TemplateNode) {
		if isSlot[c.Name] {
			calls++
		}
	})
	if calls != len(slots) || !slices.Contains(slots, contentTemplate) {
		return nil, fmt.Errorf("%q must call %q and its blocks outside any action", layoutTemplate, contentTemplate)
	}
	return slots, nil
}

// addPage parses page file f on its own, names the templates it defines
// (and its calls of them) after the page, and adds them to set with the
// page's layout: the layout's pieces with the page's templates in the
// slots between them (a block's default where the page defines none).
func addPage(set *template.Template, slots []string, fsys fs.FS, f, name string, funcs template.FuncMap) error {
	own, err := template.New(path.Base(f)).Funcs(funcs).ParseFS(fsys, f)
	if err != nil {
		return err
	}
	defs := map[string]string{}
	for _, d := range own.Templates() {
		if d.Tree == nil || d.Name() == path.Base(f) {
			continue // the file's text outside its definitions, never executed
		}
		if !slices.Contains(slots, d.Name()) && set.Lookup(d.Name()) != nil {
			return fmt.Errorf("%q is a shared template's name", d.Name())
		}
		defs[d.Name()] = pageTemplate(name, d.Name())
	}
	if _, ok := defs[contentTemplate]; !ok {
		return fmt.Errorf("no %q template", contentTemplate)
	}
	for def, renamed := range defs {
		tree := own.Lookup(def).Tree
		tree.Name = renamed
		walkCalls(tree.Root, func(c *parse.TemplateNode) {
			if to, ok := defs[c.Name]; ok {
				c.Name = to
			}
		})
		if _, err := set.AddParseTree(renamed, tree); err != nil {
			return err
		}
	}
	var src strings.Builder
	for i, slot := range slots {
		if to, ok := defs[slot]; ok {
			slot = to
		}
		fmt.Fprintf(&src, "{{template %q .}}{{template %q .}}", layoutPiece(i), slot)
	}
	fmt.Fprintf(&src, "{{template %q .}}", layoutPiece(len(slots)))
	_, err = set.New(pageTemplate(name, layoutTemplate)).Parse(src.String())
	return err
}

// walkCalls calls fn with every template call under n.
func walkCalls(n parse.Node, fn func(*parse.TemplateNode)) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			walkCalls(c, fn)
		}
	case *parse.IfNode:
		walkCalls(n.List, fn)
		walkCalls(n.ElseList, fn)
	case *parse.RangeNode:
		walkCalls(n.List, fn)
		walkCalls(n.ElseList, fn)
	case *parse.WithNode:
		walkCalls(n.List, fn)
		walkCalls(n.ElseList, fn)
	case *parse.TemplateNode:
		fn(n)
	}
}

// checkCalls fails when a template calls one the set does not define,
// which html/template would report only when a page calling it is
// rendered.
func checkCalls(set *template.Template) error {
	var missing []string
	for _, d := range set.Templates() {
		if d.Tree == nil {
			continue
		}
		walkCalls(d.Tree.Root, func(c *parse.TemplateNode) {
			if set.Lookup(c.Name) == nil {
				missing = append(missing, fmt.Sprintf("%s calls %q", d.Name(), c.Name))
			}
		})
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return fmt.Errorf("web: undefined templates: %s", strings.Join(missing, "; "))
	}
	return nil
}

// execute runs template def (layoutTemplate or contentTemplate) of page
// name into buf.
func (t *templates) execute(buf *bytes.Buffer, name, def string, data any) error {
	if t.dev {
		set, pages, err := t.parse()
		if err != nil {
			return err
		}
		t.mu.Lock()
		t.set, t.pages = set, pages
		t.mu.Unlock()
	}
	t.mu.RLock()
	set, ok := t.set, t.pages[name]
	t.mu.RUnlock()
	if !ok {
		return fmt.Errorf("web: no template %q", name)
	}
	if err := set.ExecuteTemplate(buf, pageTemplate(name, def), data); err != nil {
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	return nil
}
