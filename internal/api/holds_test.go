package api

import (
	"net/http"
	"strconv"
	"testing"

	"example.org/certportal/internal/testutil"
)

// TestAPISecondHoldPointsToTheCart: a second hold for an exam whose first
// seat is only in the cart is refused as "already in your cart" with a
// link to the cart, not as "reschedule it"; once paid, the refusal points
// to the bookings.
func TestAPISecondHoldPointsToTheCart(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newAPIFixture(t, engine)
		slots := f.centerSlots()
		f.want(f.post("/api/v1/holds", "alice", "h1", holdBody(slotID(slots[0]))), http.StatusCreated)
		r := f.post("/api/v1/holds", "alice", "h2", holdBody(slotID(slots[1])))
		f.want(r, http.StatusConflict)
		for _, tc := range []struct{ key, want string }{
			{"message_id", "schedule.rule.already_in_cart"},
			{"message", "SAA-C03 is already in your cart, waiting for payment. Pay for it there, or release it to choose another time."},
			{"link", "/api/v1/cart"},
		} {
			if got := r.errorField(tc.key); got != tc.want {
				t.Errorf("in cart: %s = %q, want %q", tc.key, got, tc.want)
			}
		}
		f.want(f.post("/api/v1/checkout", "alice", "pay", `{"provider":"test","card":"4242424242424242"}`), http.StatusOK)
		r = f.post("/api/v1/holds", "alice", "h3", holdBody(slotID(slots[2])))
		f.want(r, http.StatusConflict)
		if got := r.errorField("message_id"); got != "schedule.rule.already_booked" {
			t.Errorf("booked: message_id = %q", got)
		}
		if got := r.errorField("link"); got != "/api/v1/bookings" {
			t.Errorf("booked: link = %q", got)
		}
	})
}

// TestAPIHoldLanguage: the hold takes one of the exam's languages and the
// booking view shows it; another language is refused next to its field.
func TestAPIHoldLanguage(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newAPIFixture(t, engine)
		slots := f.centerSlots()
		body := func(slot int64, lang string) string {
			return `{"exam_code":"SAA-C03","slot_id":` + strconv.FormatInt(slot, 10) + `,"language":"` + lang + `"}`
		}
		r := f.post("/api/v1/holds", "alice", "fr", body(slotID(slots[0]), "fr"))
		f.want(r, http.StatusUnprocessableEntity)
		if got := r.fields()["language"]; got != "schedule.rule.language_not_offered" {
			t.Errorf("language not offered: fields %v", r.fields())
		}
		r = f.post("/api/v1/holds", "alice", "es", body(slotID(slots[0]), "ES"))
		f.want(r, http.StatusCreated)
		if got := r.JSON["language"]; got != "es" {
			t.Errorf("hold language = %v, want es", got)
		}
		f.want(f.post("/api/v1/checkout", "alice", "pay", `{"provider":"test","card":"4242424242424242"}`), http.StatusOK)
		list := f.request(http.MethodGet, "/api/v1/bookings", "alice", "")
		f.want(list, http.StatusOK)
		if b := list.JSON["bookings"].([]any); len(b) != 1 || b[0].(map[string]any)["language"] != "es" {
			t.Errorf("bookings = %s", list.Body)
		}
	})
}
