package credentialtest

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// TestExpiringDocumentCertificate: an operator's certificate that expires
// within 30 days is announced in the log and on the credential officer's
// console; once
// it has expired, a document never made before is refused with a message
// to the holder, while one already made still downloads, the same bytes.
func TestExpiringDocumentCertificate(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a := apptest.Start(t, engine, apptest.WithArgs("--demo"))
		officer := demoOfficerRe.FindStringSubmatch(a.Stdout())
		if officer == nil {
			t.Fatalf("the demo printed no credential officer:\n%s", a.Stdout())
		}
		certPath, keyPath := writeOperatorFiles(t, t.TempDir(), "Program Documents", mustRSA(t, 3072),
			appNow.AddDate(0, -1, 0), appNow.Add(10*24*time.Hour))
		a.Env["CERTPORTAL_DOCUMENT_CERT"], a.Env["CERTPORTAL_DOCUMENT_KEY"] = certPath, keyPath
		// The daily job documents.key_expiry runs once a day: the first
		// start may have run today's already, so the restart comes on the
		// next day, whose run is still to come.
		a.Clock.Advance(24 * time.Hour)
		a.Restart(t)

		// The daily job documents.key_expiry runs at start (its day has
		// not run yet) and warns in the log.
		const warning = "the document-signing certificate expires soon"
		for deadline := time.Now().Add(60 * time.Second); !strings.Contains(a.Stderr(), warning); {
			if time.Now().After(deadline) {
				t.Fatalf("no %q in the log after the start:\n%s", warning, a.Stderr())
			}
			time.Sleep(200 * time.Millisecond)
		}

		oc, _ := a.SignIn(t, officer[1], officer[2])
		a.EnrolTOTP(t, oc, true)
		page := a.GetPage(t, oc, "/console/credentials", http.StatusOK)
		if got := page.TextOf("#document-signing-expiry"); !strings.Contains(got, "expires on") || !strings.Contains(got, "--document-cert") {
			t.Errorf("no expiry notice on the console: %q", got)
		}

		made, path := certificatePath(t, a, "certified-japanese")
		before := made.Get(path + ".pdf")
		if before.Status != http.StatusOK || !strings.HasPrefix(before.Body, "%PDF-") {
			t.Fatalf("GET %s.pdf before expiry = %d", path, before.Status)
		}

		a.Clock.Advance(11 * 24 * time.Hour)
		fresh, path2 := certificatePath(t, a, "certified-arabic")
		refused := fresh.Get(path2 + ".pdf")
		if refused.Status != http.StatusConflict || !strings.Contains(refused.Body, "This document cannot be made at the moment; the program has been told.") {
			t.Errorf("GET %s.pdf after expiry = %d, want 409 with the message:\n%.2000s", path2, refused.Status, refused.Body)
		}
		made, _ = certificatePath(t, a, "certified-japanese")
		if again := made.Get(path + ".pdf"); again.Status != http.StatusOK || again.Body != before.Body {
			t.Errorf("the certificate made before expiry: %d, same bytes %v", again.Status, again.Body == before.Body)
		}
	})
}
