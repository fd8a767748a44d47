package bookingtest

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// demoCertifiedRe finds the demo certified candidate's email and password
// in what `serve --demo` prints.
var demoCertifiedRe = regexp.MustCompile(`certified\s+email (\S+)\s+password (\S+)`)

// TestPassVoucherFromTheCart: the demo certified candidate's cart offers
// their pass vouchers, each naming its certification; one button applies
// one, halving the price, without typing a code. The other demo
// candidate's cart offers none of them. The JSON API lists and applies
// them the same way.
func TestPassVoucherFromTheCart(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a := apptest.Start(t, engine, apptest.WithArgs("--demo"))
		cert := demoCertifiedRe.FindStringSubmatch(a.Stdout())
		if cert == nil {
			t.Fatalf("demo output names no certified candidate:\n%s", a.Stdout())
		}
		cc, _ := a.SignIn(t, cert[1], cert[2])
		if status, refusal := holdCenterSeat(t, a, cc, "AIF-C01", "en", 0); refusal != nil {
			t.Fatalf("hold: %d %s", status, refusal.Text())
		}
		cart := a.GetPage(t, cc, "/cart", http.StatusOK)
		labels := cart.Texts(".voucher-choice .voucher-label")
		var pass []string
		for _, l := range labels {
			if strings.HasPrefix(l, "50 % pass voucher from ") && strings.Contains(l, ", valid until ") {
				pass = append(pass, l)
			}
		}
		if len(pass) == 0 || !strings.Contains(strings.Join(pass, "\n"), "Solutions Architect – Associate") {
			t.Fatalf("the cart offers %q; want the pass voucher of Solutions Architect – Associate", labels)
		}
		first := cart.First(".voucher-choice form")
		action, _ := first.Attr("action")
		code := first.AttrOf("input[name=code]", "value")
		status, loc, _ := a.PostPage(t, cc, action, url.Values{"code": {code}})
		if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/cart") {
			t.Fatalf("apply the offered voucher: %d %s", status, loc)
		}
		cart = a.GetPage(t, cc, "/cart", http.StatusOK)
		if got := cart.TextOf(".total strong"); got != "$50.00" {
			t.Errorf("total after the 50 %% voucher on $100.00: %q", got)
		}
		if cart.Has(".voucher-choice") {
			t.Errorf("an item with a voucher still offers %q", cart.Texts(".voucher-choice .voucher-label"))
		}

		// The JSON API lists the remaining pass vouchers with their
		// certification and applies one by its code.
		if status, refusal := holdCenterSeat(t, a, cc, "CLF-C02", "en", 1); refusal != nil {
			t.Fatalf("hold: %d %s", status, refusal.Text())
		}
		apiCart := a.API(t, cc, "GET", "/api/v1/cart", "")
		apptest.WantStatus(t, apiCart, http.StatusOK)
		vouchers, _ := apiCart.JSON["vouchers"].([]any)
		var apiCode string
		for _, v := range vouchers {
			m := v.(map[string]any)
			if c, ok := m["certification"].(map[string]any); ok && c["code"] != "" && m["percent"] == float64(50) {
				apiCode, _ = m["code"].(string)
			}
			if m["code"] == code {
				t.Errorf("the API lists the voucher already used: %v", m)
			}
		}
		if apiCode == "" {
			t.Fatalf("the API cart lists no pass voucher: %s", apiCart.Raw)
		}
		var ref string
		for _, it := range apiCart.JSON["items"].([]any) {
			m := it.(map[string]any)
			if m["exam"].(map[string]any)["code"] == "CLF-C02" {
				ref, _ = m["reference"].(string)
			}
		}
		applied := a.API(t, cc, "POST", "/api/v1/bookings/"+ref+"/voucher", `{"code":"`+apiCode+`"}`, "Idempotency-Key", "pass-voucher-1")
		apptest.WantStatus(t, applied, http.StatusOK)
		if left, _ := applied.JSON["vouchers"].([]any); len(left) != len(vouchers)-1 {
			t.Errorf("after applying one, the cart lists %d vouchers, want %d", len(left), len(vouchers)-1)
		}

		cand := apptest.DemoCandidateRe.FindStringSubmatch(a.Stdout())
		oc, _ := a.SignIn(t, cand[1], cand[2])
		if status, refusal := holdCenterSeat(t, a, oc, "AIF-C01", "en", 1); refusal != nil {
			t.Fatalf("hold: %d %s", status, refusal.Text())
		}
		other := a.GetPage(t, oc, "/cart", http.StatusOK)
		if other.Has(".voucher-choice") {
			t.Errorf("another candidate's cart offers %q", other.Texts(".voucher-choice .voucher-label"))
		}
		form := regexp.MustCompile(`action="/cart/(\d+)/voucher"`).FindStringSubmatch(apptest.Body(t, a.Get(t, oc, "/cart")))
		if form == nil {
			t.Fatal("the other candidate's cart has no voucher form")
		}
		status, _, _ = a.PostPage(t, oc, "/cart/"+form[1]+"/voucher", url.Values{"code": {code}})
		if status != http.StatusConflict {
			t.Errorf("another candidate applied the pass voucher: %d", status)
		}
		otherCart := a.API(t, oc, "GET", "/api/v1/cart", "")
		if v, _ := otherCart.JSON["vouchers"].([]any); len(v) != 0 {
			t.Errorf("another candidate's API cart lists %v", v)
		}
		otherRef, _ := otherCart.JSON["items"].([]any)[0].(map[string]any)["reference"].(string)
		refused := a.API(t, oc, "POST", "/api/v1/bookings/"+otherRef+"/voucher", `{"code":"`+apiCode+`"}`, "Idempotency-Key", "pass-voucher-2")
		apptest.WantStatus(t, refused, http.StatusConflict)
	})
}
