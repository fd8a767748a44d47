package api

import (
	"maps"
	"net/http"
	"strconv"
	"testing"

	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

// TestAPIMoveIntoOnlineNeedsTheAgreement: moving a test-center booking
// to an online start without the system check and the agreements is a
// 422 JSON error with code invalid, the rule's message ID and each
// missing part on its field, and the booking stays where it was; with
// them the booking moves online and records the versions agreed to.
func TestAPIMoveIntoOnlineNeedsTheAgreement(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newAPIFixture(t, engine)
		hold := f.post("/api/v1/holds", "alice", "h", holdBody(slotID(f.centerSlots()[0])))
		f.want(hold, http.StatusCreated)
		ref := hold.JSON["reference"].(string)
		f.want(f.post("/api/v1/checkout", "alice", "pay", `{"provider":"test","card":"4242424242424242"}`), http.StatusOK)

		r := f.request(http.MethodGet, "/api/v1/online/slots?time_zone=UTC&from=2026-11-30&to=2026-11-30", "", "")
		f.want(r, http.StatusOK)
		online := slotID(r.JSON["days"].([]any)[0].(map[string]any)["slots"].([]any)[0].(map[string]any))
		slot := `"slot_id":` + strconv.FormatInt(online, 10)

		for _, tc := range []struct {
			name, body string
			wantFields map[string]string
		}{
			{"nothing agreed", `{` + slot + `}`, map[string]string{
				"system_checked": "schedule.checkout.system_check_required",
				"agree_rules":    "schedule.checkout.rules_required",
				"agree_privacy":  "schedule.checkout.privacy_required"}},
			{"privacy missing", `{` + slot + `,"system_checked":true,"agree_rules":true}`, map[string]string{
				"agree_privacy": "schedule.checkout.privacy_required"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				moved := f.post("/api/v1/bookings/"+ref+"/reschedule", "alice", "move-"+tc.name, tc.body)
				f.want(moved, http.StatusUnprocessableEntity)
				if got := moved.errorField("code"); got != "invalid" {
					t.Errorf("code = %q, want invalid", got)
				}
				if got := moved.errorField("message_id"); got != "schedule.reschedule.online_requirements" {
					t.Errorf("message_id = %q", got)
				}
				if got := moved.fields(); !maps.Equal(got, tc.wantFields) {
					t.Errorf("fields = %v, want %v", got, tc.wantFields)
				}
				show := f.request(http.MethodGet, "/api/v1/bookings/"+ref, "alice", "")
				if show.JSON["online"] == true || show.JSON["reschedules"] != 0.0 {
					t.Fatalf("a refused move changed the booking: %s", show.Body)
				}
			})
		}

		moved := f.post("/api/v1/bookings/"+ref+"/reschedule", "alice", "move-agreed",
			`{`+slot+`,"system_checked":true,"agree_rules":true,"agree_privacy":true}`)
		f.want(moved, http.StatusOK)
		if moved.JSON["slot_id"] != float64(online) || moved.JSON["reschedules"] != 1.0 {
			t.Fatalf("moved = %s", moved.Body)
		}
		list, err := f.st.ListBookings(t.Context(), store.BookingFilter{Reference: ref, Limit: 1})
		if err != nil || len(list) != 1 {
			t.Fatalf("booking %s: %d found, %v", ref, len(list), err)
		}
		if b := list[0]; b.AgreedAt == nil || b.SystemCheckedAt == nil || b.RulesVersion != f.sched.Config().RulesVersion || b.PrivacyVersion != f.sched.Config().PrivacyVersion {
			t.Fatalf("agreement not recorded: %+v", b.Booking)
		}
	})
}
