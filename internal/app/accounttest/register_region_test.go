package accounttest

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// getPage GETs path with an Accept-Language header and parses the page.
func getPage(t *testing.T, a *apptest.App, path, acceptLanguage string) (*http.Response, *testutil.HTMLNode) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, a.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if acceptLanguage != "" {
		req.Header.Set("Accept-Language", acceptLanguage)
	}
	resp, err := a.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp, testutil.ParseHTML(t, apptest.Body(t, resp))
}

// TestRegistrationShowsTheRegionField: the state or region is asked for as
// soon as the country is known, never only after a failed submit: the form
// opens with the browser's country and its regions; script swaps in the
// regions of another country (GET /regions, a CSP-allowed static file, no
// inline script); without script a button re-renders the form for the new
// country keeping what was typed; and a submit whose country's regions the
// page never showed gets the field with a prompt, not an error.
func TestRegistrationShowsTheRegionField(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, smtp := apptest.StartWithMail(t, engine)

		for _, tc := range []struct {
			acceptLanguage, country, region string
		}{
			{"es-ES,es;q=0.9", "ES", "ES-M"},
			{"en-US,en;q=0.8", "US", "US-CA"},
			{"fr", "", ""}, // no country in the language: none chosen, no region field
		} {
			resp, page := getPage(t, a, "/register", tc.acceptLanguage)
			got := page.AttrOf("select#country option[selected]", "value")
			forCountry := page.AttrOf(`#region-field input[name="region_for"]`, "value")
			hasRegion := page.Has(`#region-field select#region option[value="` + tc.region + `"]`)
			if resp.StatusCode != http.StatusOK || got != tc.country || forCountry != tc.country || hasRegion != (tc.region != "") {
				t.Errorf("%s: country %q, region field for %q (has %s: %v), want %q", tc.acceptLanguage, got, forCountry, tc.region, hasRegion, tc.country)
			}
			if tc.country == "" && page.Has("select#region") {
				t.Errorf("%s: a region field without a country", tc.acceptLanguage)
			}
		}

		// With script: the field of another country, and the page loads
		// region.js from the portal, with no inline script.
		_, page := getPage(t, a, "/register", "")
		src := page.Values("script[src]", "src")
		if len(src) != 1 || !regexp.MustCompile(`^/static/region\.[0-9a-f]+\.js$`).MatchString(src[0]) || page.Has("script:not([src])") {
			t.Errorf("register page scripts: %v (inline: %v)", src, page.Has("script:not([src])"))
		}
		if js := a.Get(t, a.Client(), src[0]); js.StatusCode != http.StatusOK || js.Header.Get("Content-Type") != "text/javascript; charset=utf-8" {
			t.Errorf("region.js: %d %s", js.StatusCode, js.Header.Get("Content-Type"))
		}
		for _, tc := range []struct{ country, region string }{{"ca", "CA-QC"}, {"US", "US-TX"}, {"GI", ""}, {"XX", ""}} {
			resp, part := getPage(t, a, "/regions?country="+tc.country, "")
			forCountry := part.AttrOf(`#region-field input[name="region_for"]`, "value")
			if resp.StatusCode != http.StatusOK || part.Has("select#region") != (tc.region != "") ||
				(tc.region != "" && (!part.Has(`select#region option[value="`+tc.region+`"]`) || forCountry == "")) {
				t.Errorf("/regions?country=%s: %d, region field for %q", tc.country, resp.StatusCode, forCountry)
			}
		}

		// Without script: the button re-renders for the chosen country and
		// keeps what was typed, with nothing reported.
		form := url.Values{}
		for k, v := range registration {
			form[k] = v
		}
		form.Set("email", "region.user@example.org")
		form.Set("country", "US")
		form.Set("region", "")
		form.Set("region_for", "ES")
		update := url.Values{"update": {"region"}}
		for k, v := range form {
			update[k] = v
		}
		update.Del("password")
		resp := a.PostForm(t, a.Client(), "/register", update)
		page = testutil.ParseHTML(t, apptest.Body(t, resp))
		forCountry := page.AttrOf(`input[name="region_for"]`, "value")
		email := page.AttrOf("input#email", "value")
		if resp.StatusCode != http.StatusOK || forCountry != "US" || !page.Has(`select#region option[value="US-WA"]`) || email != "region.user@example.org" ||
			page.Has(".field-error") || page.Has(".error-summary") {
			t.Fatalf("no-script update: %d, region field for %q, email %q, errors %v", resp.StatusCode, forCountry, email, page.Has(".field-error"))
		}
		if page.Has(`noscript`) == false {
			t.Error("the no-script update button is missing")
		}

		// A submit for a country whose regions were not shown: the field
		// with a prompt, no error; other mistakes are still reported.
		for _, tc := range []struct {
			name, email string
			wantError   string
		}{
			{"only the region", "region.user@example.org", ""},
			{"and a bad address", "not-an-email", "email"},
		} {
			f := url.Values{}
			for k, v := range form {
				f[k] = v
			}
			f.Set("email", tc.email)
			resp := a.PostForm(t, a.Client(), "/register", f)
			page := testutil.ParseHTML(t, apptest.Body(t, resp))
			prompt := page.TextOf("#region-hint")
			forCountry := page.AttrOf(`input[name="region_for"]`, "value")
			if resp.StatusCode != http.StatusUnprocessableEntity || page.Has("#region-error") || page.Has(`.error-summary a[href="#region"]`) ||
				prompt == "" || forCountry != "US" || !page.Has(`select#region option[value="US-WA"]`) {
				t.Errorf("%s: %d, region error %v, prompt %q, field for %q", tc.name, resp.StatusCode, page.Has("#region-error"), prompt, forCountry)
			}
			if got := page.Has("#" + tc.wantError + "-error"); tc.wantError != "" && !got {
				t.Errorf("%s: the %s error is gone", tc.name, tc.wantError)
			}
		}

		// A region field that was shown and left empty is an error.
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		f.Set("region_for", "US")
		resp = a.PostForm(t, a.Client(), "/register", f)
		if page := testutil.ParseHTML(t, apptest.Body(t, resp)); resp.StatusCode != http.StatusUnprocessableEntity || !page.Has("#region-error") {
			t.Errorf("an empty region that was shown: %d, region error %v", resp.StatusCode, page.Has("#region-error"))
		}

		// And with the region chosen, the account is made.
		before := len(smtp.Messages())
		f.Set("region", "US-WA")
		resp = a.PostForm(t, a.Client(), "/register", f)
		if _ = apptest.Body(t, resp); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("register with the region: %d", resp.StatusCode)
		}
		smtp.WaitFor(t, before+1)
	})
}

// TestProfileShowsTheRegionField: the profile's country change works the
// same way: without script the button re-renders for the new country
// keeping what was typed, a region never shown is asked for with a prompt,
// and a shown one is saved.
func TestProfileShowsTheRegionField(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, smtp := apptest.StartWithMail(t, engine)
		c := signedIn(t, a, smtp, registration)
		page := testutil.ParseHTML(t, apptest.Body(t, a.Get(t, c, "/profile")))
		if forCountry := page.AttrOf(`input[name="region_for"]`, "value"); forCountry != "ES" || !page.Has(`select#region option[value="ES-M"][selected]`) {
			t.Fatalf("profile opens with the region field for %q", forCountry)
		}
		form := url.Values{
			"first_name": {"María"}, "last_name": {"García López"}, "country": {"US"}, "region": {"ES-M"}, "region_for": {"ES"},
			"language": {"en"}, "city": {"Seattle"},
		}
		update := url.Values{"update": {"region"}}
		for k, v := range form {
			update[k] = v
		}
		resp := a.PostForm(t, c, "/profile", update)
		page = testutil.ParseHTML(t, apptest.Body(t, resp))
		city := page.AttrOf("input#city", "value")
		if resp.StatusCode != http.StatusOK || !page.Has(`select#region option[value="US-WA"]`) || city != "Seattle" || page.Has(".field-error") {
			t.Fatalf("no-script update: %d, city %q, errors %v", resp.StatusCode, city, page.Has(".field-error"))
		}
		resp = a.PostForm(t, c, "/profile", form)
		page = testutil.ParseHTML(t, apptest.Body(t, resp))
		if resp.StatusCode != http.StatusUnprocessableEntity || page.Has("#region-error") || page.TextOf("#region-hint") == "" {
			t.Fatalf("unseen region: %d, error %v, prompt %q", resp.StatusCode, page.Has("#region-error"), page.TextOf("#region-hint"))
		}
		form.Set("region_for", "US")
		form.Set("region", "US-WA")
		resp = a.PostForm(t, c, "/profile", form)
		if _ = apptest.Body(t, resp); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("save with the region: %d", resp.StatusCode)
		}
		page = testutil.ParseHTML(t, apptest.Body(t, a.Get(t, c, "/profile")))
		if !page.Has(`select#region option[value="US-WA"][selected]`) {
			t.Error("the region was not saved")
		}
	})
}
