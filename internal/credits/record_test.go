package credits_test

import (
	"reflect"
	"testing"
	"time"

	"example.org/certportal/internal/credits"
	"example.org/certportal/internal/portal"
)

// TestReminderRecord: the event and audit entry of a sent reminder, the
// one description the sweep and the data generator both write.
func TestReminderRecord(t *testing.T) {
	uc := &portal.UserCertification{ID: 7, UserID: 3, Cycle: 2, ExpiresOn: "2027-06-01"}
	retake := time.Date(2027, 3, 1, 5, 0, 0, 0, time.UTC)
	base := map[string]any{"certification": "SAA", "user": int64(3), "cycle": 2, "expires_on": "2027-06-01"}
	with := func(extra map[string]any) map[string]any {
		out := map[string]any{}
		for k, v := range base {
			out[k] = v
		}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}
	for _, tc := range []struct {
		name string
		r    credits.Reminder
		want credits.ReminderRecord
	}{
		{"credits", credits.Reminder{MonthsBefore: 6, Missing: 500, Pending: 100},
			credits.ReminderRecord{Event: portal.EventCertificationReminded, Action: credits.AuditReminderSent,
				Detail: "6 months before 2027-06-01", Payload: with(map[string]any{"months_before": 6, "missing": 500, "pending": 100})}},
		{"microcredential", credits.Reminder{MonthsBefore: 3, Micro: true, RetakeFrom: retake},
			credits.ReminderRecord{Event: portal.EventCertificationReminded, Action: credits.AuditReminderSent,
				Detail: "3 months before 2027-06-01", Payload: with(map[string]any{"months_before": 3, "retake_from": "2027-03-01T05:00:00Z"})}},
		{"expiry notice", credits.Reminder{MonthsBefore: 0, Missing: 500},
			credits.ReminderRecord{Event: portal.EventCertificationExpired, Action: credits.AuditCertificationExpired,
				Detail: "expired 2027-06-01", Payload: with(nil)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.want.Subject = "user_certification:7"
			if got := credits.RecordOf(uc, "SAA", tc.r); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("RecordOf = %+v\nwant       %+v", got, tc.want)
			}
		})
	}
}
