package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/calendar"
	"example.org/certportal/internal/credits"
	"example.org/certportal/internal/i18n"
	"example.org/certportal/internal/idempotency"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/testdb"
	"example.org/certportal/internal/uploads"
)

// ceFixture is the API over continuing education on one engine: the
// default catalogue, a New York calendar, two candidates holding SAA
// (earned 2025-06-01), two CE reviewers and a scheduler, and an upload
// pipeline without a scanner (files are stored unscanned) that takes
// files of at most 64 KiB, and rateLimit an hour from one account.
type ceFixture struct {
	t      *testing.T
	db     testdb.DB
	h      http.Handler
	actors map[string]portal.Actor
	svc    *credits.Service
	keys   int
}

var ceFixtureNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func newCEFixture(t *testing.T, engine string, rateLimit int) *ceFixture {
	t.Helper()
	db := testdb.Open(t, engine, ceFixtureNow)
	log := slog.New(slog.DiscardHandler)
	cal, err := calendar.New(calendar.Settings{TimeZone: "America/New_York",
		BusinessDays: []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}})
	if err != nil {
		t.Fatal(err)
	}
	up, err := uploads.New(db.Store, db.Blobs(t), nil, db.Clock, log, uploads.Config{TempDir: t.TempDir(), RateLimit: rateLimit, MaxBytes: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	svc := credits.New(db.Store, db.Clock, log, credits.Config{BaseURL: "https://portal.example.org", Uploads: up,
		Calendar: func(context.Context) (credits.Calendar, error) { return cal, nil }})
	if err := svc.InstallDefaultCatalogue(context.Background()); err != nil {
		t.Fatal(err)
	}
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	f := &ceFixture{t: t, db: db, svc: svc, actors: map[string]portal.Actor{
		"alice": db.Candidate(t), "bob": db.Candidate(t),
		"rita": db.Staff(t, portal.SetCEReviewer), "ray": db.Staff(t, portal.SetCEReviewer),
		"sam": db.Staff(t, portal.SetScheduler),
	}}
	exam := db.Exam(t, portal.Exam{Code: "SAA-C03", Name: "Solutions Architect Associate", Active: true})
	cert := db.Certification(t, portal.Certification{Code: "SAA", Name: "Solutions Architect – Associate", EarnedBy: []string{"SAA-C03"}})
	for _, who := range []string{"alice", "bob"} {
		db.Earned(t, f.actors[who], exam, cert, time.Date(2025, 6, 1, 15, 0, 0, 0, time.UTC))
	}
	f.h = New(Deps{Log: log, Clock: db.Clock, Catalog: cat, Idempotency: idempotency.New(db.Store, log), Credits: svc, Uploads: up,
		Actor: func(r *http.Request) (portal.Actor, bool) {
			a, ok := f.actors[r.Header.Get(testUserHeader)]
			return a, ok
		}})
	return f
}

// ceResponse is a recorded answer: its JSON body when it has one.
type ceResponse struct {
	*httptest.ResponseRecorder
	JSON map[string]any
}

func (r ceResponse) fields() map[string]string { return response{JSON: r.JSON}.fields() }

func (r ceResponse) errorField(key string) string { return response{JSON: r.JSON}.errorField(key) }

// fieldMessage is the rendered message of a refused field.
func (r ceResponse) fieldMessage(field string) string {
	e, _ := r.JSON["error"].(map[string]any)
	list, _ := e["fields"].([]any)
	for _, x := range list {
		m := x.(map[string]any)
		if m["field"] == field {
			return m["message"].(string)
		}
	}
	return ""
}

func (r ceResponse) str(key string) string {
	s, _ := r.JSON[key].(string)
	return s
}

func (r ceResponse) id() int64 {
	n, _ := r.JSON["id"].(float64)
	return int64(n)
}

// do sends one request as who ("" anonymous) with a body of contentType;
// headers are name, value pairs.
func (f *ceFixture) do(method, path, who, contentType string, body []byte, headers ...string) ceResponse {
	f.t.Helper()
	req := httptest.NewRequest(method, Prefix+path, bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if who != "" {
		req.Header.Set(testUserHeader, who)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	out := ceResponse{ResponseRecorder: rec}
	if strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(rec.Body.Bytes(), &out.JSON); err != nil {
			f.t.Fatalf("%s %s: %v\n%s", method, path, err, rec.Body)
		}
	}
	return out
}

func (f *ceFixture) get(path, who string) ceResponse {
	f.t.Helper()
	return f.do(http.MethodGet, path, who, "", nil)
}

// post sends JSON with a fresh idempotency key.
func (f *ceFixture) post(path, who string, body any) ceResponse {
	f.t.Helper()
	f.keys++
	return f.postKey(path, who, "key-"+strconv.Itoa(f.keys), body)
}

func (f *ceFixture) postKey(path, who, key string, body any) ceResponse {
	f.t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		f.t.Fatal(err)
	}
	return f.do(http.MethodPost, path, who, "application/json", b, "Idempotency-Key", key)
}

func (f *ceFixture) put(path, who string, body any) ceResponse {
	f.t.Helper()
	b, _ := json.Marshal(body)
	return f.do(http.MethodPut, path, who, "application/json", b)
}

// multipartFile is a multipart body with one file in the part named field.
func multipartFile(t *testing.T, field, name string, content []byte) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	p, err := w.CreateFormFile(field, name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Write(content); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return w.FormDataContentType(), buf.Bytes()
}

// upload sends a file to POST /uploads under key.
func (f *ceFixture) upload(who, key, name string, content []byte) ceResponse {
	f.t.Helper()
	ct, body := multipartFile(f.t, "file", name, content)
	return f.do(http.MethodPost, "/uploads", who, ct, body, "Idempotency-Key", key)
}

// pdf is a valid PDF whose bytes differ by text.
func pdf(text string) []byte {
	return append(append([]byte{}, testdb.SamplePDF...), []byte("% "+text+"\n")...)
}

// evidence uploads a PDF for who and returns its ID.
func (f *ceFixture) evidence(who, text string) int64 {
	f.t.Helper()
	f.keys++
	r := f.upload(who, "upload-"+strconv.Itoa(f.keys), text+".pdf", pdf(text))
	f.want(r, http.StatusCreated)
	return r.id()
}

func (f *ceFixture) want(r ceResponse, status int) {
	f.t.Helper()
	if r.Code != status {
		f.t.Fatalf("status %d, want %d; body %s", r.Code, status, r.Body)
	}
}

// workshop is an official workshop (range 4 to 8 credits) completed on
// 2026-11-20 claiming claimed, with one file.
func (f *ceFixture) workshop(who, title, claimed string) map[string]any {
	return map[string]any{"type": "official_workshop", "title": title, "completed_on": "2026-11-20", "claimed": claimed,
		"evidence": []int64{f.evidence(who, title)}}
}

// invariants fails the test on a violation of the ledger's invariants
// (the results' own need vouchers this fixture does not make).
func (f *ceFixture) invariants() {
	f.t.Helper()
	v, err := f.db.Store.CheckInvariants(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	for _, s := range v {
		if strings.HasPrefix(s, store.CEInvariantPrefix) {
			f.t.Errorf("invariant violated: %s", s)
		}
	}
}

func path(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// TestAPICEJourney: a candidate uploads a file, keeps a draft, fills it
// in, sends it and downloads their file; another candidate sees none of
// it; a reviewer finds it in the queue, claims it, is refused a partial
// decision below the range with the range by the field, decides it
// partially, and a second decision is told "already decided"; progress,
// history and the CSV show the decision. Both engines.
func TestAPICEJourney(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newCEFixture(t, engine, 60)

		up := f.upload("alice", "u1", "Workshop certificate.pdf", pdf("journey"))
		f.want(up, http.StatusCreated)
		if up.str("scan_state") != portal.ScanUnscanned || up.str("name") != "Workshop certificate.pdf" || up.str("content_type") != "application/pdf" {
			t.Fatalf("upload %s", up.Body)
		}
		file := up.id()
		if again := f.upload("alice", "u1", "Workshop certificate.pdf", pdf("journey")); again.Code != http.StatusCreated ||
			again.id() != file || again.Header().Get("Idempotent-Replayed") != "true" {
			t.Fatalf("the same upload under its key: %d %s %q", again.Code, again.Body, again.Header().Get("Idempotent-Replayed"))
		}
		if n := f.db.Count(t, `SELECT COUNT(*) FROM uploads WHERE owner_id = ?`, f.actors["alice"].UserID); n != 1 {
			t.Fatalf("%d uploads after a replay, want 1", n)
		}
		if other := f.upload("alice", "u1", "Workshop certificate.pdf", pdf("another file")); other.Code != http.StatusUnprocessableEntity {
			t.Errorf("another file under the same key: %d %s, want 422", other.Code, other.Body)
		}
		if r := f.get(path("/uploads/%d", file), "alice"); r.Code != http.StatusOK || r.str("notice") == "" {
			t.Errorf("own upload: %d %s", r.Code, r.Body)
		}
		if r := f.get(path("/uploads/%d", file), "bob"); r.Code != http.StatusNotFound {
			t.Errorf("another's upload: %d, want 404", r.Code)
		}

		draft := f.post("/ce/drafts", "alice", map[string]any{"type": "official_workshop", "title": "Serverless workshop"})
		f.want(draft, http.StatusCreated)
		id := draft.id()
		if draft.str("state") != portal.CEDraft {
			t.Fatalf("draft %s", draft.Body)
		}
		upd := f.put(path("/ce/submissions/%d", id), "alice", map[string]any{"type": "official_workshop", "title": "Serverless workshop",
			"completed_on": "2026-11-20", "claimed": "6", "provider": "Acme Training", "evidence": []int64{file}})
		f.want(upd, http.StatusOK)
		if upd.str("claimed") != "6" || upd.str("provider") != "Acme Training" {
			t.Fatalf("updated draft %s", upd.Body)
		}
		if r := f.put(path("/ce/submissions/%d", id), "bob", map[string]any{"type": "official_workshop", "title": "Mine now"}); r.Code != http.StatusNotFound {
			t.Errorf("another candidate's draft update: %d, want 404", r.Code)
		}
		if r := f.post(path("/ce/submissions/%d/submit", id), "bob", map[string]any{}); r.Code != http.StatusNotFound {
			t.Errorf("another candidate sends the draft: %d, want 404", r.Code)
		}
		sent := f.post(path("/ce/submissions/%d/submit", id), "alice", map[string]any{})
		f.want(sent, http.StatusCreated)
		if sent.str("state") != portal.CEPending || sent.str("target_on") == "" || fmt.Sprint(sent.JSON["certifications"]) != "[SAA]" {
			t.Fatalf("sent %s", sent.Body)
		}
		if r := f.post(path("/ce/submissions/%d/submit", id), "alice", map[string]any{}); r.Code != http.StatusConflict ||
			r.errorField("message_id") != "credits.error.not_editable" {
			t.Errorf("sending a sent submission again: %d %s", r.Code, r.Body)
		}
		if r := f.put(path("/ce/submissions/%d", id), "alice", map[string]any{"type": "official_workshop", "title": "Too late"}); r.Code != http.StatusConflict ||
			r.errorField("message_id") != "credits.error.not_editable" {
			t.Errorf("editing a sent submission: %d %s", r.Code, r.Body)
		}

		list := f.get("/ce/submissions", "alice")
		f.want(list, http.StatusOK)
		if subs := list.JSON["submissions"].([]any); len(subs) != 1 || subs[0].(map[string]any)["state"] != portal.CEPending {
			t.Errorf("history %s", list.Body)
		}
		if r := f.get("/ce/submissions", "bob"); len(r.JSON["submissions"].([]any)) != 0 {
			t.Errorf("another candidate's history %s", r.Body)
		}
		if r := f.get(path("/ce/submissions/%d", id), "bob"); r.Code != http.StatusNotFound {
			t.Errorf("another candidate's submission: %d, want 404", r.Code)
		}
		dl := f.get(path("/ce/submissions/%d/evidence/%d", id, file), "alice")
		if dl.Code != http.StatusOK || dl.Header().Get("Content-Type") != "application/pdf" ||
			!strings.HasPrefix(dl.Header().Get("Content-Disposition"), "attachment") || dl.Header().Get("X-Content-Type-Options") != "nosniff" ||
			!bytes.Equal(dl.Body.Bytes(), pdf("journey")) {
			t.Errorf("download: %d %v", dl.Code, dl.Header())
		}
		if r := f.get(path("/ce/submissions/%d/evidence/%d", id, file), "bob"); r.Code != http.StatusNotFound {
			t.Errorf("another candidate's download: %d, want 404", r.Code)
		}
		prog := f.get("/ce/progress", "alice")
		f.want(prog, http.StatusOK)
		if c := prog.JSON["certifications"].([]any)[0].(map[string]any); c["code"] != "SAA" || c["pending"] != "6" || c["approved"] != "0" {
			t.Errorf("progress %s", prog.Body)
		}

		if r := f.get("/ce/review/queue", "alice"); r.Code != http.StatusForbidden {
			t.Errorf("a candidate's queue: %d, want 403", r.Code)
		}
		if r := f.get("/ce/review/queue", "sam"); r.Code != http.StatusForbidden {
			t.Errorf("a scheduler's queue: %d, want 403", r.Code)
		}
		q := f.get("/ce/review/queue?assignee=none", "rita")
		f.want(q, http.StatusOK)
		if items := q.JSON["items"].([]any); len(items) != 1 || int64(items[0].(map[string]any)["id"].(float64)) != id {
			t.Fatalf("queue %s", q.Body)
		}
		if r := f.get("/ce/review/queue?assignee=someone", "rita"); r.Code != http.StatusUnprocessableEntity || r.fields()["assignee"] != "api.assignee_invalid" {
			t.Errorf("a bad filter: %d %s", r.Code, r.Body)
		}
		claim := f.post(path("/ce/review/submissions/%d/claim", id), "rita", map[string]any{})
		f.want(claim, http.StatusOK)
		if int64(claim.JSON["assignee_id"].(float64)) != f.actors["rita"].UserID || claim.JSON["rule"].(map[string]any)["min"] != "4" {
			t.Errorf("claimed %s", claim.Body)
		}
		rev := f.get(path("/ce/review/submissions/%d", id), "rita")
		f.want(rev, http.StatusOK)
		if ev := rev.JSON["evidence"].([]any); len(ev) != 1 || ev[0].(map[string]any)["scan_state"] != portal.ScanUnscanned {
			t.Errorf("review %s", rev.Body)
		}
		if r := f.get(path("/ce/review/submissions/%d/evidence/%d", id, file), "rita"); r.Code != http.StatusConflict ||
			r.errorField("message_id") != "upload.unscanned_warning" {
			t.Errorf("an unscanned file without the acknowledgement: %d %s", r.Code, r.Body)
		}
		if r := f.get(path("/ce/review/submissions/%d/evidence/%d?acknowledge_unscanned=true", id, file), "rita"); r.Code != http.StatusOK ||
			!bytes.Equal(r.Body.Bytes(), pdf("journey")) {
			t.Errorf("an unscanned file acknowledged: %d", r.Code)
		}

		low := f.post(path("/ce/review/submissions/%d/decide", id), "rita", map[string]any{"outcome": "partial", "credits": "2"})
		if low.Code != http.StatusUnprocessableEntity || low.fields()["credits"] != "credits.error.partial_range" ||
			low.fields()["reason_text"] != "credits.error.reason_required" || low.fieldMessage("credits") != "Enter credits between 4 and 8." {
			t.Fatalf("a partial decision below the range: %d %s", low.Code, low.Body)
		}
		es := f.do(http.MethodPost, path("/ce/review/submissions/%d/decide", id), "rita", "application/json",
			[]byte(`{"outcome":"partial","credits":"2","reason_text":"x"}`), "Idempotency-Key", "es-low", "Accept-Language", "es")
		if es.fieldMessage("credits") != "Introduzca entre 4 y 8 créditos." {
			t.Errorf("the range in Spanish: %q", es.fieldMessage("credits"))
		}
		dec := f.post(path("/ce/review/submissions/%d/decide", id), "rita", map[string]any{"outcome": "partial", "credits": "5",
			"reason_text": "Half a day counted"})
		f.want(dec, http.StatusOK)
		if dec.str("state") != portal.CEPartial || dec.str("granted") != "5" {
			t.Fatalf("decided %s", dec.Body)
		}
		if r := f.post(path("/ce/review/submissions/%d/decide", id), "ray", map[string]any{"outcome": "approve"}); r.Code != http.StatusConflict ||
			r.errorField("message_id") != "credits.error.already_decided" {
			t.Errorf("a second decision: %d %s", r.Code, r.Body)
		}

		mine := f.get(path("/ce/submissions/%d", id), "alice")
		if mine.str("granted") != "5" || mine.str("reviewer_role") != "reviewer" || mine.str("reason") != "Half a day counted" {
			t.Errorf("the candidate's view of the decision %s", mine.Body)
		}
		if c := f.get("/ce/progress", "alice").JSON["certifications"].([]any)[0].(map[string]any); c["approved"] != "5" || c["pending"] != "0" {
			t.Errorf("progress after the decision %v", c)
		}
		csv := f.get("/ce/history.csv", "alice")
		if csv.Code != http.StatusOK || !strings.HasPrefix(csv.Header().Get("Content-Type"), "text/csv") || !strings.Contains(csv.Body.String(), "Serverless workshop") {
			t.Errorf("history CSV: %d %q", csv.Code, csv.Body)
		}
		f.invariants()
	})
}

// TestAPICEAnswerAppealAndWithdraw: a request for more information is
// answered with a note and a file; a denial is appealed once, and the
// reviewer who denied cannot decide the appeal while another can; a
// pending submission is withdrawn, and then cannot be withdrawn again.
// Both engines.
func TestAPICEAnswerAppealAndWithdraw(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newCEFixture(t, engine, 60)
		s := f.post("/ce/submissions", "alice", f.workshop("alice", "Asked about", "8"))
		f.want(s, http.StatusCreated)
		id := s.id()
		f.want(f.post(path("/ce/review/submissions/%d/decide", id), "rita", map[string]any{"outcome": "info", "reason_text": "Which day?"}), http.StatusOK)
		if r := f.post(path("/ce/submissions/%d/respond", id), "alice", map[string]any{}); r.Code != http.StatusUnprocessableEntity ||
			r.fields()["notes"] != "credits.error.reply_empty" {
			t.Errorf("an empty reply: %d %s", r.Code, r.Body)
		}
		more := f.evidence("alice", "agenda")
		ans := f.post(path("/ce/submissions/%d/respond", id), "alice", map[string]any{"notes": "The 20th.", "evidence": []int64{more}})
		f.want(ans, http.StatusOK)
		if ans.str("state") != portal.CEPending || len(ans.JSON["evidence"].([]any)) != 2 {
			t.Fatalf("answered %s", ans.Body)
		}
		f.want(f.post(path("/ce/review/submissions/%d/decide", id), "rita", map[string]any{"outcome": "deny", "reason_code": "not_eligible",
			"reason_text": "A vendor event"}), http.StatusOK)
		proof := f.evidence("alice", "official letter")
		if r := f.post(path("/ce/submissions/%d/appeal", id), "bob", map[string]any{"comment": "Not mine", "evidence": []int64{proof}}); r.Code != http.StatusNotFound {
			t.Errorf("another candidate's appeal: %d, want 404", r.Code)
		}
		ap := f.post(path("/ce/submissions/%d/appeal", id), "alice", map[string]any{"comment": "It was the vendor's official course.", "evidence": []int64{proof}})
		f.want(ap, http.StatusOK)
		if ap.str("state") != portal.CEAppealed {
			t.Fatalf("appealed %s", ap.Body)
		}
		if r := f.post(path("/ce/review/submissions/%d/decide", id), "rita", map[string]any{"outcome": "approve"}); r.Code != http.StatusForbidden ||
			r.errorField("message_id") != "credits.error.appeal_same_reviewer" {
			t.Errorf("the denying reviewer decides the appeal: %d %s", r.Code, r.Body)
		}
		dec := f.post(path("/ce/review/submissions/%d/decide", id), "ray", map[string]any{"outcome": "approve"})
		f.want(dec, http.StatusOK)
		if dec.str("state") != portal.CEApproved || dec.str("granted") != "8" {
			t.Errorf("appeal decided %s", dec.Body)
		}

		w := f.post("/ce/submissions", "alice", f.workshop("alice", "Changed my mind", "4"))
		f.want(w, http.StatusCreated)
		if r := f.post(path("/ce/submissions/%d/withdraw", w.id()), "bob", map[string]any{}); r.Code != http.StatusNotFound {
			t.Errorf("another candidate's withdrawal: %d, want 404", r.Code)
		}
		wd := f.post(path("/ce/submissions/%d/withdraw", w.id()), "alice", map[string]any{})
		f.want(wd, http.StatusOK)
		if wd.str("state") != portal.CEWithdrawn {
			t.Errorf("withdrawn %s", wd.Body)
		}
		if r := f.post(path("/ce/submissions/%d/withdraw", w.id()), "alice", map[string]any{}); r.Code != http.StatusConflict ||
			r.errorField("message_id") != "credits.error.not_withdrawable" {
			t.Errorf("a second withdrawal: %d %s", r.Code, r.Body)
		}
		f.invariants()
	})
}

// TestAPICESubmitRefusals: a submission's problems come back as 422 by
// field; the duplicate warning is a 409 until confirmed; nothing is
// reached without a session. Both engines.
func TestAPICESubmitRefusals(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newCEFixture(t, engine, 60)
		future := f.workshop("alice", "Next week", "6")
		future["completed_on"] = "2026-12-08"
		if r := f.post("/ce/submissions", "alice", future); r.Code != http.StatusUnprocessableEntity || r.fields()["completed_on"] != "credits.error.future_date" {
			t.Errorf("a future date: %d %s", r.Code, r.Body)
		}
		high := f.workshop("alice", "Claims too much", "9")
		if r := f.post("/ce/submissions", "alice", high); r.Code != http.StatusUnprocessableEntity || r.fields()["claimed"] != "credits.error.claim_range" {
			t.Errorf("a claim above the range: %d %s", r.Code, r.Body)
		}
		foreign := f.workshop("alice", "Bob's file", "6")
		foreign["evidence"] = []int64{f.evidence("bob", "bob's")}
		if r := f.post("/ce/submissions", "alice", foreign); r.Code != http.StatusUnprocessableEntity || r.fields()["evidence"] != "credits.error.evidence_unknown" {
			t.Errorf("another candidate's file: %d %s", r.Code, r.Body)
		}
		if r := f.post("/ce/submissions", "alice", map[string]any{"kind": "workshop"}); r.Code != http.StatusUnprocessableEntity || r.fields()["kind"] != "api.unknown_field" {
			t.Errorf("an unknown field: %d %s", r.Code, r.Body)
		}
		f.want(f.post("/ce/submissions", "alice", f.workshop("alice", "Twice", "6")), http.StatusCreated)
		dup := f.workshop("alice", "Twice", "6")
		if r := f.post("/ce/submissions", "alice", dup); r.Code != http.StatusConflict || r.errorField("message_id") != "credits.warning.duplicate" {
			t.Errorf("a duplicate: %d %s", r.Code, r.Body)
		}
		dup["confirm_duplicate"] = true
		f.want(f.post("/ce/submissions", "alice", dup), http.StatusCreated)
		for _, p := range []string{"/ce/progress", "/ce/submissions", "/ce/history.csv", "/uploads/1"} {
			if r := f.get(p, ""); r.Code != http.StatusUnauthorized {
				t.Errorf("GET %s without a session: %d, want 401", p, r.Code)
			}
		}
		types := f.do(http.MethodGet, "/ce/activity-types", "", "", nil, "Accept-Language", "es")
		f.want(types, http.StatusOK)
		var workshop map[string]any
		for _, x := range types.JSON["activity_types"].([]any) {
			if m := x.(map[string]any); m["code"] == "official_workshop" {
				workshop = m
			}
		}
		if workshop == nil || workshop["rule"].(map[string]any)["min"] != "4" || workshop["rule"].(map[string]any)["max"] != "8" || workshop["name"] == "" {
			t.Errorf("the public catalogue's workshop %v", workshop)
		}
	})
}

// TestAPIUploadRefusals: an HTML file renamed .pdf and an empty file are
// refused by the file field, a file over the limit with 413, a body that
// is not multipart with 415, a POST without a key with 400, a part other
// than the file with 422, and the fourth file within the hour with 429
// and Retry-After. Nothing refused leaves a row. Both engines.
func TestAPIUploadRefusals(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newCEFixture(t, engine, 3)
		html := f.upload("alice", "h", "evidence.pdf", []byte("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"))
		if html.Code != http.StatusUnprocessableEntity || html.fields()["file"] == "" {
			t.Errorf("HTML renamed .pdf: %d %s", html.Code, html.Body)
		}
		if r := f.upload("alice", "e", "empty.pdf", nil); r.Code != http.StatusUnprocessableEntity || r.fields()["file"] != "upload.empty" {
			t.Errorf("an empty file: %d %s", r.Code, r.Body)
		}
		big := append(pdf("big"), bytes.Repeat([]byte("0"), 64<<10)...)
		if r := f.upload("alice", "b", "big.pdf", big); r.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("a file over the limit: %d %s", r.Code, r.Body)
		}
		if r := f.do(http.MethodPost, "/uploads", "alice", "application/pdf", pdf("raw"), "Idempotency-Key", "raw"); r.Code != http.StatusUnsupportedMediaType ||
			r.errorField("message_id") != "api.multipart_required" {
			t.Errorf("a raw body: %d %s", r.Code, r.Body)
		}
		ct, body := multipartFile(t, "file", "a.pdf", pdf("nokey"))
		if r := f.do(http.MethodPost, "/uploads", "alice", ct, body); r.Code != http.StatusBadRequest {
			t.Errorf("no idempotency key: %d %s", r.Code, r.Body)
		}
		ct, body = multipartFile(t, "attachment", "a.pdf", pdf("wrong part"))
		if r := f.do(http.MethodPost, "/uploads", "alice", ct, body, "Idempotency-Key", "part"); r.Code != http.StatusUnprocessableEntity ||
			r.fields()["attachment"] != "api.unknown_field" {
			t.Errorf("another part: %d %s", r.Code, r.Body)
		}
		if r := f.upload("", "anon", "a.pdf", pdf("anon")); r.Code != http.StatusUnauthorized {
			t.Errorf("without a session: %d", r.Code)
		}
		if n := f.db.Count(t, `SELECT COUNT(*) FROM uploads`); n != 0 {
			t.Fatalf("refused uploads left %d rows", n)
		}
		for i := range 3 {
			f.want(f.upload("alice", "ok"+strconv.Itoa(i), "ok.pdf", pdf("ok"+strconv.Itoa(i))), http.StatusCreated)
		}
		r := f.upload("alice", "ok3", "ok.pdf", pdf("ok3"))
		if r.Code != http.StatusTooManyRequests || r.Header().Get("Retry-After") == "" || r.errorField("message_id") != "upload.rate_limited" {
			t.Errorf("the fourth file within the hour: %d %q %s", r.Code, r.Header().Get("Retry-After"), r.Body)
		}
		f.want(f.upload("bob", "bob", "ok.pdf", pdf("bob's")), http.StatusCreated)
		f.db.Clock.Advance(time.Hour + time.Second)
		f.want(f.upload("alice", "ok3", "ok.pdf", pdf("ok3")), http.StatusCreated)
	})
}
