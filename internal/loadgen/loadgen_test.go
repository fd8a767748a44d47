package loadgen_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"example.org/certportal/internal/calendar"
	"example.org/certportal/internal/credentials"
	"example.org/certportal/internal/credits"
	"example.org/certportal/internal/loadgen"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

var testNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// generate fills a fresh store of engine with n candidates.
func generate(t *testing.T, engine string, n int) (*store.Store, *credentials.Service, *loadgen.Report) {
	t.Helper()
	ctx := context.Background()
	clock := testutil.NewClock(testNow)
	st := testutil.MustOpenStore(t, engine, clock)
	svc := credentials.New(st, clock, slog.New(slog.DiscardHandler), credentials.Config{
		BaseURL: "https://certs.example.org", SecretKey: []byte("0123456789abcdef0123456789abcdef"), ProgramName: "Generated Program"})
	rep, err := loadgen.Generate(ctx, st, loadgen.Config{Candidates: n, Seed: 7, Credentials: svc, Batch: 700,
		PasswordHash: "$argon2id$v=19$m=65536,t=3,p=2$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"})
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	return st, svc, rep
}

// TestGeneratedProgramHoldsTheInvariants generates 2,000 candidates and
// checks that every rule of the invariant checker holds, that the counts
// are what a program of that size has, and that the generated state is
// one the services work on: the reaction to certification events finds
// nothing left to do, and the template credentials verify.
func TestGeneratedProgramHoldsTheInvariants(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		const n = 2000
		st, svc, rep := generate(t, engine, n)
		found, err := st.CheckInvariants(ctx)
		if err != nil {
			t.Fatalf("check invariants: %v", err)
		}
		for _, f := range found {
			t.Errorf("invariant: %s", f)
		}
		for _, c := range []struct {
			name     string
			got      int
			min, max int
		}{
			{"candidates", rep.Candidates, n, n},
			{"bookings", rep.Bookings, 3 * n, 3 * n},
			{"attempts", rep.Attempts, n * 14 / 10, n * 16 / 10},
			{"certifications", rep.Certifications, n, n},
			{"credentials", rep.Credentials, n, n},
			{"status-list entries", rep.StatusEntries, 2 * n, 2 * n},
			{"refunds", rep.Refunds, n / 5, n},
			{"candidates with a second factor", rep.WithMFA, 1, n / 50},
			{"events", rep.Events, n, 20 * n},
			{"audit rows", rep.Audit, 3 * n, 10 * n},
			{"template credentials", len(rep.Templates), 8, 8},
			{"reminders sent", rep.Reminders, n / 50, n / 2},
		} {
			if c.got < c.min || c.got > c.max {
				t.Errorf("%s: %d, want %d to %d", c.name, c.got, c.min, c.max)
			}
		}
		if got, err := st.CountUsers(ctx); err != nil || got != n+rep.Staff {
			t.Errorf("accounts in the database: %d (%v), want %d", got, err, n+rep.Staff)
		}
		handled, err := svc.React(ctx)
		if err != nil || handled != 0 {
			t.Errorf("React after generating handled %d events (%v), want 0", handled, err)
		}
		// The certificate check, which a program runs at issuance, has
		// nothing left either: its cursor is past the last credential.
		lastCredential, err := st.GetLastCredentialID(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := st.GetSetting(ctx, credentials.CertificateCheckCursorKey); err != nil || got != fmt.Sprint(lastCredential) {
			t.Errorf("certificate check cursor = %q (%v), want %d", got, err, lastCredential)
		}
		// Nor has the reminder sweep: every reminder that fell due was
		// sent when it did.
		cal := calendar.NewService(st)
		ce := credits.New(st, st.Clock(), slog.New(slog.DiscardHandler), credits.Config{BaseURL: "https://certs.example.org",
			Calendar: func(ctx context.Context) (credits.Calendar, error) { return cal.Calendar(ctx) }})
		if sent, err := ce.SendReminders(ctx); err != nil || sent != 0 {
			t.Errorf("SendReminders after generating sent %d (%v), want 0", sent, err)
		}
		unsigned, err := st.ListUnsignedCredentials(ctx, 0, 10)
		if err != nil || len(unsigned) != 0 {
			t.Errorf("unsigned credentials after generating: %d (%v), want 0", len(unsigned), err)
		}
		for _, id := range rep.Templates {
			doc, err := svc.Document(ctx, "192.0.2.1", id, credentials.FormJSONLD)
			if err != nil {
				t.Fatalf("template %s: %v", id, err)
			}
			res, err := svc.Verify(ctx, []byte(doc))
			if err != nil || !res.Verified {
				t.Errorf("template %s does not verify: %+v %v", id, res, err)
			}
		}
		v, err := svc.Lookup(ctx, "192.0.2.2", rep.Credential)
		if err != nil || v.Status != credentials.StatusActive && v.Status != credentials.StatusExpired || !v.Signed {
			t.Errorf("lookup of generated credential %s: %+v %v", rep.Credential, v, err)
		}
	})
}

// TestGenerationFollowsTheSeed generates twice with the same seed and
// compares what a candidate sees.
func TestGenerationFollowsTheSeed(t *testing.T) {
	ctx := context.Background()
	a, _, ra := generate(t, "sqlite", 300)
	b, _, rb := generate(t, "sqlite", 300)
	if ra.Candidate != rb.Candidate || ra.Credential != rb.Credential || ra.Bookings != rb.Bookings || ra.Refunds != rb.Refunds {
		t.Errorf("same seed, different programs: %+v and %+v", ra, rb)
	}
	ua, err := a.FindUserByEmail(ctx, ra.Candidate)
	if err != nil {
		t.Fatal(err)
	}
	ub, err := b.FindUserByEmail(ctx, rb.Candidate)
	if err != nil {
		t.Fatal(err)
	}
	if ua.LoginID != ub.LoginID || ua.FirstName != ub.FirstName || ua.LastName != ub.LastName {
		t.Errorf("same seed, different first candidate: %+v and %+v", ua, ub)
	}
}
