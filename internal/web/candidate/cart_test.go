package candidate

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"example.org/certportal/internal/booking"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/web"
)

// TestCartCountsDownWholeMinutes: the time left on a hold is shown in
// whole minutes rounded down (13 min 30 s is "13 min", never 14), under a
// minute says so, the notice agrees with its number in English and Spanish
// ("1 more minute", "2 more minutes"), and the page carries what its
// script needs to count down: the seconds left, the text of each minute
// and the script itself.
func TestCartCountsDownWholeMinutes(t *testing.T) {
	s := newTestServer(t)
	now := s.Clock.Now()
	for _, tc := range []struct {
		name         string
		lang         string
		left         time.Duration
		item, notice string
		labels       int
	}{
		{"13.5 minutes", "en", 13*time.Minute + 30*time.Second, "13 min", "Seats are held for you for 13 more minutes.", 14},
		{"two minutes", "en", 2*time.Minute + 10*time.Second, "2 min", "Seats are held for you for 2 more minutes.", 3},
		{"one minute", "en", 70 * time.Second, "1 min", "Seats are held for you for 1 more minute.", 2},
		{"under a minute", "en", 45 * time.Second, "under 1 min", "Seats are held for you for less than a minute more.", 1},
		{"two minutes, Spanish", "es", 2*time.Minute + 10*time.Second, "2 min", "Sus plazas quedan retenidas durante 2 minutos más.", 3},
		{"one minute, Spanish", "es", 70 * time.Second, "1 min", "Sus plazas quedan retenidas durante 1 minuto más.", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			expires := now.Add(tc.left)
			b := &portal.BookingDetail{Booking: portal.Booking{ID: 7, Reference: "BTEST-0001", State: portal.BookingHeld, Language: "en",
				HoldExpiresAt: &expires, PriceMinor: 15000, Currency: "USD"}, ExamCode: "SAA-C03", ExamName: "Architect", StartsAt: now.Add(30 * 24 * time.Hour)}
			r := httptest.NewRequest("GET", "/cart", nil)
			p := &cartPage{Cart: &booking.Cart{Items: []*portal.BookingDetail{b}, Total: 15000, Currency: "USD", ExpiresAt: expires},
				Form: web.NewForm(), Voucher: map[int64]*web.Form{}, Test: true}
			s.FillBase(r, &p.BasePage, "cart.title")
			p.T, p.Lang = s.Catalog.Localizer(tc.lang), tc.lang
			w := httptest.NewRecorder()
			if err := s.Render(w, r, http.StatusOK, "cart", p); err != nil {
				t.Fatal(err)
			}
			doc := testutil.ParseHTML(t, w.Body.String())
			item := doc.First(".held-for .countdown")
			if got := item.Text(); got != tc.item {
				t.Errorf("item time left = %q, want %q", got, tc.item)
			}
			if got := doc.First("#hold-notice .countdown").Text(); got != tc.notice {
				t.Errorf("notice = %q, want %q", got, tc.notice)
			}
			secs, _ := item.Attr("data-seconds")
			if want := int(tc.left.Seconds()); secs != strconv.Itoa(want) {
				t.Errorf("data-seconds = %s, want %d", secs, want)
			}
			raw, _ := item.Attr("data-labels")
			var labels []string
			if err := json.Unmarshal([]byte(raw), &labels); err != nil || len(labels) != tc.labels || labels[len(labels)-1] != tc.item {
				t.Errorf("data-labels = %s (%v), want %d labels ending in %q", raw, err, tc.labels, tc.item)
			}
			if doc.First(`script[src^="/static/countdown."]`) == nil {
				t.Error("the cart does not load its countdown script")
			}
		})
	}
}

// TestCartOffersOwnVouchers: an item without a voucher lists the
// candidate's own vouchers for its exam, each saying what it is (a pass
// voucher names its certification and its last day) with a button that
// posts its code to the item's voucher action, so nothing is typed; in
// English and Spanish. An item that carries a voucher offers none.
func TestCartOffersOwnVouchers(t *testing.T) {
	s := newTestServer(t)
	now := s.Clock.Now()
	expires := now.Add(10 * time.Minute)
	item := func(id int64, exam string, voucher *int64) *portal.BookingDetail {
		return &portal.BookingDetail{Booking: portal.Booking{ID: id, Reference: "BTEST-000" + strconv.FormatInt(id, 10), State: portal.BookingHeld,
			Language: "en", HoldExpiresAt: &expires, PriceMinor: 15000, Currency: "USD", VoucherID: voucher},
			ExamCode: exam, ExamName: "Exam " + exam, StartsAt: now.Add(30 * 24 * time.Hour)}
	}
	applied := int64(99)
	cart := &booking.Cart{Items: []*portal.BookingDetail{item(7, "SAA-C03", nil), item(8, "DVA-C02", &applied)}, Total: 30000, Currency: "USD", ExpiresAt: expires,
		Vouchers: []*portal.OwnedVoucher{
			{Voucher: portal.Voucher{ID: 41, Code: "PASSABCDEFGH", Percent: 50, MaxUses: 1, ExpiresAt: time.Date(2029, 11, 18, 0, 0, 0, 0, time.UTC)},
				CertificationCode: "SAA", CertificationName: "Solutions Architect", CertificationExpiresOn: "2029-11-17"},
			{Voucher: portal.Voucher{ID: 42, Code: "MICROONLY", Percent: 100, MaxUses: 1, ExamCodes: "MCR-101", ExpiresAt: time.Date(2027, 1, 31, 23, 59, 59, 0, time.UTC)}},
			{Voucher: portal.Voucher{ID: 43, Code: "GIFT20", Percent: 20, MaxUses: 1, ExpiresAt: time.Date(2027, 1, 31, 23, 59, 59, 0, time.UTC)}},
		}}
	for _, tc := range []struct {
		lang        string
		pass, other string
	}{
		{"en", "50 % pass voucher from Solutions Architect, valid until Nov 17, 2029", "20 % voucher issued to you, valid until Jan 31, 2027"},
		{"es", "Cupón de aprobado del 50 % por Solutions Architect, válido hasta el 17 nov 2029", "Cupón del 20 % emitido a su nombre, válido hasta el 31 ene 2027"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/cart", nil)
			p := &cartPage{Cart: cart, Form: web.NewForm(), Voucher: map[int64]*web.Form{}, Test: true}
			s.FillBase(r, &p.BasePage, "cart.title")
			p.T, p.Lang = s.Catalog.Localizer(tc.lang), tc.lang
			w := httptest.NewRecorder()
			if err := s.Render(w, r, http.StatusOK, "cart", p); err != nil {
				t.Fatal(err)
			}
			doc := testutil.ParseHTML(t, w.Body.String())
			items := doc.Find(".cart-items > li")
			if len(items) != 2 {
				t.Fatalf("%d cart items, want 2", len(items))
			}
			choices := items[0].Find(".voucher-choice")
			if len(choices) != 2 {
				t.Fatalf("%d voucher choices for SAA-C03, want 2 (not the MCR-101 voucher)", len(choices))
			}
			for i, want := range []struct{ code, label string }{{"PASSABCDEFGH", tc.pass}, {"GIFT20", tc.other}} {
				c := choices[i]
				if got := c.TextOf(".voucher-label"); got != want.label {
					t.Errorf("choice %d says %q, want %q", i, got, want.label)
				}
				if got := c.AttrOf("form", "action"); got != "/cart/7/voucher" {
					t.Errorf("choice %d posts to %q, want /cart/7/voucher", i, got)
				}
				if got := c.AttrOf("form", "method"); got != "post" {
					t.Errorf("choice %d form method %q", i, got)
				}
				if got := c.AttrOf(`input[type=hidden][name=code]`, "value"); got != want.code {
					t.Errorf("choice %d sends code %q, want %q", i, got, want.code)
				}
				label := c.AttrOf(".voucher-label", "id")
				if got := c.AttrOf("button[type=submit]", "aria-describedby"); label == "" || got != label {
					t.Errorf("choice %d button described by %q, label id %q", i, got, label)
				}
			}
			if items[1].Has(".voucher-choice") {
				t.Error("an item that carries a voucher offers more")
			}
		})
	}
}
