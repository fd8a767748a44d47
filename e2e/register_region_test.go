package e2e_test

import (
	"testing"

	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// TestRegionFieldFollowsTheCountry: on the registration form, choosing
// another country puts that country's states or regions in place (or
// takes the field away), with script from the portal only (the CSP allows
// no inline script), and the registration goes through in one submit.
func TestRegionFieldFollowsTheCountry(t *testing.T) {
	smtp := testutil.NewSMTPServer(t)
	a := apptest.Start(t, "sqlite", apptest.WithEnv("CERTPORTAL_SMTP_URL", smtp.URL()), apptest.WithEnv("CERTPORTAL_BASE_URL", identityBaseURL))
	testutil.ForEachViewport(t, func(t *testing.T, b *testutil.Browser) {
		b.Navigate(a.URL + "/register?country=ES")
		b.WaitPresent(`select#region option[value="ES-M"]`)

		b.Fill("#country", "GI") // no subdivisions
		b.WaitPresent(`#region-field input[name="region_for"][value=""]`)
		if b.HasElement("#region") {
			t.Fatal("a region field for a country without regions")
		}
		b.Fill("#country", "CA")
		b.WaitPresent(`select#region option[value="CA-QC"]`)
		if b.HasElement(`select#region option[value="ES-M"]`) {
			t.Fatal("the old country's regions stayed")
		}
		b.CheckAccessibility()
		screenshot(t, b, "register-canada")

		email := "region." + t.Name()[len(t.Name())-5:] + "@example.org"
		b.Fill("#first_name", "Claire")
		b.Fill("#last_name", "Tremblay")
		b.Fill("#email", email)
		b.Fill("#region", "CA-QC")
		b.Fill("#password", "Maple-Harbour-62")
		b.Fill("#language", "en")
		b.Submit(`form[action="/register"] button[type=submit]`)
		if got := b.Text("h1"); got != "Check your email" {
			t.Fatalf("after registering: h1 %q at %s (errors: %q)", got, b.URL(), b.Text("main"))
		}
	})
}
