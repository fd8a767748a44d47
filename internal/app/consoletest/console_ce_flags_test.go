package consoletest

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// TestConsoleCERenewalFlags: with every certification renewing at 30
// credits, the demo reviewer's approval of the pending 30-credit talk
// renews the demo holder's certifications; the admin's reversal of it
// flags them. The admin's navigation counts the open flags, the list and
// a flag's page show the renewal, the reversal and the credits now short;
// the resolve form says next to its fields what it lacks, in English and
// Spanish; resolving asks the holder for the credits by mail, and a
// second resolution is told "already resolved" on the page. The CE
// reviewer, a scheduler and the candidate reach none of it.
func TestConsoleCERenewalFlags(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, smtp := apptest.StartWithMail(t, engine, apptest.WithArgs("--demo"))
		admin := apptest.DemoAdminRe.FindStringSubmatch(a.Stdout())
		holder := regexp.MustCompile(`certified\s+email (\S+)\s+password (\S+)`).FindStringSubmatch(a.Stdout())
		if admin == nil || holder == nil {
			t.Fatalf("no demo accounts in:\n%s", a.Stdout())
		}
		ac, _ := a.SignIn(t, admin[1], admin[2])
		a.EnrolTOTP(t, ac, true)
		rc := demoStaffClient(t, a, "ce_reviewer")

		st := a.OpenStore(t)
		defer st.Close()
		ctx := context.Background()
		var certs []int64
		rs, err := st.DB().QueryContext(ctx, `SELECT id FROM certifications`)
		if err != nil {
			t.Fatal(err)
		}
		for rs.Next() {
			var id int64
			if err := rs.Scan(&id); err != nil {
				t.Fatal(err)
			}
			certs = append(certs, id)
		}
		if err := rs.Close(); err != nil {
			t.Fatal(err)
		}
		if err := st.Transact(ctx, func(tx *store.Tx) error {
			for _, id := range certs {
				if err := tx.SetCERequirement(ctx, id, `{"alternatives": [{"conditions": [{"kind": "credits", "credits": 3000}]}]}`); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}

		// The demo has one open flag already: a course an exam renewal used.
		demoFlags := count(t, a, st, `SELECT COUNT(*) FROM ce_renewal_flags WHERE resolved_at IS NULL`)
		if got, want := a.GetPage(t, ac, "/console", http.StatusOK).TextOf(`nav a[href="/console/ce/flags"]`), navFlags(demoFlags); got != want {
			t.Errorf("the admin's navigation before the reversal: %q, want %q", got, want)
		}
		queue := a.GetPage(t, rc, "/console/ce", http.StatusOK)
		links := queue.Values(".ce-queue a[href^='/console/ce/submissions/']", "href")
		if len(links) != 1 {
			t.Fatalf("queue links %v, want the pending talk", links)
		}
		talk := links[0]
		if status, _, _ := a.PostPage(t, rc, talk+"/decide", url.Values{"outcome": {"approve"}}); status != http.StatusSeeOther {
			t.Fatalf("approval: %d", status)
		}
		renewals := count(t, a, st, `SELECT COUNT(*) FROM renewals WHERE cause = 'credits'`)
		if renewals == 0 {
			t.Fatal("the approval renewed nothing")
		}
		if status, _, _ := a.PostPage(t, ac, talk+"/reverse", url.Values{"reversal_reason": {"The talk was cancelled."}}); status != http.StatusSeeOther {
			t.Fatalf("reversal: %d", status)
		}
		flags := count(t, a, st, `SELECT COUNT(*) FROM ce_renewal_flags WHERE resolved_at IS NULL`)
		if flags != demoFlags+renewals {
			t.Fatalf("%d open flags for %d renewals and the demo's %d", flags, renewals, demoFlags)
		}

		nav := a.GetPage(t, ac, "/console", http.StatusOK).TextOf(`nav a[href="/console/ce/flags"]`)
		if want := navFlags(flags); nav != want {
			t.Errorf("the admin's navigation %q, want %q", nav, want)
		}
		list := a.GetPage(t, ac, "/console/ce/flags", http.StatusOK)
		rows := list.Values(".ce-flag-row a[href^='/console/ce/flags/']", "href")
		if len(rows) != flags {
			t.Fatalf("listed flags %v, want %d", rows, flags)
		}
		if got := list.TextOf(".ce-flags"); !strings.Contains(got, "Noor Haddad") || !strings.Contains(got, "Talk: serverless at scale") ||
			!strings.Contains(got, "30 credits taken back") {
			t.Errorf("the list %q lacks the holder, the reversed talk or the credits", got)
		}
		var path string
		for _, r := range rows {
			if strings.Contains(list.TextOf("#flag-"+strings.TrimPrefix(r, "/console/ce/flags/")), "Talk: serverless at scale") {
				path = r
				break
			}
		}
		if path == "" {
			t.Fatalf("no flag of the reversed talk among %v", rows)
		}
		page := a.GetPage(t, ac, path, http.StatusOK)
		standing := page.TextOf(".ce-flag-standing")
		if !regexp.MustCompile(`count [\d.]+ of the 30 required: [\d.]+ credits short`).MatchString(standing) {
			t.Errorf("standing %q, want the credits short against 30", standing)
		}
		if got := page.TextOf(".ce-flag-back"); got != "30" {
			t.Errorf("credits taken back %q, want 30", got)
		}
		if !page.Has("form[action='" + path + "/resolve'] input[type=radio][name=outcome]") {
			t.Fatal("an open flag's page has no resolve form")
		}

		status, _, doc := a.PostPage(t, ac, path+"/resolve", url.Values{"note": {" "}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(doc.TextOf("#outcome-error"), "Choose what happens to the renewal") ||
			!strings.Contains(doc.TextOf("#note-error"), "Write a note") {
			t.Errorf("an empty resolution: %d, outcome %q, note %q", status, doc.TextOf("#outcome-error"), doc.TextOf("#note-error"))
		}
		setLanguage(t, a, admin[1], "es")
		status, _, doc = a.PostPage(t, ac, path+"/resolve", url.Values{"outcome": {"credits_requested"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(doc.TextOf("#note-error"), "Escriba una nota") ||
			!doc.Has("#outcome-credits_requested[checked]") {
			t.Errorf("a Spanish refusal: %d, note %q", status, doc.TextOf("#note-error"))
		}
		setLanguage(t, a, admin[1], "en")

		status, loc, _ := a.PostPage(t, ac, path+"/resolve", url.Values{"outcome": {"credits_requested"}, "note": {"Asked for the credits."}})
		if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/console/ce/flags") {
			t.Fatalf("resolution: %d %s", status, loc)
		}
		after := a.GetPage(t, ac, loc, http.StatusOK)
		if got := after.TextOf(".notice"); !strings.Contains(got, "Flag resolved") {
			t.Errorf("notice after the resolution %q", got)
		}
		if got := len(after.Values(".ce-flag-row a", "href")); got != flags-1 {
			t.Errorf("%d open flags listed after the resolution, want %d", got, flags-1)
		}
		if got := a.GetPage(t, ac, "/console/ce/flags?state=resolved", http.StatusOK).TextOf(".ce-flags"); !strings.Contains(got, "Credits requested") {
			t.Errorf("resolved list %q", got)
		}
		resolved := a.GetPage(t, ac, path, http.StatusOK)
		if resolved.Has("form[action$='/resolve']") || resolved.TextOf(".ce-flag-note") != "Asked for the credits." {
			t.Errorf("a resolved flag's page: form %v, note %q", resolved.Has("form[action$='/resolve']"), resolved.TextOf(".ce-flag-note"))
		}
		status, _, doc = a.PostPage(t, ac, path+"/resolve", url.Values{"outcome": {"kept"}, "note": {"Again"}})
		if status != http.StatusConflict || !strings.Contains(doc.Text(), "already resolved") || !doc.Has(".ce-flag-facts") {
			t.Errorf("a second resolution: %d, want 409 on the flag's page with the notice", status)
		}
		m := smtp.WaitMail(t, holder[1], "Your renewal was reviewed", 10*time.Second)
		if !strings.Contains(m.Text, "credits short of the requirement") || !strings.Contains(m.Text, "Talk: serverless at scale") {
			t.Errorf("mail to the holder:\n%s", m.Text)
		}

		cc, _ := a.SignIn(t, holder[1], holder[2])
		sc := demoStaffClient(t, a, "scheduler")
		for name, c := range map[string]*http.Client{"CE reviewer": rc, "scheduler": sc} {
			if a.GetPage(t, c, "/console", http.StatusOK).Has(`a[href="/console/ce/flags"]`) {
				t.Errorf("the %s sees the renewal flags' link", name)
			}
		}
		for name, c := range map[string]*http.Client{"CE reviewer": rc, "scheduler": sc, "candidate": cc} {
			for _, p := range []string{"/console/ce/flags", path} {
				if resp := a.Get(t, c, p); resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusNotFound {
					t.Errorf("%s GET %s: %d, want a refusal", name, p, resp.StatusCode)
				}
			}
			if status, _, _ := a.PostPage(t, c, rows[0]+"/resolve", url.Values{"outcome": {"kept"}, "note": {"x"}}); status != http.StatusForbidden && status != http.StatusNotFound {
				t.Errorf("%s resolution: %d, want a refusal", name, status)
			}
		}
	})
}

// navFlags is the navigation's link to the renewal flags with n open.
func navFlags(n int) string {
	if n == 0 {
		return "Renewal flags"
	}
	return "Renewal flags (" + strconv.Itoa(n) + ")"
}

// count runs a COUNT query on the app's store.
func count(t *testing.T, a *apptest.App, st *store.Store, q string) int {
	t.Helper()
	var n int
	if err := st.DB().QueryRowContext(context.Background(), testutil.Rebind(a.Engine, q)).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
