package program_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/program"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

var (
	proved    = time.Date(2026, 11, 23, 8, 50, 0, 0, time.UTC)
	admin     = testutil.StaffActor(1, proved, portal.SetAdmin)
	scheduler = testutil.StaffActor(2, proved, portal.SetScheduler, portal.SetSupport)
	candidate = testutil.CandidateActor(3, proved)
	// adminNoMFA holds the admin set but has no second factor.
	adminNoMFA = portal.Actor{UserID: 4, Role: portal.RoleStaff, Permissions: portal.SetAdmin.Permissions(), PasswordAt: proved}
)

var flags = program.Defaults{SupportEmail: "flags@example.org", SupportURL: "https://flags.example.org/help"}

type fixture struct {
	ctx   context.Context
	clock *testutil.Clock
	st    *store.Store
	svc   *program.Service
}

func newFixture(t *testing.T, engine string) *fixture {
	t.Helper()
	clock := testutil.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	st := testutil.MustOpenStore(t, engine, clock)
	return &fixture{ctx: context.Background(), clock: clock, st: st, svc: program.New(st, clock, flags)}
}

// audit lists the "program." audit rows, oldest first.
func (f *fixture) audit(t *testing.T) []*portal.AuditEvent {
	t.Helper()
	events, _, err := f.st.ListAudit(f.ctx, portal.AuditFilter{Action: "program."})
	if err != nil {
		t.Fatal(err)
	}
	for i, j := 0, len(events)-1; i < j; i, j = i+1, j-1 {
		events[i], events[j] = events[j], events[i]
	}
	return events
}

func (f *fixture) mustSettings(t *testing.T) program.Settings {
	t.Helper()
	set, err := f.svc.Settings(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// pngImage encodes a w×h image with a colour gradient.
func pngImage(t *testing.T, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, gradient(w, h)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gradient(w, h int) image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.NRGBA{R: uint8(x * 7), G: uint8(y * 13), B: 200, A: 255})
		}
	}
	return img
}

// withPNGText puts a tEXt chunk right after a PNG's IHDR chunk.
func withPNGText(t *testing.T, p []byte, key, value string) []byte {
	t.Helper()
	const ihdrEnd = 8 + 4 + 4 + 13 + 4
	data := []byte(key + "\x00" + value)
	var chunk bytes.Buffer
	_ = binary.Write(&chunk, binary.BigEndian, uint32(len(data)))
	chunk.WriteString("tEXt")
	chunk.Write(data)
	_ = binary.Write(&chunk, binary.BigEndian, crc32.ChecksumIEEE(append([]byte("tEXt"), data...)))
	out := append([]byte{}, p[:ihdrEnd]...)
	out = append(out, chunk.Bytes()...)
	return append(out, p[ihdrEnd:]...)
}

// jpegWithMetadata encodes a JPEG carrying an EXIF segment and a comment.
func jpegWithMetadata(t *testing.T, w, h int, secret string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, gradient(w, h), &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	seg := func(marker byte, payload string) []byte {
		out := []byte{0xff, marker, 0, 0}
		binary.BigEndian.PutUint16(out[2:], uint16(len(payload)+2))
		return append(out, payload...)
	}
	b := buf.Bytes()
	out := append([]byte{}, b[:2]...) // SOI
	out = append(out, seg(0xe1, "Exif\x00\x00"+secret)...)
	out = append(out, seg(0xfe, secret)...)
	return append(out, b[2:]...)
}

func fieldsOf(err error) []string {
	var pe *portal.Error
	if !errors.As(err, &pe) || pe.Code != portal.EInvalid {
		return nil
	}
	var out []string
	for _, f := range pe.Fields {
		out = append(out, f.Field+":"+f.Message)
	}
	return out
}

// TestOnlyTheSettingsPermissionChangesSettings: a visitor, a candidate,
// staff without settings.manage and an admin without a second factor are
// refused every change and the form; nothing is written. Everyone reads
// the settings.
func TestOnlyTheSettingsPermissionChangesSettings(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		logo := pngImage(t, 8, 8)
		for _, tc := range []struct {
			name  string
			actor portal.Actor
			want  error
		}{
			{"visitor", portal.Actor{}, portal.ErrUnauthorized},
			{"candidate", candidate, portal.ErrForbidden},
			{"scheduler and support", scheduler, portal.ErrForbidden},
			{"admin without a second factor", adminNoMFA, portal.ErrSecondFactorRequired},
		} {
			t.Run(tc.name, func(t *testing.T) {
				calls := map[string]error{}
				_, calls["manage"] = f.svc.Manage(f.ctx, tc.actor)
				_, calls["update"] = f.svc.Update(f.ctx, tc.actor, program.Update{SupportEmail: "x@example.org", PaperSize: program.PaperLetter})
				_, calls["set logo"] = f.svc.SetLogo(f.ctx, tc.actor, bytes.NewReader(logo))
				_, calls["remove logo"] = f.svc.RemoveLogo(f.ctx, tc.actor)
				calls["may manage"] = f.svc.MayManage(tc.actor)
				for name, err := range calls {
					if !errors.Is(err, tc.want) {
						t.Errorf("%s: %v, want %v", name, err, tc.want)
					}
				}
				if set := f.mustSettings(t); set.SupportEmail != flags.SupportEmail || set.PaperSize != program.PaperA4 || set.HasLogo() {
					t.Errorf("settings changed: %+v", set)
				}
			})
		}
		if _, err := f.st.GetSetting(f.ctx, "program"); !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("a refused change wrote the settings row: %v", err)
		}
		if a := f.audit(t); len(a) != 0 {
			t.Errorf("refused changes were audited: %d rows", len(a))
		}
		if _, err := f.svc.Manage(f.ctx, admin); err != nil {
			t.Errorf("admin: %v", err)
		}
		if _, err := f.svc.Update(f.ctx, portal.SystemActor("job"), program.Update{PaperSize: program.PaperA4}); err != nil {
			t.Errorf("system: %v", err)
		}
	})
}

// TestUpdateValidatesEveryField: bad addresses, non-web URLs and unknown
// paper sizes are field errors and nothing is saved.
func TestUpdateValidatesEveryField(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		for _, tc := range []struct {
			name string
			u    program.Update
			want []string
		}{
			{"not an address", program.Update{SupportEmail: "support", PaperSize: "A4"}, []string{"support_email:program.error.support_email"}},
			{"address with a name", program.Update{SupportEmail: "Help <h@example.org>", PaperSize: "A4"}, []string{"support_email:program.error.support_email"}},
			{"address with a newline", program.Update{SupportEmail: "h@example.org\nBcc: x@example.org", PaperSize: "A4"}, []string{"support_email:program.error.support_email"}},
			{"javascript url", program.Update{SupportURL: "javascript:alert(1)", PaperSize: "A4"}, []string{"support_url:program.error.support_url"}},
			{"ftp url", program.Update{SupportURL: "ftp://example.org/", PaperSize: "A4"}, []string{"support_url:program.error.support_url"}},
			{"relative url", program.Update{SupportURL: "/help", PaperSize: "A4"}, []string{"support_url:program.error.support_url"}},
			{"url without host", program.Update{SupportURL: "https:///help", PaperSize: "A4"}, []string{"support_url:program.error.support_url"}},
			{"url with credentials", program.Update{SupportURL: "https://user:pw@example.org/", PaperSize: "A4"}, []string{"support_url:program.error.support_url"}},
			{"url with a space", program.Update{SupportURL: "https://example.org/a b", PaperSize: "A4"}, []string{"support_url:program.error.support_url"}},
			{"url too long", program.Update{SupportURL: "https://example.org/" + strings.Repeat("a", program.MaxSupportURL), PaperSize: "A4"}, []string{"support_url:program.error.support_url"}},
			{"unknown paper", program.Update{PaperSize: "Legal"}, []string{"paper_size:program.error.paper_size"}},
			{"no paper", program.Update{}, []string{"paper_size:program.error.paper_size"}},
			{"organization ID with letters", program.Update{PaperSize: "A4", LinkedInOrganizationID: "12a45"}, []string{"linkedin_organization_id:program.error.linkedin_organization_id"}},
			{"organization ID as a name", program.Update{PaperSize: "A4", LinkedInOrganizationID: "Example Co"}, []string{"linkedin_organization_id:program.error.linkedin_organization_id"}},
			{"organization ID with a sign", program.Update{PaperSize: "A4", LinkedInOrganizationID: "-12345"}, []string{"linkedin_organization_id:program.error.linkedin_organization_id"}},
			{"organization ID zero", program.Update{PaperSize: "A4", LinkedInOrganizationID: "000"}, []string{"linkedin_organization_id:program.error.linkedin_organization_id"}},
			{"organization ID too long", program.Update{PaperSize: "A4", LinkedInOrganizationID: strings.Repeat("9", program.MaxLinkedInOrganizationID+1)}, []string{"linkedin_organization_id:program.error.linkedin_organization_id"}},
			{"organization ID in other digits", program.Update{PaperSize: "A4", LinkedInOrganizationID: "١٢٣"}, []string{"linkedin_organization_id:program.error.linkedin_organization_id"}},
			{"everything wrong", program.Update{SupportEmail: "@", SupportURL: "mailto:a@example.org", PaperSize: "a4"},
				[]string{"support_email:program.error.support_email", "support_url:program.error.support_url", "paper_size:program.error.paper_size"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := f.svc.Update(f.ctx, admin, tc.u)
				if got := fieldsOf(err); strings.Join(got, " ") != strings.Join(tc.want, " ") {
					t.Errorf("fields %q (err %v), want %q", got, err, tc.want)
				}
			})
		}
		if set := f.mustSettings(t); !set.SupportFromConfig || set.SupportEmail != flags.SupportEmail {
			t.Errorf("an invalid update was saved: %+v", set)
		}
		if a := f.audit(t); len(a) != 0 {
			t.Errorf("invalid updates were audited: %d rows", len(a))
		}
	})
}

// TestSettingsRoundTrip: the flags' support contact applies until an admin
// saves one (even an empty one); the change is audited with before and
// after, shows at once on this instance and within CacheFor on another;
// saving the same values again writes nothing.
func TestSettingsRoundTrip(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		other := program.New(f.st, f.clock, flags) // a second instance on the same database
		set := f.mustSettings(t)
		if want := (program.Settings{SupportEmail: flags.SupportEmail, SupportURL: flags.SupportURL, SupportFromConfig: true,
			PaperSize: program.PaperA4}); set != want {
			t.Fatalf("defaults = %+v, want %+v", set, want)
		}
		if _, err := other.Settings(f.ctx); err != nil {
			t.Fatal(err)
		}

		got, err := f.svc.Update(f.ctx, admin, program.Update{SupportEmail: " Help@Example.ORG ",
			SupportURL: " https://help.example.org/contact ", PaperSize: program.PaperLetter})
		if err != nil {
			t.Fatal(err)
		}
		want := program.Settings{SupportEmail: "help@example.org", SupportURL: "https://help.example.org/contact", PaperSize: program.PaperLetter}
		if got != want {
			t.Errorf("update returned %+v, want %+v", got, want)
		}
		if set := f.mustSettings(t); set != want {
			t.Errorf("this instance reads %+v, want %+v", set, want)
		}
		f.clock.Advance(program.CacheFor)
		if set, err := other.Settings(f.ctx); err != nil || set != want {
			t.Errorf("another instance after %s reads %+v (%v), want %+v", program.CacheFor, set, err, want)
		}
		if set, err := program.New(f.st, f.clock, program.Defaults{}).Settings(f.ctx); err != nil || set != want {
			t.Errorf("a restarted instance with other flags reads %+v (%v)", set, err)
		}

		a := f.audit(t)
		if len(a) != 1 || a[0].Action != "program.settings_changed" || a[0].ActorID != admin.UserID || a[0].Subject != "program" ||
			a[0].RequestID != admin.RequestID {
			t.Fatalf("audit = %+v", a)
		}
		wantChanges := []portal.FieldChange{
			{Field: "support_email", Before: "flags@example.org", After: "help@example.org"},
			{Field: "support_url", Before: "https://flags.example.org/help", After: "https://help.example.org/contact"},
			{Field: "support_from_config", Before: "true", After: "false"},
			{Field: "paper_size", Before: "A4", After: "Letter"},
		}
		if !slices.Equal(a[0].Changes, wantChanges) {
			t.Errorf("audit changes = %+v, want %+v", a[0].Changes, wantChanges)
		}

		if _, err := f.svc.Update(f.ctx, admin, program.Update{SupportEmail: "help@example.org",
			SupportURL: "https://help.example.org/contact", PaperSize: program.PaperLetter}); err != nil {
			t.Fatal(err)
		}
		if n := len(f.audit(t)); n != 1 {
			t.Errorf("an unchanged save was audited (%d rows)", n)
		}

		// An admin may clear the contact; the flags do not come back.
		if _, err := f.svc.Update(f.ctx, admin, program.Update{PaperSize: program.PaperA4}); err != nil {
			t.Fatal(err)
		}
		if set := f.mustSettings(t); set.SupportEmail != "" || set.SupportURL != "" || set.SupportFromConfig {
			t.Errorf("after clearing: %+v", set)
		}
	})
}

// TestSavingTheFlagsValuesPinsThem: saving the configuration's contact
// unchanged stores it, so later flags no longer apply.
func TestSavingTheFlagsValuesPinsThem(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		if _, err := f.svc.Update(f.ctx, admin, program.Update{SupportEmail: flags.SupportEmail, SupportURL: flags.SupportURL,
			PaperSize: program.PaperA4}); err != nil {
			t.Fatal(err)
		}
		a := f.audit(t)
		if want := []portal.FieldChange{{Field: "support_from_config", Before: "true", After: "false"}}; len(a) != 1 || !slices.Equal(a[0].Changes, want) {
			t.Fatalf("pinning audited as %+v, want one event with %+v", a, want)
		}
		set, err := program.New(f.st, f.clock, program.Defaults{SupportEmail: "new@example.org"}).Settings(f.ctx)
		if err != nil || set.SupportEmail != flags.SupportEmail || set.SupportFromConfig {
			t.Errorf("with new flags: %+v (%v)", set, err)
		}
	})
}

// TestLogoIsReencodedWithoutMetadata: a PNG with a text chunk and a JPEG
// with EXIF and a comment are stored as PNGs with the same pixels and
// none of the metadata; the logo is served with its tag and removable.
func TestLogoIsReencodedWithoutMetadata(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		const secret = "GPS 40.4168N 3.7038W by Jane Doe"
		for _, tc := range []struct {
			name  string
			data  []byte
			exact bool // lossless: the pixels must match
		}{
			{"png with text chunk", withPNGText(t, pngImage(t, 40, 20), "Author", secret), true},
			{"jpeg with exif and comment", jpegWithMetadata(t, 40, 20, secret), false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if !bytes.Contains(tc.data, []byte(secret)) {
					t.Fatal("the upload does not carry the metadata")
				}
				set, err := f.svc.SetLogo(f.ctx, admin, bytes.NewReader(tc.data))
				if err != nil {
					t.Fatal(err)
				}
				if set.Logo.Width != 40 || set.Logo.Height != 20 || set.Logo.ETag == "" {
					t.Errorf("logo = %+v", set.Logo)
				}
				data, info, err := f.svc.Logo(f.ctx)
				if err != nil {
					t.Fatal(err)
				}
				if info.ETag != set.Logo.ETag || info.Bytes != len(data) {
					t.Errorf("served %+v, saved %+v", info, set.Logo)
				}
				if bytes.Contains(data, []byte(secret)) || bytes.Contains(data, []byte("tEXt")) || bytes.Contains(data, []byte("Exif")) {
					t.Error("the stored logo keeps the metadata")
				}
				img, format, err := image.Decode(bytes.NewReader(data))
				if err != nil || format != "png" {
					t.Fatalf("stored logo is %q: %v", format, err)
				}
				if tc.exact {
					want := gradient(40, 20)
					for y := range 20 {
						for x := range 40 {
							if r1, g1, b1, a1 := img.At(x, y).RGBA(); [4]uint32{r1, g1, b1, a1} != rgba(want.At(x, y)) {
								t.Fatalf("pixel %d,%d differs", x, y)
							}
						}
					}
				}
			})
		}
		a := f.audit(t)
		if len(a) != 2 || a[0].Action != "program.logo_set" || a[1].Action != "program.logo_set" {
			t.Fatalf("audit = %+v", a)
		}
		if c := a[0].Changes; len(c) != 1 || c[0].Field != "logo" || c[0].Before != "" || !strings.HasPrefix(c[0].After, "40×20 PNG, ") {
			t.Errorf("first logo audited as %+v", c)
		}
		if c := a[1].Changes; len(c) != 1 || c[0].Before != a[0].Changes[0].After {
			t.Errorf("second logo audited as %+v", c)
		}
		if _, err := f.svc.RemoveLogo(f.ctx, admin); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.Logo(f.ctx); !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("logo after removal: %v", err)
		}
		if set := f.mustSettings(t); set.HasLogo() {
			t.Errorf("settings still describe a logo: %+v", set.Logo)
		}
		if _, err := f.svc.RemoveLogo(f.ctx, admin); err != nil {
			t.Errorf("removing no logo: %v", err)
		}
		if a := f.audit(t); len(a) != 3 || a[2].Action != "program.logo_removed" || len(a[2].Changes) != 1 || a[2].Changes[0].After != "" {
			t.Errorf("audit after removal = %+v", a)
		}
	})
}

func rgba(c color.Color) [4]uint32 {
	r, g, b, a := c.RGBA()
	return [4]uint32{r, g, b, a}
}

// TestLogoRefusesWhatIsNotASmallPNGOrJPEG: empty, text, GIF, an HTML file
// named like a PNG, a truncated PNG, an upload over MaxLogoBytes and an
// image over MaxLogoSide are field errors on "logo"; nothing is stored.
func TestLogoRefusesWhatIsNotASmallPNGOrJPEG(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		var gifBuf bytes.Buffer
		if err := gif.Encode(&gifBuf, gradient(8, 8), nil); err != nil {
			t.Fatal(err)
		}
		good := pngImage(t, 16, 16)
		big := append(append([]byte{}, good...), make([]byte, program.MaxLogoBytes)...)
		for _, tc := range []struct {
			name string
			data []byte
			want string
		}{
			{"empty", nil, "program.error.logo_missing"},
			{"text", []byte("hello, this is not an image"), "program.error.logo_format"},
			{"html", []byte("<html><script>alert(1)</script></html>"), "program.error.logo_format"},
			{"gif", gifBuf.Bytes(), "program.error.logo_format"},
			{"truncated png", good[:len(good)/2], "program.error.logo_format"},
			{"png signature then garbage", append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0xAB}, 100)...), "program.error.logo_format"},
			{"jpeg signature then garbage", append([]byte{0xff, 0xd8, 0xff, 0xe0}, bytes.Repeat([]byte{0x01}, 100)...), "program.error.logo_format"},
			{"too many bytes", big, "program.error.logo_too_large"},
			{"too wide", pngImage(t, program.MaxLogoSide+1, 1), "program.error.logo_dimensions"},
			{"too high", pngImage(t, 1, program.MaxLogoSide+1), "program.error.logo_dimensions"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := f.svc.SetLogo(f.ctx, admin, bytes.NewReader(tc.data))
				if got := fieldsOf(err); len(got) != 1 || got[0] != "logo:"+tc.want {
					t.Errorf("fields %q (err %v), want logo:%s", got, err, tc.want)
				}
			})
		}
		if _, err := f.svc.SetLogo(f.ctx, admin, bytes.NewReader(pngImage(t, program.MaxLogoSide, program.MaxLogoSide))); err != nil {
			t.Errorf("a logo of exactly %d pixels: %v", program.MaxLogoSide, err)
		}
		if a := f.audit(t); len(a) != 1 {
			t.Errorf("audit rows = %d, want only the good logo's", len(a))
		}
	})
}

// TestConcurrentChangesQueue: logo uploads and contact changes made at the
// same time all land; none overwrites another's field with a stale copy.
func TestConcurrentChangesQueue(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		// Two instances, as with several servers on one database.
		svcs := []*program.Service{f.svc, program.New(f.st, f.clock, flags)}
		logo := pngImage(t, 12, 12)
		const n = 24
		var wg sync.WaitGroup
		errs := make(chan error, 2*n)
		for i := range n {
			wg.Add(2)
			go func() {
				defer wg.Done()
				_, err := svcs[i%2].Update(f.ctx, admin, program.Update{SupportEmail: fmt.Sprintf("s%d@example.org", i), PaperSize: program.PaperLetter})
				errs <- err
			}()
			go func() {
				defer wg.Done()
				var err error
				if i%2 == 0 {
					_, err = svcs[(i+1)%2].SetLogo(f.ctx, admin, bytes.NewReader(logo))
				} else {
					_, err = svcs[(i+1)%2].RemoveLogo(f.ctx, admin)
				}
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		// The audit trail replays to the final state.
		var logoSet bool
		var email string
		for _, e := range f.audit(t) {
			switch e.Action {
			case "program.logo_set":
				logoSet = true
			case "program.logo_removed":
				logoSet = false
			case "program.settings_changed":
				for _, c := range e.Changes {
					if c.Field == "support_email" {
						email = c.After
					}
				}
			}
		}
		set, err := program.New(f.st, f.clock, flags).Settings(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if set.SupportEmail != email || set.PaperSize != program.PaperLetter || set.HasLogo() != logoSet {
			t.Errorf("final settings %+v, but the audit trail ends with email %q, logo %v", set, email, logoSet)
		}
		data, _, err := program.New(f.st, f.clock, flags).Logo(f.ctx)
		if logoSet != (err == nil) || (err == nil && len(data) == 0) {
			t.Errorf("logo row and settings disagree: %v", err)
		}
	})
}

// TestLinkedInOrganizationIDIsSavedAndAudited: the ID is trimmed, saved,
// read back by every instance and audited with before and after; an empty
// one clears it.
func TestLinkedInOrganizationIDIsSavedAndAudited(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		if _, err := f.svc.Update(f.ctx, admin, program.Update{PaperSize: program.PaperA4, LinkedInOrganizationID: " 1337 "}); err != nil {
			t.Fatal(err)
		}
		if set, err := program.New(f.st, f.clock, flags).Settings(f.ctx); err != nil || set.LinkedInOrganizationID != "1337" {
			t.Errorf("another instance reads %q (%v), want 1337", set.LinkedInOrganizationID, err)
		}
		if _, err := f.svc.Update(f.ctx, scheduler, program.Update{PaperSize: program.PaperA4, LinkedInOrganizationID: "42"}); !errors.Is(err, portal.ErrForbidden) {
			t.Errorf("staff without settings.manage: %v, want forbidden", err)
		}
		if _, err := f.svc.Update(f.ctx, admin, program.Update{PaperSize: program.PaperA4}); err != nil {
			t.Fatal(err)
		}
		if set := f.mustSettings(t); set.LinkedInOrganizationID != "" {
			t.Errorf("after clearing: %q", set.LinkedInOrganizationID)
		}
		var got []portal.FieldChange
		for _, a := range f.audit(t) {
			for _, c := range a.Changes {
				if c.Field == "linkedin_organization_id" {
					got = append(got, c)
				}
			}
		}
		want := []portal.FieldChange{{Field: "linkedin_organization_id", Before: "", After: "1337"},
			{Field: "linkedin_organization_id", Before: "1337", After: ""}}
		if !slices.Equal(got, want) {
			t.Errorf("audited %+v, want %+v", got, want)
		}
	})
}
