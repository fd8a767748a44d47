package testutil

import (
	"strings"
	"testing"

	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
)

// HTMLNode is an element of a parsed page, found by CSS selector, so that a
// test names the element that must hold a text instead of searching the
// whole page for it. Selectors are CSS Level 3 (cascadia); a selector that
// does not parse fails the test.
type HTMLNode struct {
	tb testing.TB
	n  *html.Node
}

// ParseHTML parses a page; a page that does not parse fails the test.
func ParseHTML(tb testing.TB, page string) *HTMLNode {
	tb.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		tb.Fatalf("parse HTML: %v", err)
	}
	return &HTMLNode{tb: tb, n: doc}
}

// Find returns the elements under the node matching sel, in document order.
func (h *HTMLNode) Find(sel string) []*HTMLNode {
	h.tb.Helper()
	s, err := cascadia.ParseGroup(sel)
	if err != nil {
		h.tb.Fatalf("selector %q: %v", sel, err)
	}
	var out []*HTMLNode
	for _, n := range cascadia.QueryAll(h.n, s) {
		out = append(out, &HTMLNode{tb: h.tb, n: n})
	}
	return out
}

// First returns the first element matching sel, or nil. Text, Attr and Tag
// of a nil node are empty, so a missing element reads as "".
func (h *HTMLNode) First(sel string) *HTMLNode {
	h.tb.Helper()
	if list := h.Find(sel); len(list) > 0 {
		return list[0]
	}
	return nil
}

// Has reports whether an element matches sel.
func (h *HTMLNode) Has(sel string) bool {
	h.tb.Helper()
	return len(h.Find(sel)) > 0
}

// Count is the number of elements matching sel.
func (h *HTMLNode) Count(sel string) int {
	h.tb.Helper()
	return len(h.Find(sel))
}

// Texts returns the text of every element matching sel.
func (h *HTMLNode) Texts(sel string) []string {
	h.tb.Helper()
	var out []string
	for _, n := range h.Find(sel) {
		out = append(out, n.Text())
	}
	return out
}

// TextOf is the text of the first element matching sel, "" when none does.
func (h *HTMLNode) TextOf(sel string) string {
	h.tb.Helper()
	return h.First(sel).Text()
}

// Text is the element's text content with runs of white space collapsed.
func (h *HTMLNode) Text() string {
	if h == nil {
		return ""
	}
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(h.n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// Attr returns an attribute's value and whether it is present.
func (h *HTMLNode) Attr(name string) (string, bool) {
	if h == nil {
		return "", false
	}
	for _, a := range h.n.Attr {
		if a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}

// AttrOf is an attribute of the first element matching sel, "" when no
// element matches or it lacks the attribute.
func (h *HTMLNode) AttrOf(sel, name string) string {
	h.tb.Helper()
	v, _ := h.First(sel).Attr(name)
	return v
}

// Values returns an attribute of every element matching sel that has it.
func (h *HTMLNode) Values(sel, name string) []string {
	h.tb.Helper()
	var out []string
	for _, n := range h.Find(sel) {
		if v, ok := n.Attr(name); ok {
			out = append(out, v)
		}
	}
	return out
}

// Tag is the element's name ("" for a nil node).
func (h *HTMLNode) Tag() string {
	if h == nil {
		return ""
	}
	return h.n.Data
}
