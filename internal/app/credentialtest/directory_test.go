package credentialtest

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// noindexMeta is what asks search engines to leave a page out.
const noindexMeta = `meta[name="robots"][content="noindex"]`

// TestHolderIsMailedWhenEachCredentialIsIssued: each demo holder
// receives, over SMTP, one "credential is ready" mail per credential, with
// its ID, its verification URL and a link to the Certifications page.
func TestHolderIsMailedWhenEachCredentialIsIssued(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, smtp := apptest.StartWithMail(t, engine, apptest.WithArgs("--demo"))
		ids := printedIDs(t, a)
		holder := demoCertifiedRe.FindStringSubmatch(a.Stdout())
		apptest.MailTo(t, smtp, holder[1], "Your credential is ready")
		// The mails of the demo's other holders leave in the same run of
		// the queue; give them the same time.
		issueMails := func(id string) []testutil.ReceivedMail {
			var out []testutil.ReceivedMail
			for _, m := range smtp.Messages() {
				if strings.Contains(m.Subject, "Your credential is ready") && strings.Contains(m.Text, portal.CredentialID(id).String()) {
					out = append(out, m)
				}
			}
			return out
		}
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if !slices.ContainsFunc(ids, func(id string) bool { return len(issueMails(id)) == 0 }) {
				break
			}
		}
		for _, id := range ids {
			mails := issueMails(id)
			if len(mails) != 1 {
				t.Errorf("%d issue mails for %s, want 1", len(mails), id)
			}
			for _, m := range mails {
				for _, want := range []string{"http://portal.example.test/credentials/" + id, "http://portal.example.test/certifications"} {
					if !strings.Contains(m.Text, want) || !strings.Contains(m.HTML, `href="`+want+`"`) {
						t.Errorf("the mail of %s lacks %s:\n%s", id, want, m.Text)
					}
				}
			}
		}
	})
}

// TestDirectoryOptInOnThePagesAndTheAPI: the holder's credentials are not
// in the directory and their page asks not to be indexed until the holder
// joins from the Certifications page; then the directory (searchable by
// code and name, showing no email or login ID) links the page, which may
// be indexed; leaving through the API takes both back at once. Nobody
// else may choose for the holder.
func TestDirectoryOptInOnThePagesAndTheAPI(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, holderEmail, hc, oc := demoHolders(t, engine)
		id := printedIDs(t, a)[0]
		visitor := a.Client()

		certs := a.GetPage(t, hc, "/certifications", http.StatusOK)
		joins := certs.Find("form.directory-join")
		if len(joins) < 2 || certs.Has("form.directory-leave") {
			t.Fatalf("%d join forms and leave forms %v on the Certifications page, want a join form per credential",
				len(joins), certs.Has("form.directory-leave"))
		}
		page := a.GetPage(t, visitor, "/credentials/"+id, http.StatusOK)
		if !page.Has(noindexMeta) {
			t.Error("an unlisted credential's page may be indexed")
		}
		code := page.TextOf(".credential-certification code")

		// Which join form is this credential's: the one whose card links
		// its page.
		var action string
		for _, card := range certs.Find("li.cert") {
			if card.Has(`a[href="/credentials/` + id + `"]`) {
				action = card.AttrOf("form.directory-join", "action")
			}
		}
		ucID := regexp.MustCompile(`^/certifications/(\d+)/directory/join$`).FindStringSubmatch(action)
		if ucID == nil {
			t.Fatalf("no join form for %s (%q)", id, action)
		}
		if status, _, _ := a.PostPage(t, oc, action, url.Values{}); status != http.StatusNotFound {
			t.Errorf("another candidate joins for the holder: %d, want 404", status)
		}
		if r := a.API(t, oc, http.MethodPut, "/api/v1/me/certifications/"+ucID[1]+"/directory", ""); r.Status != http.StatusNotFound {
			t.Errorf("another candidate's PUT: %d, want 404", r.Status)
		}
		if r := a.API(t, visitor, http.MethodPut, "/api/v1/me/certifications/"+ucID[1]+"/directory", ""); r.Status != http.StatusUnauthorized {
			t.Errorf("a visitor's PUT: %d, want 401", r.Status)
		}
		if dir := a.GetPage(t, visitor, "/credentials/directory", http.StatusOK); dir.Has("tr.directory-entry") {
			t.Fatal("the directory lists someone nobody listed")
		}

		status, loc, _ := a.PostPage(t, hc, action, url.Values{})
		if status != http.StatusSeeOther || loc != "/certifications?notice=directory_joined#cert-"+ucID[1] {
			t.Fatalf("join: %d to %q", status, loc)
		}
		certs = a.GetPage(t, hc, "/certifications", http.StatusOK)
		if !certs.Has(`form.directory-leave[action="/certifications/` + ucID[1] + `/directory/leave"]`) {
			t.Error("the Certifications page does not offer to leave")
		}
		if a.GetPage(t, visitor, "/credentials/"+id, http.StatusOK).Has(noindexMeta) {
			t.Error("a listed credential's page still asks not to be indexed")
		}
		resp := a.Get(t, visitor, "/credentials/directory")
		body := apptest.Body(t, resp)
		dir := testutil.ParseHTML(t, body)
		rows := dir.Find("tr.directory-entry")
		if len(rows) != 1 || rows[0].TextOf(".directory-holder") != "Noor Haddad" ||
			rows[0].AttrOf("a.directory-link", "href") != "/credentials/"+id || !strings.Contains(rows[0].TextOf(".directory-certification"), code) {
			t.Fatalf("directory rows: %d\n%s", len(rows), body)
		}
		u, err := a.OpenStore(t).FindUserByEmail(t.Context(), holderEmail)
		if err != nil {
			t.Fatal(err)
		}
		for _, leak := range []string{holderEmail, u.LoginID} {
			if strings.Contains(body, leak) {
				t.Errorf("the directory shows %q", leak)
			}
		}
		for q, want := range map[string]int{
			"?code=" + strings.ToLower(code):        1,
			"?code=NOPE":                            0,
			"?name=haddad":                          1,
			"?name=jordan":                          0,
			"?code=" + code + "&name=noor&page=2":   0,
			"?code=" + code + "&name=noor&page=abc": 1,
		} {
			if got := a.GetPage(t, visitor, "/credentials/directory"+q, http.StatusOK).Count("tr.directory-entry"); got != want {
				t.Errorf("directory%s: %d rows, want %d", q, got, want)
			}
		}
		long := a.GetPage(t, visitor, "/credentials/directory?name="+strings.Repeat("n", 101), http.StatusUnprocessableEntity)
		if long.TextOf("#name-error") != "Write at most 100 characters." {
			t.Errorf("a too long name: %q next to the field", long.TextOf("#name-error"))
		}

		r := a.API(t, hc, http.MethodDelete, "/api/v1/me/certifications/"+ucID[1]+"/directory", "")
		apptest.WantStatus(t, r, http.StatusOK)
		if r.JSON["listed"] != false {
			t.Errorf("DELETE answered %s", r.Raw)
		}
		if a.GetPage(t, visitor, "/credentials/directory", http.StatusOK).Has("tr.directory-entry") {
			t.Error("the directory still lists the holder after leaving")
		}
		if !a.GetPage(t, visitor, "/credentials/"+id, http.StatusOK).Has(noindexMeta) {
			t.Error("the page may still be indexed after leaving")
		}
		for range 2 {
			r = a.API(t, hc, http.MethodPut, "/api/v1/me/certifications/"+ucID[1]+"/directory", "")
			apptest.WantStatus(t, r, http.StatusOK)
		}
		if got := a.GetPage(t, visitor, "/credentials/directory", http.StatusOK).Count("tr.directory-entry"); got != 1 {
			t.Errorf("after two PUTs: %d rows, want 1", got)
		}
	})
}

// TestUnknownCredentialPage: an ID no credential has gets a 404 page
// saying so, with the lookup form holding the ID, not to be indexed; the
// badge and document routes of such an ID are 404s.
func TestUnknownCredentialPage(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a := apptest.Start(t, engine, apptest.WithArgs("--demo"))
		printedIDs(t, a)
		unknown, err := portal.NewCredentialID()
		if err != nil {
			t.Fatal(err)
		}
		c := a.Client()
		doc := a.GetPage(t, c, "/credentials/"+string(unknown), http.StatusNotFound)
		if !doc.Has(".credential-unknown") || doc.AttrOf(`input[name="id"]`, "value") != unknown.String() || !doc.Has(noindexMeta) {
			t.Error("the unknown ID's page lacks the message, the form with the ID or noindex")
		}
		if doc.Has(".credential-holder") {
			t.Error("the unknown ID's page shows a holder")
		}
		for _, suffix := range []string{"/badge.png", "/badge.svg", "/credential.json", "/credential.jwt"} {
			if resp := a.Get(t, c, "/credentials/"+string(unknown)+suffix); resp.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s of an unknown ID: %d, want 404", suffix, resp.StatusCode)
			}
		}
	})
}

// TestLinkedInOrganizationIDSetting: an admin sets the program's LinkedIn
// organization ID in the console settings (digits only, refused next to
// the field otherwise); the holder's Add-to-Profile link then names the
// organization by that ID instead of its name.
func TestLinkedInOrganizationIDSetting(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a := apptest.Start(t, engine, apptest.WithArgs("--demo"))
		admin := apptest.DemoAdminRe.FindStringSubmatch(a.Stdout())
		holder := demoCertifiedRe.FindStringSubmatch(a.Stdout())
		ac, _ := a.SignIn(t, admin[1], admin[2])
		a.EnrolTOTP(t, ac, true)
		hc, _ := a.SignIn(t, holder[1], holder[2])
		linkedIn := func() url.Values {
			t.Helper()
			href := a.GetPage(t, hc, "/certifications", http.StatusOK).AttrOf("a.cert-linkedin", "href")
			u, err := url.Parse(href)
			if err != nil || href == "" {
				t.Fatalf("LinkedIn link %q: %v", href, err)
			}
			return u.Query()
		}
		if q := linkedIn(); q.Get("organizationName") == "" || q.Has("organizationId") {
			t.Errorf("before the setting: %v", q)
		}
		form := url.Values{"support_email": {"help@example.org"}, "paper_size": {"A4"}, "linkedin_organization_id": {"acme-42"}}
		status, _, bad := a.PostPage(t, ac, "/console/settings", form)
		if status != http.StatusUnprocessableEntity || !strings.Contains(bad.TextOf("#linkedin_organization_id-error"), "digits only") {
			t.Errorf("a bad organization ID: %d, %q next to the field", status, bad.TextOf("#linkedin_organization_id-error"))
		}
		form.Set("linkedin_organization_id", "2414183")
		if status, loc, _ := a.PostPage(t, ac, "/console/settings", form); status != http.StatusSeeOther || loc != "/console/settings?notice=settings_saved" {
			t.Fatalf("save: %d to %q", status, loc)
		}
		if got := a.GetPage(t, ac, "/console/settings", http.StatusOK).AttrOf("#linkedin_organization_id", "value"); got != "2414183" {
			t.Errorf("the form shows %q", got)
		}
		if q := linkedIn(); q.Get("organizationId") != "2414183" || q.Has("organizationName") {
			t.Errorf("after the setting: %v", q)
		}
	})
}
