package web

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
)

// TestCartCountsDownWholeMinutes: the time left on a hold is shown in
// whole minutes rounded down (13 min 30 s is "13 min", never 14), under a
// minute says so, the notice agrees with its number in English and Spanish
// ("1 more minute", "2 more minutes"), and the page carries what its
// script needs to count down: the seconds left, the text of each minute
// and the script itself.
func TestCartCountsDownWholeMinutes(t *testing.T) {
	s := newTestServer(t)
	now := s.clock.Now()
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
				Form: newForm(), Voucher: map[int64]*Form{}, Test: true}
			s.fillBase(r, &p.BasePage, "cart.title")
			p.T, p.Lang = s.catalog.Localizer(tc.lang), tc.lang
			w := httptest.NewRecorder()
			if err := s.render(w, r, http.StatusOK, "cart", p); err != nil {
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
