package bookingtest

import (
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// bookingRoutes reads, from a surface's one route table, every route that
// names a booking by its reference: "METHOD /path/{param}/…".
func bookingRoutes(t *testing.T, file, pattern string) [][2]string {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var out [][2]string
	for _, m := range regexp.MustCompile(pattern).FindAllStringSubmatch(string(src), -1) {
		out = append(out, [2]string{m[1], m[2]})
	}
	if len(out) < 3 {
		t.Fatalf("%s: found only %d booking routes", file, len(out))
	}
	return out
}

// TestAnotherCandidatesBookingIsNotFound: every route of the site and of
// the API that names a booking (read from the route tables, so a new one
// is covered) answers 404 to another candidate and to an administrator
// outside the console, and changes nothing: the owner's booking stays
// confirmed where it was.
func TestAnotherCandidatesBookingIsNotFound(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, smtp := apptest.StartWithMail(t, engine, apptest.WithArgs("--demo"))
		cand := apptest.DemoCandidateRe.FindStringSubmatch(a.Stdout())
		admin := apptest.DemoAdminRe.FindStringSubmatch(a.Stdout())
		owner, _ := a.SignIn(t, cand[1], cand[2])
		ref, _ := a.BookDemoSeat(t, owner)
		before := a.API(t, owner, http.MethodGet, "/api/v1/bookings/"+ref, "")
		apptest.WantStatus(t, before, http.StatusOK)

		other := a.RegisterCandidate(t, smtp, "other.candidate@example.test")
		staff, _ := a.SignIn(t, admin[1], admin[2])

		web := bookingRoutes(t, "../../web/candidate/routes.go", `Pattern: "(GET|POST) (/[^"]*\{ref\}[^"]*)"`)
		var paths [][2]string
		for _, r := range web {
			paths = append(paths, [2]string{r[0], strings.ReplaceAll(r[1], "{ref}", ref)})
		}
		// Pages that take the booking to move as a parameter.
		for _, p := range []string{"/schedule/SAA-C03/centers/1?reschedule=", "/schedule/SAA-C03/online?reschedule="} {
			paths = append(paths, [2]string{http.MethodGet, p + ref})
		}
		api := bookingRoutes(t, "../../api/api.go", `\{"(GET|POST)", "(/[^"]*\{reference\}[^"]*)"`)

		for _, who := range []struct {
			name string
			c    *http.Client
		}{{"another candidate", other}, {"an administrator", staff}} {
			for i, p := range paths {
				var resp *http.Response
				if p[0] == http.MethodGet {
					resp = a.Get(t, who.c, p[1])
				} else {
					resp = a.PostForm(t, who.c, p[1], url.Values{"idempotency_key": {"intruder-" + who.name + string(rune('a'+i))}, "slot": {"1"}, "reason": {"x"}})
				}
				page := apptest.Body(t, resp)
				if resp.StatusCode != http.StatusNotFound {
					t.Errorf("%s: %s %s = %d, want 404\n%.300s", who.name, p[0], p[1], resp.StatusCode, page)
				}
			}
			for i, r := range api {
				path := "/api/v1" + strings.ReplaceAll(r[1], "{reference}", ref)
				var got apptest.APIResponse
				if r[0] == http.MethodGet {
					got = a.API(t, who.c, r[0], path, "")
				} else {
					payload := `{}`
					if strings.HasSuffix(path, "/reschedule") {
						payload = `{"slot_id": 1}`
					}
					got = a.API(t, who.c, r[0], path, payload, "Idempotency-Key", "intruder-api-"+who.name+string(rune('a'+i)))
				}
				if got.Status != http.StatusNotFound || got.ErrorField("code") != "not_found" {
					t.Errorf("%s: %s %s = %d %.300s, want 404 not_found", who.name, r[0], path, got.Status, got.Raw)
				}
			}
		}

		after := a.API(t, owner, http.MethodGet, "/api/v1/bookings/"+ref, "")
		if after.Status != http.StatusOK || after.Raw != before.Raw {
			t.Errorf("the owner's booking changed:\nbefore %s\nafter  %s", before.Raw, after.Raw)
		}
	})
}
