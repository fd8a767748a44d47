package e2e_test

import (
	"os"
	"path/filepath"
	"testing"

	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// consoleCEAdminSteps walks the continuing-education configuration and the
// review page as the signed-in demo admin in b, whose pages are in lang:
// the catalogue, a type's form with its versions (sent once with a
// problem, shown next to the field), the requirements and one
// certification's form (an alternative added with its button and saved
// empty, refused next to its field), the options, the import, and a submission's
// review page with its assignment form. Every page passes the
// accessibility check at desktop and phone sizes (screenshots with
// CERTPORTAL_SCREENSHOTS).
func consoleCEAdminSteps(t *testing.T, a *apptest.App, b *testutil.Browser, lang string) {
	t.Helper()
	b.Navigate(a.URL + "/console/ce/catalogue")
	if !b.HasElement(`nav.main-nav a[href="/console/ce/catalogue"][aria-current="page"]`) {
		t.Errorf("%s: the catalogue is not the current navigation item", lang)
	}
	if !b.HasElement("#type-documentation_review") {
		t.Fatalf("%s: the catalogue lacks the documentation review: %s", lang, b.Text("main"))
	}
	checkPage(t, b, lang+"-ce-catalogue")
	fitsPhone(t, b, ".ce-admin-tabs a")

	follow(b, `#type-documentation_review a[href="/console/ce/catalogue/types/documentation_review"]`)
	if !b.HasElement(".ce-version") {
		t.Fatalf("%s: the type page lists no version at %s", lang, b.URL())
	}
	checkPage(t, b, lang+"-ce-type")
	b.Fill("#per_unit", "a quarter")
	b.Submit(`form.ce-type-form button[type=submit]`)
	if lang == "en" {
		checkFieldErrors(t, b, "per_unit")
	} else if b.Text("#per_unit-error") == "" || !b.HasElement(`.error-summary a[href="#per_unit"]`) {
		t.Errorf("%s: no error next to the credits per unit, or no link to it from the summary", lang)
	}
	checkPage(t, b, lang+"-ce-type-errors")

	b.Navigate(a.URL + "/console/ce/catalogue/new")
	checkPage(t, b, lang+"-ce-type-new")

	b.Navigate(a.URL + "/console/ce/catalogue/requirements")
	if !b.HasElement(".ce-requirements a") {
		t.Fatalf("%s: no certification on the requirements page: %s", lang, b.Text("main"))
	}
	checkPage(t, b, lang+"-ce-requirements")
	follow(b, ".ce-requirements tbody tr:first-child a")
	checkPage(t, b, lang+"-ce-requirement")
	fitsPhone(t, b, ".ce-group-row label")
	// An alternative added with its button, then saved empty: the
	// refusal is next to its exams.
	b.Submit(`button[name=op][value="add_alt:exam_pass"]`)
	if !b.HasElement("fieldset#a2 #a2c0_exams") {
		t.Fatalf("%s: no third alternative after adding one: %s", lang, b.Text("main"))
	}
	b.Submit(`form.ce-requirement-form > button.button`)
	if lang == "en" {
		checkFieldErrors(t, b, "a2c0_exams")
	} else if b.Text("#a2c0_exams-error") == "" || !b.HasElement(`.error-summary a[href="#a2c0_exams"]`) {
		t.Errorf("%s: no error next to the new alternative's exams, or no link to it from the summary", lang)
	}
	checkPage(t, b, lang+"-ce-requirement-errors")
	fitsPhone(t, b, ".ce-op")

	b.Navigate(a.URL + "/console/ce/catalogue/options")
	checkPage(t, b, lang+"-ce-options")

	b.Navigate(a.URL + "/console/ce/catalogue/import")
	checkPage(t, b, lang+"-ce-import")
	file := filepath.Join(t.TempDir(), "catalogue.json")
	if err := os.WriteFile(file, []byte(`{"format": "certportal.ce-catalogue/1", "types": [{"code": "mentoring", "group": "other",
		"texts": {"en": {"name": "Mentoring"}}, "rule": "fixed", "min_credits": 3, "min_evidence": 1, "counts_for": "all",
		"deadline_days": 365}, {"code": "teaching_course", "group": "other", "texts": {"en": {"name": "Teaching a course"}},
		"rule": "range", "min_credits": 50, "max_credits": 90, "min_evidence": 1, "counts_for": "all", "deadline_days": 365}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	b.Upload("#file", file)
	b.Submit(`form[action="/console/ce/catalogue/import"] button[type=submit]`)
	if !b.HasElement(".ce-added") || !b.HasElement(".ce-changes") {
		t.Fatalf("%s: no preview of the import: %s", lang, b.Text("main"))
	}
	checkPage(t, b, lang+"-ce-import-preview")

	b.Navigate(a.URL + "/console/ce")
	if !b.HasElement(".ce-queue .ce-candidate") {
		t.Fatalf("%s: the queue names no candidate: %s", lang, b.Text("main"))
	}
	checkPage(t, b, lang+"-ce-queue")
	follow(b, ".ce-queue tbody tr:first-child a")
	if !b.HasElement("form[action$='/assign'] select#reviewer") {
		t.Errorf("%s: the review page has no assignment form", lang)
	}
	checkPage(t, b, lang+"-ce-review")

	// The demo's renewal flag: the list, the flag's page and its resolve
	// form sent empty, refused next to each field.
	b.Navigate(a.URL + "/console/ce/flags")
	if !b.HasElement(`nav.main-nav a[href="/console/ce/flags"][aria-current="page"]`) {
		t.Errorf("%s: the renewal flags are not the current navigation item", lang)
	}
	if !b.HasElement(".ce-flags .ce-flag-row") {
		t.Fatalf("%s: no renewal flag listed: %s", lang, b.Text("main"))
	}
	checkPage(t, b, lang+"-ce-flags")
	follow(b, ".ce-flags tbody tr:first-child a")
	if !b.HasElement("form[action$='/resolve'] #outcome") {
		t.Fatalf("%s: the flag's page has no resolve form: %s", lang, b.Text("main"))
	}
	checkPage(t, b, lang+"-ce-flag")
	b.Submit(`form[action$='/resolve'] button[type=submit]`)
	if lang == "en" {
		checkFieldErrors(t, b, "outcome", "note")
	} else if b.Text("#note-error") == "" || !b.HasElement(`.error-summary a[href="#outcome"]`) {
		t.Errorf("%s: no error next to the note, or no link to the outcome from the summary", lang)
	}
	checkPage(t, b, lang+"-ce-flag-errors")
}

// TestConsoleCEAdmin: the demo admin works the continuing-education
// configuration pages in English, then in Spanish chosen on the profile.
// It tests pages (layout, accessibility, messages by their fields) and runs
// on SQLite only; consoletest drives the same routes on both engines.
func TestConsoleCEAdmin(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		a := apptest.Start(t, "sqlite", apptest.WithArgs("--demo"))
		b := testutil.NewBrowser(t)
		signInAsDemoStaff(t, a, b, "admin")
		consoleCEAdminSteps(t, a, b, "en")

		b.Navigate(a.URL + "/profile")
		b.Fill("#country", "ES")
		b.Fill("#region", "ES-M")
		b.Fill("#language", "es")
		b.Submit(`form.profile-form > button.button`)
		if b.HasElement(".error-summary") || b.HasElement(".field-error") {
			t.Fatalf("the profile refused the language: %s", b.Text("main"))
		}
		b.Navigate(a.URL + "/console/ce/catalogue")
		if got := b.Text("h1"); got != "Catálogo de formación continua" {
			t.Errorf("the Spanish catalogue's heading = %q", got)
		}
		consoleCEAdminSteps(t, a, b, "es")
	})
}
