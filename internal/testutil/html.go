package testutil

import (
	"strings"
	"testing"

	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
)

// Page is a parsed HTML page for assertions by CSS selector.
type Page struct {
	tb   testing.TB
	root *html.Node
}

// ParsePage parses an HTML document.
func ParsePage(tb testing.TB, doc string) *Page {
	tb.Helper()
	root, err := html.Parse(strings.NewReader(doc))
	if err != nil {
		tb.Fatalf("parse HTML: %v", err)
	}
	return &Page{tb: tb, root: root}
}

// All returns the elements matching a CSS selector.
func (p *Page) All(selector string) []*html.Node {
	p.tb.Helper()
	sel, err := cascadia.Parse(selector)
	if err != nil {
		p.tb.Fatalf("selector %q: %v", selector, err)
	}
	return cascadia.QueryAll(p.root, sel)
}

// Has reports whether an element matches the selector.
func (p *Page) Has(selector string) bool {
	p.tb.Helper()
	return len(p.All(selector)) > 0
}

// Count is the number of elements matching the selector.
func (p *Page) Count(selector string) int {
	p.tb.Helper()
	return len(p.All(selector))
}

// Text is the text of the first element matching the selector, with
// whitespace collapsed; "" when none matches.
func (p *Page) Text(selector string) string {
	p.tb.Helper()
	nodes := p.All(selector)
	if len(nodes) == 0 {
		return ""
	}
	return NodeText(nodes[0])
}

// Attr is an attribute of the first element matching the selector, and
// whether there was such an element with that attribute.
func (p *Page) Attr(selector, name string) (string, bool) {
	p.tb.Helper()
	nodes := p.All(selector)
	if len(nodes) == 0 {
		return "", false
	}
	return NodeAttr(nodes[0], name)
}

// Values returns an attribute of every element matching the selector.
func (p *Page) Values(selector, name string) []string {
	p.tb.Helper()
	var out []string
	for _, n := range p.All(selector) {
		if v, ok := NodeAttr(n, name); ok {
			out = append(out, v)
		}
	}
	return out
}

// NodeText is the text inside a node, whitespace collapsed.
func NodeText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			b.WriteByte(' ')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// NodeAttr is an attribute of a node.
func NodeAttr(n *html.Node, name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}
