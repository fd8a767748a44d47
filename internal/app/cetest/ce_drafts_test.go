package cetest

import (
	"context"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"example.org/certportal/internal/credits"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// isoDate is a date as the database keeps it.
var isoDate = regexp.MustCompile(`\d{4}-\d{2}-\d{2}`)

// submissionIDOf is the submission a /ce/submissions/{id} address names.
func submissionIDOf(t *testing.T, loc string) string {
	t.Helper()
	m := regexp.MustCompile(`^/ce/submissions/(\d+)`).FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("%q names no submission", loc)
	}
	return m[1]
}

// TestCEDraftIsEditedOnTheSubmitForm: a saved draft is reopened from the
// continuing-education page, the history and its own page on the submit
// form, its fields filled in and its file kept; the file can be removed
// and the draft saved again under the same number, then sent with a new
// file. Once sent it is no longer offered for editing, and editing it
// anyway is refused with the reason. Another candidate cannot open it.
func TestCEDraftIsEditedOnTheSubmitForm(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, c := signInHolder(t, engine)
		fields := append(documentationReview(a, "Operational excellence pillar", 5), [2]string{"notes", "Chapters 1 to 3"}, [2]string{"action", "draft"})
		status, loc, body := postMultipart(t, a, c, "/ce/submit", fields, file{"chapters.pdf", testutil.OnePagePDF("Chapters")})
		if status != http.StatusSeeOther || !strings.Contains(loc, "notice=ce_draft_saved") {
			t.Fatalf("save the draft: %d %q\n%s", status, loc, body)
		}
		id := submissionIDOf(t, loc)
		edit := "/ce/submit?draft=" + id

		if got := a.GetPage(t, c, "/ce", http.StatusOK).Values("ul.ce-drafts a", "href"); !contains(got, edit) {
			t.Errorf("the drafts on /ce link to %v, want %s", got, edit)
		}
		if got := a.GetPage(t, c, "/ce/history", http.StatusOK).Values("#ce-entry-"+id+" a", "href"); len(got) != 1 || got[0] != edit {
			t.Errorf("the history links the draft to %v, want %s", got, edit)
		}
		if got := a.GetPage(t, c, "/ce/submissions/"+id, http.StatusOK).AttrOf(".ce-edit a", "href"); got != edit {
			t.Errorf("the draft's page links to %q, want %s", got, edit)
		}

		form := a.GetPage(t, c, edit, http.StatusOK)
		if got := form.TextOf("h1"); got != "Edit your draft" {
			t.Errorf("h1 = %q", got)
		}
		for sel, want := range map[string]string{
			"form.ce-submit-form input[name=draft]": id, "input#title": "Operational excellence pillar",
			"input#completed_on": fields[2][1], "input#duration": "1 h 35 min",
		} {
			if got := form.AttrOf(sel, "value"); got != want {
				t.Errorf("%s = %q, want %q", sel, got, want)
			}
		}
		if got := form.TextOf("textarea#notes"); got != "Chapters 1 to 3" {
			t.Errorf("notes = %q", got)
		}
		if got := form.AttrOf("form.ce-type-form input[name=draft]", "value"); got != id {
			t.Errorf("changing the type forgets the draft: %q", got)
		}
		kept := form.Values("input[name=kept]", "value")
		if len(kept) != 1 || !strings.Contains(form.TextOf("ul.ce-kept"), "chapters.pdf") || !form.Has("input#remove-"+kept[0]+"[type=checkbox][name=remove]") {
			t.Fatalf("the draft's file on the form: kept %v, %q", kept, form.TextOf("ul.ce-kept"))
		}
		if got := form.TextOf("label[for=remove-" + kept[0] + "]"); got != "Remove chapters.pdf" {
			t.Errorf("the remove box is labelled %q", got)
		}

		// Saved again with a new title and without the file.
		fields = [][2]string{{"type", "documentation_review"}, {"draft", id}, {"title", "Operational excellence, all of it"},
			{"completed_on", fields[2][1]}, {"duration", "1 h 35 min"}, {"kept", kept[0]}, {"kept_name", "chapters.pdf"}, {"remove", kept[0]}, {"action", "draft"}}
		status, loc, body = postMultipart(t, a, c, "/ce/submit", fields)
		if status != http.StatusSeeOther || submissionIDOf(t, loc) != id {
			t.Fatalf("save again: %d %q, want the same draft %s\n%s", status, loc, id, body)
		}
		page := a.GetPage(t, c, "/ce/submissions/"+id, http.StatusOK)
		if page.TextOf("h1") != "Operational excellence, all of it" || page.Has("ul.ce-evidence") {
			t.Errorf("after saving again: %q, evidence %q", page.TextOf("h1"), page.TextOf("ul.ce-evidence"))
		}
		if n := historyRows(t, a, c); n != 5 {
			t.Errorf("the history has %d rows, want the demo's 4 and the one draft", n)
		}

		// Sent for review with a new file: the same submission.
		send := append(fields[:5:5], [2]string{"action", "submit"})
		status, loc, body = postMultipart(t, a, c, "/ce/submit", send, file{"whole.pdf", testutil.OnePagePDF("Whole")})
		if status != http.StatusSeeOther || !strings.Contains(loc, "notice=ce_submitted") || submissionIDOf(t, loc) != id {
			t.Fatalf("send the draft: %d %q\n%s", status, loc, body)
		}
		page = a.GetPage(t, c, "/ce/submissions/"+id, http.StatusOK)
		if page.TextOf(".ce-state") != "Waiting for review" || page.Has(".ce-edit") || page.Count("ul.ce-evidence li") != 1 {
			t.Errorf("after sending: state %q, edit link %v, evidence %q", page.TextOf(".ce-state"), page.Has(".ce-edit"), page.TextOf("ul.ce-evidence"))
		}
		if got := a.GetPage(t, c, "/ce/history", http.StatusOK).AttrOf("#ce-entry-"+id+" a", "href"); got != "/ce/submissions/"+id {
			t.Errorf("the history links the sent activity to %q", got)
		}

		// A submitted activity is not edited: neither the form nor a save.
		const notEditable = "A submitted activity cannot be edited."
		refused := a.GetPage(t, c, edit, http.StatusConflict)
		if !strings.Contains(refused.TextOf("main"), notEditable) {
			t.Errorf("editing a sent activity: %q", refused.TextOf("main"))
		}
		again := append(fields[:5:5], [2]string{"action", "draft"})
		status, _, body = postMultipart(t, a, c, "/ce/submit", again, file{"late.pdf", testutil.OnePagePDF("Late")})
		if doc := testutil.ParseHTML(t, body); status != http.StatusConflict || !strings.Contains(doc.TextOf(".error-summary"), notEditable) {
			t.Errorf("saving a sent activity as a draft: %d %q", status, doc.TextOf(".error-summary"))
		}
		if got := a.GetPage(t, c, "/ce/submissions/"+id, http.StatusOK).TextOf(".ce-state"); got != "Waiting for review" {
			t.Errorf("state after the refused edit %q", got)
		}

		for _, bad := range []string{"0", "x", "-3", "99999999"} {
			a.GetPage(t, c, "/ce/submit?draft="+bad, http.StatusNotFound)
		}
		other := apptest.DemoCandidateRe.FindStringSubmatch(a.Stdout())
		oc, _ := a.SignIn(t, other[1], other[2])
		a.GetPage(t, oc, edit, http.StatusNotFound)
	})
}

// setCountMode saves the program's continuing-education count mode as the
// demo admin would.
func setCountMode(t *testing.T, a *apptest.App, mode string) {
	t.Helper()
	st := a.OpenStore(t)
	ctx := context.Background()
	admin, err := st.FindUserByEmail(ctx, "admin@demo.certportal.localhost")
	if err != nil {
		t.Fatal(err)
	}
	svc := credits.New(st, a.Clock, slog.New(slog.DiscardHandler), credits.Config{})
	o, err := svc.Options(ctx)
	if err != nil {
		t.Fatal(err)
	}
	o.CountMode = mode
	if _, err := svc.SetOptions(ctx, testutil.StaffActor(admin.ID, a.Clock.Now(), portal.SetAdmin), o); err != nil {
		t.Fatal(err)
	}
}

// pendingByCode is each certification's pending credits on /ce.
func pendingByCode(t *testing.T, a *apptest.App, c *http.Client) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, li := range a.GetPage(t, c, "/ce", http.StatusOK).Find("li.ce-cert") {
		out[li.TextOf("h2 code")] = strings.TrimSpace(strings.TrimSuffix(li.TextOf(".ce-pending"), "(not counted yet)"))
	}
	return out
}

// TestCEChooseOneCertification: by default the form asks no
// certification and an activity counts toward every eligible one. When
// the program has the candidate choose, the form requires the
// certification among those the candidate holds in force; none, one not
// held and a value that is no certification are refused by the field; the
// chosen one alone counts the pending credits, and a draft keeps the
// choice.
func TestCEChooseOneCertification(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, c := signInHolder(t, engine)
		if a.GetPage(t, c, "/ce/submit?type=documentation_review", http.StatusOK).Has("#certification") {
			t.Fatal("the default mode asks for a certification")
		}
		before := pendingByCode(t, a, c)
		if len(before) < 2 {
			t.Fatalf("the demo holder has %d certifications in force, want 2", len(before))
		}
		if status, _, body := postMultipart(t, a, c, "/ce/submit", documentationReview(a, "Counts for all", 6), file{"all.pdf", testutil.OnePagePDF("All")}); status != http.StatusSeeOther {
			t.Fatalf("every mode: %d\n%s", status, body)
		}
		every := pendingByCode(t, a, c)
		for code := range before {
			if every[code] == before[code] {
				t.Errorf("every mode: %s pending stayed %s", code, every[code])
			}
		}

		setCountMode(t, a, credits.CountChoose)
		form := a.GetPage(t, c, "/ce/submit?type=documentation_review", http.StatusOK)
		if got := form.TextOf("label[for=certification]"); got != "Certification this activity counts for" {
			t.Fatalf("the certification field's label = %q", got)
		}
		options := form.Values("select#certification option[value]", "value")
		var held []string
		for _, v := range options {
			if v != "" {
				held = append(held, v)
			}
		}
		if len(held) != len(before) {
			t.Fatalf("the field offers %v, want the %d certifications in force", options, len(before))
		}
		labels := form.Texts("select#certification option")
		var chosenCode string
		for code := range before {
			if strings.Contains(labels[1], "("+code+")") {
				chosenCode = code
			}
		}
		if chosenCode == "" || !strings.Contains(labels[1], "expires") || isoDate.MatchString(labels[1]) {
			t.Fatalf("option labels %q, want a name, code and a written expiry date", labels)
		}

		st := a.OpenStore(t)
		all, err := st.ListCertifications(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		notHeld := ""
		for _, cert := range all {
			if v := strconv.FormatInt(cert.ID, 10); !contains(held, v) {
				notHeld = v
			}
		}
		if notHeld == "" {
			t.Fatal("the demo has no certification the holder lacks")
		}
		for name, value := range map[string]string{"none": "", "not held": notHeld, "unknown": "99999999", "not a number": "SAA"} {
			fields := append(documentationReview(a, "Chosen reading "+name, 2), [2]string{"certification", value})
			status, _, body := postMultipart(t, a, c, "/ce/submit", fields, file{"chosen.pdf", testutil.OnePagePDF("Chosen")})
			doc := testutil.ParseHTML(t, body)
			if status != http.StatusUnprocessableEntity || doc.TextOf("#certification-error") != "Choose the certification this activity counts toward." {
				t.Errorf("%s: %d, message %q", name, status, doc.TextOf("#certification-error"))
			}
			if doc.AttrOf("select#certification", "aria-invalid") != "true" || doc.AttrOf(".error-summary a", "href") != "#certification" {
				t.Errorf("%s: the refusal is not tied to the field", name)
			}
			if len(doc.Values("input[name=kept]", "value")) != 1 {
				t.Errorf("%s: the accepted file is not kept", name)
			}
		}

		fields := append(documentationReview(a, "Chosen reading", 2), [2]string{"certification", held[0]})
		status, loc, body := postMultipart(t, a, c, "/ce/submit", fields, file{"chosen.pdf", testutil.OnePagePDF("Chosen")})
		if status != http.StatusSeeOther || !strings.Contains(loc, "notice=ce_submitted") {
			t.Fatalf("chosen: %d %q\n%s", status, loc, body)
		}
		if got := a.GetPage(t, c, loc, http.StatusOK).TextOf(".ce-certification"); !strings.Contains(got, "("+chosenCode+")") {
			t.Errorf("the submission counts toward %q, want %s", got, chosenCode)
		}
		after := pendingByCode(t, a, c)
		for code := range before {
			if changed := after[code] != every[code]; changed != (code == chosenCode) {
				t.Errorf("choose mode: %s pending %s → %s (chosen %s)", code, every[code], after[code], chosenCode)
			}
		}

		// A draft keeps the choice.
		draft := [][2]string{{"type", "conference_talk"}, {"title", "Talk on retries"}, {"certification", held[0]}, {"action", "draft"}}
		status, loc, body = postMultipart(t, a, c, "/ce/submit", draft)
		if status != http.StatusSeeOther {
			t.Fatalf("draft: %d\n%s", status, body)
		}
		reopened := a.GetPage(t, c, "/ce/submit?draft="+submissionIDOf(t, loc), http.StatusOK)
		if got := reopened.AttrOf("select#certification option[selected]", "value"); got != held[0] {
			t.Errorf("the reopened draft's certification = %q, want %s", got, held[0])
		}
	})
}

// TestCEDatesAreWrittenInTheLanguage: the continuing-education pages
// write dates as the other pages do in the viewer's language (Nov 20, 2026;
// 20 nov 2026), never as stored; the CSV export keeps ISO dates.
func TestCEDatesAreWrittenInTheLanguage(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, c := signInHolder(t, engine)
		status, loc, body := postMultipart(t, a, c, "/ce/submit", documentationReview(a, "Dated reading", 3), file{"dated.pdf", testutil.OnePagePDF("Dated")})
		if status != http.StatusSeeOther {
			t.Fatalf("submit: %d\n%s", status, body)
		}
		completed := a.Clock.Now().AddDate(0, 0, -3)
		id := submissionIDOf(t, loc)
		for _, lang := range []struct {
			code, completed string
			month           *regexp.Regexp
		}{
			{"en", completed.Format("Jan 2, 2006"), regexp.MustCompile(`^[A-Z][a-z]{2} \d{1,2}, \d{4}$`)},
			{"es", strconv.Itoa(completed.Day()) + " ", regexp.MustCompile(`^\d{1,2} [a-z]{3,4}\.? \d{4}$`)},
		} {
			setLanguage(t, a, lang.code)
			ce := a.GetPage(t, c, "/ce", http.StatusOK)
			expires, _, _ := strings.Cut(ce.TextOf(".ce-expires"), " · ")
			if !lang.month.MatchString(expires) {
				t.Errorf("%s: expiry on /ce = %q", lang.code, expires)
			}
			hist := a.GetPage(t, c, "/ce/history", http.StatusOK)
			got := hist.TextOf("#ce-entry-" + id + " .ce-completed")
			if !lang.month.MatchString(got) || !strings.HasPrefix(got, lang.completed) {
				t.Errorf("%s: completion in the history = %q, want it written from %q", lang.code, got, lang.completed)
			}
			if txt := hist.TextOf("table.ce-history tbody"); isoDate.MatchString(txt) {
				t.Errorf("%s: the history shows a stored date: %q", lang.code, isoDate.FindString(txt))
			}
			sub := a.GetPage(t, c, "/ce/submissions/"+id, http.StatusOK)
			if got := sub.TextOf(".ce-completed"); !lang.month.MatchString(got) {
				t.Errorf("%s: completion on the submission = %q", lang.code, got)
			}
			if got := sub.TextOf(".ce-expected"); !lang.month.MatchString(got) {
				t.Errorf("%s: expected date = %q", lang.code, got)
			}
			if txt := sub.TextOf("main"); isoDate.MatchString(txt) {
				t.Errorf("%s: the submission shows a stored date: %q", lang.code, isoDate.FindString(txt))
			}
		}
		csv := apptest.Body(t, a.Get(t, c, "/ce/history.csv"))
		if !strings.Contains(csv, completed.Format("2006-01-02")) {
			t.Errorf("the CSV lacks the ISO completion date:\n%s", csv)
		}
	})
}

// setLanguage sets the demo holder's language, as the profile form does.
func setLanguage(t *testing.T, a *apptest.App, lang string) {
	t.Helper()
	st := a.OpenStore(t)
	q := `UPDATE users SET language = ? WHERE email = 'certified@demo.certportal.localhost'`
	if a.Engine == store.Postgres {
		q = `UPDATE users SET language = $1 WHERE email = 'certified@demo.certportal.localhost'`
	}
	if _, err := st.DB().Exec(q, lang); err != nil {
		t.Fatal(err)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
