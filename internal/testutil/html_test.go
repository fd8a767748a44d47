package testutil

import (
	"slices"
	"testing"
)

func TestHTMLSelectors(t *testing.T) {
	page := ParseHTML(t, `<main><div class="card a"><p id="x">One <b>two</b></p></div>
<ul><li><a href="/cart">Cart</a></li><li><a href="/bookings" data-k='v'>Mine</a></li></ul><a href="/cart?x=1">Again</a></main>`)
	for _, tc := range []struct {
		sel  string
		want []string
	}{
		{"p#x", []string{"One two"}},
		{".card.a p", []string{"One two"}},
		{"div > b", nil},
		{"p > b", []string{"two"}},
		{`a[href="/cart"]`, []string{"Cart"}},
		{`a[href^="/cart"]`, []string{"Cart", "Again"}},
		{"li > a[data-k]", []string{"Mine"}},
		{"ul a, p b", []string{"two", "Cart", "Mine"}},
		{".missing", nil},
	} {
		if got := page.Texts(tc.sel); !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %q, want %q", tc.sel, got, tc.want)
		}
	}
}
