package credentials_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/credentials"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
)

// listed returns the public IDs the directory shows for q.
func (f *fixture) listed(q credentials.DirectoryQuery) []portal.CredentialID {
	f.t.Helper()
	res, err := f.svc.Directory(f.ctx, q)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []portal.CredentialID
	for _, e := range res.Entries {
		out = append(out, e.CredentialID)
	}
	return out
}

// indexable reports whether the credential's verification page may be
// indexed.
func (f *fixture) indexable(c *portal.Credential) bool {
	f.t.Helper()
	v, err := f.svc.Lookup(f.ctx, "192.0.2.50", c.CredentialID)
	if err != nil {
		f.t.Fatal(err)
	}
	return v.Listed
}

// TestDirectoryIsOptInAndLeavingIsImmediate: nobody is listed by default
// and pages are not indexable; the holder joins (audited with before and
// after, once however often) and the directory shows the legal name,
// certification and day with the ID, and the page becomes indexable;
// leaving removes both at once.
func TestDirectoryIsOptInAndLeavingIsImmediate(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		uc := f.earned()
		f.react()
		c := f.credentialsOf(uc)[0]
		if got := f.listed(credentials.DirectoryQuery{}); len(got) != 0 || f.indexable(c) {
			t.Fatalf("listed by default: %v, indexable %v", got, f.indexable(c))
		}
		for range 2 {
			if err := f.svc.JoinDirectory(f.ctx, holder(uc), uc.ID); err != nil {
				t.Fatal(err)
			}
		}
		res, err := f.svc.Directory(f.ctx, credentials.DirectoryQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != 1 || len(res.Entries) != 1 {
			t.Fatalf("directory %+v, want the one credential", res)
		}
		e := res.Entries[0]
		if e.CredentialID != c.CredentialID || e.FirstName != "Casey" || !strings.HasPrefix(e.LastName, "Person") ||
			e.CertificationCode != "SAA" || e.CertificationName != f.cert.Name || e.IssuedOn != uc.IssuedOn {
			t.Errorf("entry %+v", e)
		}
		if !f.indexable(c) {
			t.Error("a listed credential's page is not indexable")
		}
		if n := f.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'credential.directory_joined' AND subject = ?
			AND changes LIKE '%directory_listed%'`, fmt.Sprintf("user_certification:%d", uc.ID)); n != 1 {
			t.Errorf("%d join audit entries with the change, want 1", n)
		}

		if err := f.svc.LeaveDirectory(f.ctx, holder(uc), uc.ID); err != nil {
			t.Fatal(err)
		}
		if got := f.listed(credentials.DirectoryQuery{}); len(got) != 0 || f.indexable(c) {
			t.Errorf("after leaving: listed %v, indexable %v", got, f.indexable(c))
		}
		if n := f.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'credential.directory_left'`); n != 1 {
			t.Errorf("%d leave audit entries, want 1", n)
		}
	})
}

// TestOnlyTheHolderChoosesTheDirectory: another candidate and staff get
// not found, a visitor unauthorized; nothing changes.
func TestOnlyTheHolderChoosesTheDirectory(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		uc, other := f.earned(), f.earned()
		f.react()
		for name, a := range map[string]portal.Actor{
			"another candidate": holder(other),
			"an admin":          testutil.StaffActor(9001, f.clock.Now(), portal.SetAdmin),
		} {
			if err := f.svc.JoinDirectory(f.ctx, a, uc.ID); !errors.Is(err, portal.ErrNotFound) {
				t.Errorf("%s joins: %v, want not found", name, err)
			}
		}
		if err := f.svc.JoinDirectory(f.ctx, portal.Actor{}, uc.ID); !errors.Is(err, portal.ErrUnauthorized) {
			t.Errorf("a visitor joins: %v, want unauthorized", err)
		}
		if got := f.listed(credentials.DirectoryQuery{}); len(got) != 0 {
			t.Errorf("listed after refused joins: %v", got)
		}
		if err := f.svc.JoinDirectory(f.ctx, holder(uc), uc.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.LeaveDirectory(f.ctx, holder(other), uc.ID); !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("another candidate removes the listing: %v", err)
		}
		if got := f.listed(credentials.DirectoryQuery{}); len(got) != 1 {
			t.Errorf("a refused leave changed the directory: %v", got)
		}
	})
}

// TestDirectoryShowsOnlyValidCredentials: a credential not signed yet
// cannot be listed; a listed one disappears (and its page stops being
// indexable) while suspended, for good when revoked, and when it expires.
func TestDirectoryShowsOnlyValidCredentials(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		pending := f.earned()
		f.issue(pending)
		err := f.svc.JoinDirectory(f.ctx, holder(pending), pending.ID)
		var pe *portal.Error
		if !errors.As(err, &pe) || pe.Code != portal.EConflict || pe.Message != "credentials.directory.error.not_listable" {
			t.Errorf("joining with an unsigned credential: %v, want not listable", err)
		}

		suspended, revoked := f.earned(), f.earned()
		f.react()
		for _, uc := range []*portal.UserCertification{pending, suspended, revoked} {
			if err := f.svc.JoinDirectory(f.ctx, holder(uc), uc.ID); err != nil {
				t.Fatal(err)
			}
		}
		if got := f.listed(credentials.DirectoryQuery{}); len(got) != 3 {
			t.Fatalf("listed %v, want 3", got)
		}
		sc, rc := f.credentialsOf(suspended)[0], f.credentialsOf(revoked)[0]
		if err := f.svc.Suspend(f.ctx, f.officer(), sc.ID, ""); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Revoke(f.ctx, f.officer(), rc.ID, portal.RevokeMisconduct, ""); err != nil {
			t.Fatal(err)
		}
		got := f.listed(credentials.DirectoryQuery{})
		if len(got) != 1 || got[0] != f.credentialsOf(pending)[0].CredentialID {
			t.Errorf("listed %v, want only the valid credential", got)
		}
		if f.indexable(sc) || f.indexable(rc) {
			t.Error("a suspended or revoked credential's page is indexable")
		}
		if err := f.svc.Lift(f.ctx, f.officer(), sc.ID); err != nil {
			t.Fatal(err)
		}
		if got := f.listed(credentials.DirectoryQuery{}); len(got) != 2 {
			t.Errorf("after lifting the suspension: listed %v, want 2", got)
		}
		if err := f.svc.JoinDirectory(f.ctx, holder(revoked), revoked.ID); err == nil {
			t.Error("a revoked credential's holder joined again")
		}
		f.clock.Set(pending.ExpiresAt.Add(time.Second))
		if got := f.listed(credentials.DirectoryQuery{}); len(got) != 0 {
			t.Errorf("after expiry: listed %v", got)
		}
	})
}

// TestDirectorySearchAndPages: the code matches in any case, the name by
// any part in any case; pages hold DirectoryPageSize entries; search texts
// that are too long are reported on their field.
func TestDirectorySearchAndPages(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		n := credentials.DirectoryPageSize + 3
		var ucs []*portal.UserCertification
		for range n {
			ucs = append(ucs, f.earned())
		}
		f.react()
		for _, uc := range ucs {
			if err := f.svc.JoinDirectory(f.ctx, holder(uc), uc.ID); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range []struct {
			q    credentials.DirectoryQuery
			want int
		}{
			{credentials.DirectoryQuery{Code: "saa"}, credentials.DirectoryPageSize},
			{credentials.DirectoryQuery{Code: "saa", Page: 2}, 3},
			{credentials.DirectoryQuery{Code: "SAA", Page: 3}, 0},
			{credentials.DirectoryQuery{Code: "XYZ"}, 0},
			{credentials.DirectoryQuery{Name: "casey person1"}, 11}, // Person1, Person10..Person19
			{credentials.DirectoryQuery{Name: "PERSON23"}, 1},
			{credentials.DirectoryQuery{Name: "%"}, 0},
		} {
			res, err := f.svc.Directory(f.ctx, c.q)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Entries) != c.want {
				t.Errorf("%+v: %d entries, want %d", c.q, len(res.Entries), c.want)
			}
			if c.q.Code != "" && c.q.Code != "XYZ" && (res.Total != n || res.Pages != 2) {
				t.Errorf("%+v: total %d in %d pages, want %d in 2", c.q, res.Total, res.Pages, n)
			}
		}
		_, err := f.svc.Directory(f.ctx, credentials.DirectoryQuery{Code: strings.Repeat("C", 41), Name: strings.Repeat("n", 101)})
		got := testutil.FieldErrors(t, err)
		if got[credentials.FieldDirectoryCode] == "" || got[credentials.FieldDirectoryName] == "" {
			t.Errorf("too long: %v", got)
		}
	})
}
