package consoletest

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// centerAdmin starts the demo portal and returns it with a client of its
// admin, signed in with TOTP enrolled, and the demo candidate's sign-in.
func centerAdmin(t *testing.T, engine string) (*apptest.App, *http.Client, []string) {
	t.Helper()
	a, _ := apptest.StartWithMail(t, engine, apptest.WithArgs("--demo"))
	admin := apptest.DemoAdminRe.FindStringSubmatch(a.Stdout())
	cand := apptest.DemoCandidateRe.FindStringSubmatch(a.Stdout())
	if admin == nil || cand == nil {
		t.Fatalf("no demo accounts in:\n%s", a.Stdout())
	}
	ac, _ := a.SignIn(t, admin[1], admin[2])
	a.EnrolTOTP(t, ac, true)
	return a, ac, cand
}

// postFile uploads content as the multipart field "file", the way a
// browser does.
func postFile(t *testing.T, a *apptest.App, c *http.Client, path, name, content string) *http.Response {
	t.Helper()
	return a.PostFile(t, c, path, "file", name, []byte(content))
}

func centerForm(code, name, seats string) url.Values {
	return url.Values{
		"code": {code}, "name": {name}, "address_line1": {"400 Broad St"}, "city": {"Seattle"}, "region": {"US-WA"},
		"postal_code": {"98109"}, "country": {"US"}, "latitude": {"47.6205"}, "longitude": {"-122.3493"},
		"time_zone": {"America/Los_Angeles"}, "seats": {seats}, "hours": {"mon-fri 08:00-21:00; sat 09:00-17:00"},
		"active": {"on"},
	}
}

// TestConsoleCenterForms: an admin creates a test center through the form
// and sees it listed; an invalid form shows the field's error and saves
// nothing; editing keeps the code.
func TestConsoleCenterForms(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, ac, _ := centerAdmin(t, engine)

		list := apptest.Body(t, a.Get(t, ac, "/console/centers"))
		for _, want := range []string{`href="/console/centers/new"`, `href="/console/centers/import"`, `href="/console/centers" aria-current="page"`} {
			if !strings.Contains(list, want) {
				t.Errorf("center list lacks %s", want)
			}
		}
		resp := a.Get(t, ac, "/console/centers/new")
		if page := apptest.Body(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(page, `<label for="seats">`) {
			t.Fatalf("new center form: %d\n%s", resp.StatusCode, page)
		}

		// Invalid: the error is next to its field and nothing is saved.
		resp = a.PostForm(t, ac, "/console/centers", centerForm("SPN-01", "Space Needle Center", "0"))
		page := html.UnescapeString(apptest.Body(t, resp))
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("invalid form: %d, want 422", resp.StatusCode)
		}
		for _, want := range []string{`id="seats-error">Enter a whole number of seats from 1 to 500.`, `aria-describedby="seats-hint seats-error"`,
			`href="#seats"`, `value="Space Needle Center"`} {
			if !strings.Contains(page, want) {
				t.Errorf("invalid form lacks %s\n%s", want, page)
			}
		}
		if list := apptest.Body(t, a.Get(t, ac, "/console/centers")); strings.Contains(list, "SPN-01") {
			t.Fatal("an invalid center was saved")
		}

		resp = a.PostForm(t, ac, "/console/centers", centerForm("spn-01", "Space Needle Center", "24"))
		_ = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/centers?notice=center_saved" {
			t.Fatalf("create: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		list = apptest.Body(t, a.Get(t, ac, "/console/centers?notice=center_saved"))
		for _, want := range []string{"Test center saved.", "<code>SPN-01</code>", "Space Needle Center", "America/Los_Angeles", "United States"} {
			if !strings.Contains(list, want) {
				t.Errorf("list after create lacks %q", want)
			}
		}
		if list := apptest.Body(t, a.Get(t, ac, "/console/centers?country=ES")); strings.Contains(list, "SPN-01") {
			t.Error("the Spanish filter lists a US center")
		}

		// The same code again is refused on the code field.
		resp = a.PostForm(t, ac, "/console/centers", centerForm("SPN-01", "Duplicate", "10"))
		if page := html.UnescapeString(apptest.Body(t, resp)); resp.StatusCode != http.StatusConflict || !strings.Contains(page, `id="code-error">Another test center already uses this code.`) {
			t.Fatalf("duplicate code: %d\n%s", resp.StatusCode, page)
		}

		// Edit: the code is shown, not editable, and stays.
		m := regexp.MustCompile(`href="(/console/centers/\d+)" aria-label="Edit Space Needle Center"`).FindStringSubmatch(list)
		if m == nil {
			t.Fatalf("no edit link in:\n%s", list)
		}
		edit := apptest.Body(t, a.Get(t, ac, m[1]))
		if !strings.Contains(edit, "<code>SPN-01</code>") || strings.Contains(edit, `name="code"`) || !strings.Contains(edit, `value="47.6205"`) {
			t.Fatalf("edit form:\n%s", edit)
		}
		form := centerForm("HACK-01", "Space Needle Renamed", "30")
		form.Del("active")
		resp = a.PostForm(t, ac, m[1], form)
		_ = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("update: %d", resp.StatusCode)
		}
		list = apptest.Body(t, a.Get(t, ac, "/console/centers"))
		if !strings.Contains(list, "Space Needle Renamed") || !strings.Contains(list, "<code>SPN-01</code>") || strings.Contains(list, "HACK-01") {
			t.Fatalf("list after edit:\n%s", list)
		}

		audit := apptest.Body(t, a.Get(t, ac, "/console/audit?action=scheduling."))
		for _, want := range []string{"scheduling.center_created", "scheduling.center_updated", "center:SPN-01"} {
			if !strings.Contains(audit, want) {
				t.Errorf("audit lacks %s", want)
			}
		}
	})
}

const centersCSVHeader = "code,name,address_line1,address_line2,city,region,postal_code,country,latitude,longitude,time_zone,seats,hours,active\n"

// TestConsoleCenterImport: a file with one bad row shows the report and
// saves nothing; a valid file creates its rows.
func TestConsoleCenterImport(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, ac, _ := centerAdmin(t, engine)

		resp := a.Get(t, ac, "/console/centers/import")
		if page := apptest.Body(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(page, `enctype="multipart/form-data"`) ||
			!strings.Contains(page, "mon-fri 08:00-21:00; sat 09:00-17:00") {
			t.Fatalf("import page: %d\n%s", resp.StatusCode, page)
		}
		resp = a.Get(t, ac, "/console/centers/import/example.csv")
		example := apptest.Body(t, resp)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
			!strings.HasPrefix(example, centersCSVHeader) || strings.Count(example, "\n") != 3 {
			t.Fatalf("example.csv: %d %s\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), example)
		}

		bad := centersCSVHeader +
			"BOS-01,Boston Back Bay,1 Main St,,Boston,US-MA,02116,US,42.35,-71.08,America/New_York,20,mon-fri 08:00-18:00,true\n" +
			"BOS-02,Boston Seaport,2 Main St,,Boston,US-MA,02210,US,42.35,-71.04,America/New_York,20,weekdays,true\n"
		resp = postFile(t, a, ac, "/console/centers/import", "centers.csv", bad)
		page := html.UnescapeString(apptest.Body(t, resp))
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("import with an error: %d, want 422\n%s", resp.StatusCode, page)
		}
		row := regexp.MustCompile(`<td>3</td>\s*<td><code>BOS-02</code></td>\s*<td><code>hours</code></td>\s*<td>The opening hours cannot be read`)
		if !row.MatchString(page) || !strings.Contains(page, "Nothing was saved") {
			t.Fatalf("report does not name line 3, BOS-02, hours:\n%s", page)
		}
		if list := apptest.Body(t, a.Get(t, ac, "/console/centers")); strings.Contains(list, "BOS-01") {
			t.Fatal("a row of a file with an error was saved")
		}

		// The example file, then a file that updates one of its centers
		// and adds one.
		resp = postFile(t, a, ac, "/console/centers/import", "example.csv", example)
		if page := apptest.Body(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(page, "Import complete: 2 created, 0 updated.") {
			t.Fatalf("example import: %d\n%s", resp.StatusCode, page)
		}
		good := strings.Replace(bad, "weekdays", "mon-fri 09:00-17:00", 1) +
			"SEA-01,Seattle Downtown Renamed,1200 5th Ave,,Seattle,US-WA,98101,US,47.6085,-122.3331,America/Los_Angeles,24,mon-fri 08:00-21:00,true\n"
		resp = postFile(t, a, ac, "/console/centers/import", "centers.csv", good)
		if page := apptest.Body(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(page, "Import complete: 2 created, 1 updated.") {
			t.Fatalf("valid import: %d\n%s", resp.StatusCode, page)
		}
		list := apptest.Body(t, a.Get(t, ac, "/console/centers"))
		for _, want := range []string{"BOS-01", "BOS-02", "MAD-01", "Seattle Downtown Renamed"} {
			if !strings.Contains(list, want) {
				t.Errorf("list after import lacks %s", want)
			}
		}

		// No file chosen: the field says so.
		resp = postFile(t, a, ac, "/console/centers/import", "", "")
		if page := apptest.Body(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `id="file-error"`) {
			t.Fatalf("no file: %d\n%s", resp.StatusCode, page)
		}
	})
}

// TestConsoleCentersRefuseCandidates: a candidate reaches no center page
// or action.
func TestConsoleCentersRefuseCandidates(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, _, cand := centerAdmin(t, engine)
		cc, _ := a.SignIn(t, cand[1], cand[2])
		for _, path := range []string{"/console/centers", "/console/centers/new", "/console/centers/import", "/console/centers/1"} {
			resp := a.Get(t, cc, path)
			_ = apptest.Body(t, resp)
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("candidate GET %s: %d, want 403", path, resp.StatusCode)
			}
		}
		resp := a.PostForm(t, cc, "/console/centers", centerForm("CAND-01", "Candidate Center", "10"))
		_ = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("candidate creating a center: %d, want 403", resp.StatusCode)
		}
		resp = postFile(t, a, cc, "/console/centers/import", "c.csv", centersCSVHeader)
		_ = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("candidate importing: %d, want 403", resp.StatusCode)
		}
		// Signed out: sent to sign in.
		resp = a.Get(t, a.Client(), "/console/centers")
		_ = apptest.Body(t, resp)
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/signin") {
			t.Errorf("anonymous GET /console/centers: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
}
