package consoletest

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// examForm is a valid console exam form; edit it per test.
func examForm(code string) url.Values {
	return url.Values{
		"code": {code}, "name": {"Kubernetes Operator"}, "description": {"Run clusters in production."},
		"level": {"professional"}, "kind": {"exam"}, "duration_minutes": {"150"}, "languages": {"en, es"},
		"delivery_test_center": {"on"}, "delivery_online": {"on"}, "currency": {"USD"}, "price": {"150.00"},
		"reschedule_fee": {"25.00"}, "max_reschedules": {"2"}, "retake_wait_days": {"14"}, "passing_score": {"720"},
		"validity_months": {"36"}, "results_delay_days": {"5"}, "domains": {"Design | 60\r\nOperate | 40"}, "active": {"on"},
	}
}

// TestConsoleExamForms: an admin creates an exam through the console form,
// sees the errors of a bad form next to its fields with the values kept
// (nothing saved), edits the reschedule fee, retires and reactivates the
// exam; the public catalog follows and every change is audited.
func TestConsoleExamForms(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, ac, _ := centerAdmin(t, engine)

		list := apptest.Body(t, a.Get(t, ac, "/console/exams"))
		for _, want := range []string{`href="/console/exams/new"`, `href="/console/exams" aria-current="page"`, "<code>SAA-C03</code>", "Exam catalog"} {
			if !strings.Contains(list, want) {
				t.Errorf("exam list lacks %s", want)
			}
		}
		resp := a.Get(t, ac, "/console/exams/new")
		if page := apptest.Body(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(page, `<label for="domains">`) ||
			!strings.Contains(page, `<label for="reschedule_fee">`) || !strings.Contains(page, `action="/console/exams"`) {
			t.Fatalf("new exam form: %d\n%s", resp.StatusCode, page)
		}

		// Invalid: weights add up to 90 and the fee is above the price.
		bad := examForm("KOP-C01")
		bad.Set("reschedule_fee", "200.00")
		bad.Set("domains", "Design | 60\r\nOperate | 30")
		bad.Del("delivery_online")
		resp = a.PostForm(t, ac, "/console/exams", bad)
		page := html.UnescapeString(apptest.Body(t, resp))
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("invalid form: %d, want 422\n%s", resp.StatusCode, page)
		}
		for _, want := range []string{
			`id="domains-error">The domain weights add up to 90%; they must add up to 100%.`,
			`id="reschedule_fee-error">Enter a fee from 0 up to the price, 150.00 USD,`,
			`aria-describedby="reschedule_fee-hint reschedule_fee-error"`, `href="#domains"`, `href="#reschedule_fee"`,
			`value="Kubernetes Operator"`, `value="200.00"`, `value="KOP-C01"`, ">Design | 60\r\nOperate | 30</textarea>",
			`<option value="professional" selected>`,
		} {
			if !strings.Contains(page, want) {
				t.Errorf("invalid form lacks %s", want)
			}
		}
		if !regexp.MustCompile(`id="delivery_test_center" name="delivery_test_center" type="checkbox" checked`).MatchString(page) ||
			regexp.MustCompile(`id="delivery_online" name="delivery_online" type="checkbox" checked`).MatchString(page) {
			t.Errorf("the delivery boxes do not keep their state:\n%s", page)
		}
		if list := apptest.Body(t, a.Get(t, ac, "/console/exams")); strings.Contains(list, "KOP-C01") {
			t.Fatal("an invalid exam was saved")
		}

		// Every rule names its field.
		worse := examForm("KOP-C01")
		for k, v := range map[string]string{"duration_minutes": "0", "languages": "english", "price": "1,50",
			"currency": "XYZ", "passing_score": "50", "retake_wait_days": "400", "max_reschedules": "11",
			"validity_months": "0", "domains": "Design | 0"} {
			worse.Set(k, v)
		}
		worse.Del("delivery_test_center")
		worse.Del("delivery_online")
		resp = a.PostForm(t, ac, "/console/exams", worse)
		page = html.UnescapeString(apptest.Body(t, resp))
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("form with every field wrong: %d\n%s", resp.StatusCode, page)
		}
		for _, field := range []string{"duration_minutes", "languages", "delivery", "price", "currency", "passing_score",
			"retake_wait_days", "max_reschedules", "validity_months", "domains"} {
			if !strings.Contains(page, `id="`+field+`-error"`) || !strings.Contains(page, `href="#`+field+`"`) {
				t.Errorf("no error on %s", field)
			}
		}

		resp = a.PostForm(t, ac, "/console/exams", examForm("kop-c01"))
		_ = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/exams?notice=exam_saved" {
			t.Fatalf("create: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		list = apptest.Body(t, a.Get(t, ac, "/console/exams?notice=exam_saved"))
		row := regexp.MustCompile(`<code>KOP-C01</code></td>\s*<td>Kubernetes Operator</td>\s*<td>Professional</td>\s*<td>Certification exam</td>\s*` +
			`<td class="num">\$150.00</td>\s*<td class="num">\$25.00</td>\s*<td>Active</td>`)
		if !strings.Contains(list, "Exam saved.") || !row.MatchString(list) {
			t.Fatalf("list after create:\n%s", list)
		}
		if public := apptest.Body(t, a.Get(t, a.Client(), "/exams")); !strings.Contains(public, "KOP-C01") {
			t.Fatal("the new active exam is not in the public catalog")
		}

		// The same code again is refused on the code field.
		resp = a.PostForm(t, ac, "/console/exams", examForm("KOP-C01"))
		if page := html.UnescapeString(apptest.Body(t, resp)); resp.StatusCode != http.StatusConflict ||
			!strings.Contains(page, `id="code-error">An exam with this code already exists.`) {
			t.Fatalf("duplicate code: %d\n%s", resp.StatusCode, page)
		}

		// Edit: the code is shown, not editable, and stays; the fee changes.
		m := regexp.MustCompile(`href="(/console/exams/\d+)" aria-label="Edit KOP-C01 Kubernetes Operator"`).FindStringSubmatch(list)
		if m == nil {
			t.Fatalf("no edit link in:\n%s", list)
		}
		edit := html.UnescapeString(apptest.Body(t, a.Get(t, ac, m[1])))
		for _, want := range []string{"<code>KOP-C01</code>", `value="150.00"`, `value="25.00"`, `value="en, es"`,
			">Design | 60\nOperate | 40</textarea>", `action="` + m[1] + `/retire"`} {
			if !strings.Contains(edit, want) {
				t.Errorf("edit form lacks %s", want)
			}
		}
		if strings.Contains(edit, `name="code"`) {
			t.Error("the edit form lets the code change")
		}
		form := examForm("HACK-01")
		form.Set("reschedule_fee", "40")
		form.Set("domains", "Design | 50\nOperate | 30\nSecure | 20")
		resp = a.PostForm(t, ac, m[1], form)
		_ = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("update: %d", resp.StatusCode)
		}
		list = apptest.Body(t, a.Get(t, ac, "/console/exams"))
		if !strings.Contains(list, `<td class="num">$40.00</td>`) || strings.Contains(list, "HACK-01") {
			t.Fatalf("list after edit:\n%s", list)
		}
		if edit := apptest.Body(t, a.Get(t, ac, m[1])); !strings.Contains(edit, "Secure | 20</textarea>") {
			t.Fatalf("the domains were not replaced:\n%s", edit)
		}
		// A bad edit keeps the values and saves nothing.
		form.Set("reschedule_fee", "150.01")
		resp = a.PostForm(t, ac, m[1], form)
		if page := apptest.Body(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `value="150.01"`) ||
			!strings.Contains(page, `id="reschedule_fee-error"`) {
			t.Fatalf("fee above price on edit: %d\n%s", resp.StatusCode, page)
		}

		// Retire: gone from the public catalog, still in the console.
		resp = a.PostForm(t, ac, m[1]+"/retire", nil)
		_ = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/exams?notice=exam_retired" {
			t.Fatalf("retire: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		list = apptest.Body(t, a.Get(t, ac, "/console/exams?notice=exam_retired"))
		if !strings.Contains(list, "Exam retired") || !regexp.MustCompile(`\$40.00</td>\s*<td><span class="badge">Retired</span>`).MatchString(list) {
			t.Fatalf("list after retiring:\n%s", list)
		}
		if public := apptest.Body(t, a.Get(t, a.Client(), "/exams")); strings.Contains(public, "KOP-C01") || !strings.Contains(public, "SAA-C03") {
			t.Fatal("the retired exam is still in the public catalog")
		}
		if edit := apptest.Body(t, a.Get(t, ac, m[1])); !strings.Contains(edit, `action="`+m[1]+`/activate"`) {
			t.Fatalf("a retired exam's page offers no reactivation:\n%s", edit)
		}
		resp = a.PostForm(t, ac, m[1]+"/activate", nil)
		_ = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("activate: %d", resp.StatusCode)
		}
		if public := apptest.Body(t, a.Get(t, a.Client(), "/exams")); !strings.Contains(public, "KOP-C01") {
			t.Fatal("the reactivated exam is not in the public catalog")
		}
		resp = a.PostForm(t, ac, "/console/exams/99999/retire", nil)
		if _ = apptest.Body(t, resp); resp.StatusCode != http.StatusNotFound {
			t.Errorf("retiring an unknown exam: %d, want 404", resp.StatusCode)
		}

		audit := apptest.Body(t, a.Get(t, ac, "/console/audit?action=catalog."))
		for _, want := range []string{"catalog.exam_created", "catalog.exam_updated", "catalog.exam_retired", "catalog.exam_activated", "exam:KOP-C01"} {
			if !strings.Contains(audit, want) {
				t.Errorf("audit lacks %s", want)
			}
		}

		// The edit's row shows the fields it changed, before and after, in
		// a table with its own header row.
		updated := testutil.ParseHTML(t, apptest.Body(t, a.Get(t, ac, "/console/audit?action=catalog.exam_updated")))
		changes := updated.First("tbody tr table.changes")
		if changes == nil {
			t.Fatal("the edit's audit row has no table of changes")
		}
		if got := changes.Texts("thead th"); strings.Join(got, "|") != "Field|Before|After" {
			t.Errorf("changes header = %q", got)
		}
		if changes.TextOf("caption") == "" {
			t.Error("the table of changes has no caption")
		}
		var rows []string
		for _, tr := range changes.Find("tr:has(td)") {
			rows = append(rows, strings.Join(tr.Texts("th, td"), " | "))
		}
		want := []string{"reschedule_fee_minor | 2500 | 4000",
			"domains | Design 60%, Operate 40% | Design 50%, Operate 30%, Secure 20%"}
		if strings.Join(rows, "\n") != strings.Join(want, "\n") {
			t.Errorf("changes rows =\n%s\nwant\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
		}
	})
}

// TestConsoleExamsPermissions: staff read the catalog but cannot change
// it; candidates reach no page or action.
func TestConsoleExamsPermissions(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, _, cand := centerAdmin(t, engine)
		cc, _ := a.SignIn(t, cand[1], cand[2])
		for _, path := range []string{"/console/exams", "/console/exams/new", "/console/exams/1"} {
			resp := a.Get(t, cc, path)
			if _ = apptest.Body(t, resp); resp.StatusCode != http.StatusForbidden {
				t.Errorf("candidate GET %s: %d, want 403", path, resp.StatusCode)
			}
		}
		for _, path := range []string{"/console/exams", "/console/exams/1", "/console/exams/1/retire", "/console/exams/1/activate"} {
			resp := a.PostForm(t, cc, path, examForm("CAND-01"))
			if _ = apptest.Body(t, resp); resp.StatusCode != http.StatusForbidden {
				t.Errorf("candidate POST %s: %d, want 403", path, resp.StatusCode)
			}
		}

		// The candidate becomes staff (there is no console action for
		// roles yet): the list is read-only and every change refused.
		makeStaff(t, a, cand[1], portal.SetScheduler, portal.SetSupport)
		sc, _ := a.SignIn(t, cand[1], cand[2])
		a.EnrolTOTP(t, sc, true)
		resp := a.Get(t, sc, "/console/exams")
		list := apptest.Body(t, resp)
		if resp.StatusCode != http.StatusOK || !strings.Contains(list, "<code>SAA-C03</code>") || !strings.Contains(list, "only administrators can change it") ||
			!strings.Contains(list, `href="/console/exams" aria-current="page"`) {
			t.Fatalf("staff list: %d\n%s", resp.StatusCode, list)
		}
		if strings.Contains(list, `href="/console/exams/new"`) || regexp.MustCompile(`href="/console/exams/\d+"`).MatchString(list) {
			t.Errorf("the staff list links to forms:\n%s", list)
		}
		for _, path := range []string{"/console/exams/new", "/console/exams/1"} {
			resp := a.Get(t, sc, path)
			if _ = apptest.Body(t, resp); resp.StatusCode != http.StatusForbidden {
				t.Errorf("staff GET %s: %d, want 403", path, resp.StatusCode)
			}
		}
		for _, path := range []string{"/console/exams", "/console/exams/1", "/console/exams/1/retire"} {
			resp := a.PostForm(t, sc, path, examForm("STAF-01"))
			if _ = apptest.Body(t, resp); resp.StatusCode != http.StatusForbidden {
				t.Errorf("staff POST %s: %d, want 403", path, resp.StatusCode)
			}
		}
		if public := apptest.Body(t, a.Get(t, a.Client(), "/exams")); !strings.Contains(public, "SAA-C03") || strings.Contains(public, "STAF-01") {
			t.Error("a refused change reached the catalog")
		}
		// Signed out: sent to sign in.
		resp = a.Get(t, a.Client(), "/console/exams")
		if _ = apptest.Body(t, resp); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/signin") {
			t.Errorf("anonymous GET /console/exams: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
}
