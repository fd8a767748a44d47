package console

import (
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/credits"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/web"
	"example.org/certportal/internal/web/webtest"
)

func ceTestSubmission(state string) *portal.CESubmission {
	submitted := time.Date(2026, 11, 2, 14, 0, 0, 0, time.UTC)
	target := "2026-11-30"
	return &portal.CESubmission{ID: 7, UserID: 40, TypeID: 3, VersionID: 5, State: state, Title: "Talk: serverless", CompletedOn: "2026-10-20",
		Claimed: 3000, Granted: 2800, Flagged: true, TargetOn: &target, SubmittedAt: &submitted, Evidence: []int64{11, 12, 13}}
}

func ceTestType() *portal.CEActivityType {
	return &portal.CEActivityType{TypeID: 3, VersionID: 5, Code: "conference_talk", Version: 2, Rule: portal.CERuleRange,
		MinCredits: 2500, MaxCredits: 5000, CapCycle: 10000, Texts: map[string]portal.CEText{"en": {Name: "Conference talk"}, "es": {Name: "Ponencia"}}}
}

// TestConsoleCEQueuePage: in every language the queue says how many rows
// it shows and how many are past their target, and marks a late row with
// text, not colour only; every message exists.
func TestConsoleCEQueuePage(t *testing.T) {
	s := webtest.NewServer(t, Section())
	for _, lang := range s.Catalog.Languages() {
		late := credits.QueueItem{CESubmission: ceTestSubmission(portal.CEPending), TypeCode: "conference_talk", TypeName: "Conference talk", AgeDays: 35, PastTarget: true,
			Candidate: credits.Candidate{ID: 40, Name: "Noor Haddad", LoginID: "CP00000040"}}
		onTime := credits.QueueItem{CESubmission: ceTestSubmission(portal.CEAppealed), TypeCode: "conference_talk", TypeName: "Conference talk", AgeDays: 1}
		onTime.ID = 8
		p := &consoleCEQueuePage{Filter: web.NewForm(), Items: []credits.QueueItem{late, onTime}, Total: 2, PastTarget: 1, Next: "/console/ce?after=1-8",
			Types: []*portal.CEActivityType{ceTestType()}}
		p.T = s.Catalog.Localizer(lang)
		doc := webtest.RenderAs(t, s, "/console/ce", lang, "console_ce_queue", "console.ce.title", p, webtest.MayAll)
		if got := doc.Count(".ce-past-target .ce-past"); got != 1 || doc.Has("#ce-8 .ce-past") {
			t.Errorf("%s: %d late rows marked in text, want only #ce-7", lang, got)
		}
		l := s.Catalog.Localizer(lang)
		for sel, want := range map[string]string{
			".ce-count":      l.T("console.ce.count", map[string]any{"Count": 2}),
			".ce-past-count": l.T("console.ce.past_count", map[string]any{"Count": 1}),
		} {
			if got := doc.TextOf(sel); !strings.Contains(got, want) {
				t.Errorf("%s: %s = %q, want %q", lang, sel, got, want)
			}
		}
		if got, want := doc.TextOf("#ce-7"), ceTestType().Name(lang); !strings.Contains(got, want) {
			t.Errorf("%s: row %q lacks the type's name %q in the page's language", lang, got, want)
		}
		if got := doc.TextOf("#ce-7 .ce-candidate"); got != "Noor Haddad CP00000040" {
			t.Errorf("%s: candidate %q", lang, got)
		}
		if got := doc.AttrOf("a.ce-next", "href"); got != "/console/ce?after=1-8" {
			t.Errorf("%s: next page %q", lang, got)
		}
		if text := doc.Text(); strings.Contains(text, "console.ce.") || strings.Contains(text, "credits.state.") {
			t.Errorf("%s: a message ID shows on the page: %s", lang, text)
		}
	}
}

// TestConsoleCESubmissionPage: the review page names the rule version and
// range, offers the appeal decision on an appealed submission, lists each
// file with what its scan state means (a pending or quarantined file
// without a link, an unscanned one through its warning page), and shows
// the viewer's own submission without a decision form.
func TestConsoleCESubmissionPage(t *testing.T) {
	s := webtest.NewServer(t, Section())
	for _, lang := range s.Catalog.Languages() {
		l := s.Catalog.Localizer(lang)
		files := []ceEvidence{
			{Upload: &portal.Upload{ID: 11, DisplayName: "a.pdf", ScanStatus: portal.ScanPending}},
			{Upload: &portal.Upload{ID: 12, DisplayName: "b.pdf", ScanStatus: portal.ScanUnscanned}, Href: ceEvidencePath(7, 12)},
			{Upload: &portal.Upload{ID: 13, DisplayName: "c.pdf", ScanStatus: portal.ScanQuarantined}},
		}
		p := &consoleCESubmissionPage{Sub: ceTestSubmission(portal.CEAppealed), Type: ceTestType(), Evidence: files, Zone: time.UTC,
			Form: web.NewForm(), Reversal: web.NewForm()}
		p.T = l
		doc := webtest.RenderAs(t, s, "/console/ce/submissions/7", lang, "console_ce_submission", "console.ce.submission_title", p, webtest.MayAll)
		if got := doc.TextOf(".ce-rule"); !strings.Contains(got, credits.FormatCreditsIn(2500, lang)) || !strings.Contains(got, credits.FormatCreditsIn(5000, lang)) {
			t.Errorf("%s: rule %q lacks the range", lang, got)
		}
		if got := doc.TextOf(".ce-type"); !strings.Contains(got, l.T("console.ce.version", map[string]any{"Version": 2})) {
			t.Errorf("%s: type %q lacks its version", lang, got)
		}
		if got := doc.TextOf("#ce-decide-heading"); got != l.T("console.ce.appeal_heading", nil) {
			t.Errorf("%s: decision heading %q, want the appeal's", lang, got)
		}
		if got := doc.Values(".ce-evidence a", "href"); len(got) != 1 || got[0] != "/console/ce/submissions/7/evidence/12" {
			t.Errorf("%s: evidence links %v, want only the unscanned file's warning", lang, got)
		}
		if got := doc.Texts("select#reason_code option"); len(got) != len(credits.DenyReasons())+1 {
			t.Errorf("%s: deny reasons %v", lang, got)
		}
		if doc.Has(".ce-own") || !doc.Has(".ce-flag-text") {
			t.Errorf("%s: own-submission or flag text wrong", lang)
		}
		if text := doc.Text(); strings.Contains(text, "console.ce.") || strings.Contains(text, "credits.reason.") || strings.Contains(text, "credits.state.") {
			t.Errorf("%s: a message ID shows on the page", lang)
		}

		own := &consoleCESubmissionPage{Sub: ceTestSubmission(portal.CEPending), Type: ceTestType(), Zone: time.UTC, Form: web.NewForm(), Reversal: web.NewForm()}
		own.T = l
		own.User = &portal.User{ID: 40}
		doc = webtest.RenderAs(t, s, "/console/ce/submissions/7", lang, "console_ce_submission", "console.ce.submission_title", own, webtest.MayAll)
		if !doc.Has(".ce-own") || doc.Has("form[action$='/decide']") || doc.Has("form[action$='/claim']") {
			t.Errorf("%s: the viewer's own submission offers a decision", lang)
		}
	}
}
