package testutil

import (
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// PrintToPDF prints the current page as the browser's print dialog does
// with the page's own @page sizes and background graphics, and returns the
// PDF: what someone printing from the browser gets on paper.
func (b *Browser) PrintToPDF() []byte {
	b.t.Helper()
	yes := true
	return browserRun(b, b.Timeout, "print to PDF", chromedp.PrintToPDF(func(p *page.PrintToPDFParams) {
		p.PreferCSSPageSize, p.PrintBackground = &yes, &yes
	}))
}
