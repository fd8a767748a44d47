package testutil

import (
	"slices"
	"testing"
)

func TestHTMLDocSelectors(t *testing.T) {
	d := ParseHTML(t, `<main><h1 id="top">Title <em>here</em></h1>
<ul class="slot-list"><li class="slot-current"><span class="slot-time">9:00</span></li>
<li><form method="get" action="/bookings/B1/reschedule"><input type="hidden" name="slot" value="7"><button class="slot-button big">10:00</button></form></li></ul>
<p class="a b">x</p><div><p class="a">y</p></div></main>`)
	for _, tc := range []struct {
		sel  string
		want []string
	}{
		{"h1", []string{"Title here"}},
		{"#top em", []string{"here"}},
		{"ul.slot-list > li .slot-time", []string{"9:00"}},
		{"main > p.a", []string{"x"}},
		{"p.a", []string{"x", "y"}},
		{"p.a.b", []string{"x"}},
		{`form[action$="/reschedule"] button`, []string{"10:00"}},
		{`form[method=get][action^='/bookings/'] .slot-button`, []string{"10:00"}},
		{`input[name="slot"][value*=7]`, []string{""}},
		{"li.slot-current, h1 em", []string{"here", "9:00"}},
		{"main > li", nil},
		{"ul > li:first-child span", []string{"9:00"}},
		{"p:first-child", []string{"y"}},
	} {
		if got := d.Texts(tc.sel); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.sel, got, tc.want)
		}
	}
	if got := d.Attr(`input[name=slot]`, "value"); got != "7" {
		t.Errorf("slot value = %q", got)
	}
}
