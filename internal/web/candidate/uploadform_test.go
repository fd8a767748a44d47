package candidate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"example.org/certportal/internal/portal"
)

// fakeAccept stands for a service's accept: it reads the stream, refuses
// HTML as invalid and more than 1000 bytes as too large, and records
// what it stored.
type fakeAccept struct {
	n      atomic.Int64
	stored []string
}

func (f *fakeAccept) accept(_ context.Context, field, name string, body io.Reader) (*portal.Upload, error) {
	b, err := io.ReadAll(io.LimitReader(body, 1001))
	if err != nil {
		return nil, fmt.Errorf("stage %s: %w", name, err)
	}
	if len(b) > 1000 {
		return nil, &tooLargeFile{&portal.Error{Code: portal.EInvalid, Message: "upload.too_large", Data: map[string]any{"Name": name, "Count": 1}}}
	}
	if bytes.HasPrefix(b, []byte("<html")) {
		return nil, &portal.Error{Code: portal.EInvalid, Message: "upload.type_unsupported", Data: map[string]any{"Name": name, "Type": "PDF"}}
	}
	if string(b) == "rate" {
		return nil, &portal.Error{Code: portal.ERateLimited, Message: "upload.rate_limited", Data: map[string]any{"Count": 60}}
	}
	f.stored = append(f.stored, field+":"+name)
	return &portal.Upload{ID: f.n.Add(1), DisplayName: name, SizeBytes: int64(len(b))}, nil
}

type tooLargeFile struct{ err *portal.Error }

func (e *tooLargeFile) Error() string   { return e.err.Error() }
func (e *tooLargeFile) Unwrap() []error { return []error{portal.ErrTooLarge, e.err} }

type part struct {
	field, filename, content string
}

func multipartBody(t *testing.T, parts ...part) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range parts {
		var w io.Writer
		var err error
		if p.filename != "" || strings.HasPrefix(p.field, "evidence") {
			w, err = mw.CreateFormFile(p.field, p.filename)
		} else {
			w, err = mw.CreateFormField(p.field)
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, p.content); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return mw.FormDataContentType(), buf.Bytes()
}

var testFormLimits = uploadFormLimits{MaxBody: 8 << 10, ReadTimeout: time.Second, MaxFiles: map[string]int{"evidence": 2}, MaxValueBytes: 100}

// TestUploadFormStreamsFilesToTheService: text fields come back as
// values; each file goes to the service as a stream; refused files become
// errors by their field while the rest of the form is read; more files
// than the field takes are refused by count; a field too long is an error
// by the field; an empty file input is nothing chosen.
func TestUploadFormStreamsFilesToTheService(t *testing.T) {
	f := &fakeAccept{}
	ct, body := multipartBody(t,
		part{"title", "", "Documentation review"},
		part{"evidence", "notes.pdf", "%PDF-1.4 ok"},
		part{"evidence", "cv.pdf", "<html><script>x</script></html>"},
		part{"evidence", "big.pdf", strings.Repeat("x", 2000)},
		part{"evidence", "third.pdf", "%PDF-1.4 third"},
		part{"evidence", "", ""},
		part{"notes", "", strings.Repeat("n", 101)},
		part{"provider", "", "Acme"},
		part{"other", "sneaky.pdf", "%PDF-"},
	)
	r := httptest.NewRequest(http.MethodPost, "/ce/submissions", bytes.NewReader(body))
	r.Header.Set("Content-Type", ct)
	form, err := readUploadForm(httptest.NewRecorder(), r, testFormLimits, f.accept)
	if err != nil {
		t.Fatal(err)
	}
	if got := form.Values.Get("title"); got != "Documentation review" || form.Values.Get("provider") != "Acme" || form.Values.Has("notes") {
		t.Errorf("values = %v", form.Values)
	}
	if len(form.Uploads) != 2 || form.Uploads[0].Upload.DisplayName != "notes.pdf" || form.Uploads[1].Upload.DisplayName != "third.pdf" {
		t.Errorf("uploads = %+v", form.Uploads)
	}
	var got []string
	for _, fe := range form.Fields {
		got = append(got, fe.Field+":"+fe.Message)
	}
	want := []string{"evidence:upload.type_unsupported", "evidence:upload.too_large", "notes:upload.form.field_too_long"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("field errors = %v, want %v", got, want)
	}
	if fmt.Sprint(f.stored) != "[evidence:notes.pdf evidence:third.pdf]" {
		t.Errorf("stored %v", f.stored)
	}

	// A third accepted file is one too many.
	ct, body = multipartBody(t, part{"evidence", "a.pdf", "%PDF-a"}, part{"evidence", "b.pdf", "%PDF-b"}, part{"evidence", "c.pdf", "%PDF-c"})
	r = httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	r.Header.Set("Content-Type", ct)
	form, err = readUploadForm(httptest.NewRecorder(), r, testFormLimits, (&fakeAccept{}).accept)
	if err != nil {
		t.Fatal(err)
	}
	if len(form.Uploads) != 2 || len(form.Fields) != 1 || form.Fields[0].Message != "upload.form.too_many" || form.Fields[0].Data["Count"] != 2 {
		t.Errorf("uploads %d, fields %+v", len(form.Uploads), form.Fields)
	}
}

// TestUploadFormRefusals: a body past the form's limit is a 413, a body
// that is not multipart a 400, a refusal other than a bad file (a rate
// limit) ends the request with it, and a client that stops sending is cut
// off by the read deadline with a 400, not a hung handler.
func TestUploadFormRefusals(t *testing.T) {
	f := &fakeAccept{}
	ct, body := multipartBody(t, part{"title", "", strings.Repeat("t", 50)}, part{"evidence", "a.pdf", strings.Repeat("x", 900)},
		part{"evidence", "b.pdf", strings.Repeat("y", 900)})
	lim := testFormLimits
	lim.MaxBody = 1200
	r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	r.Header.Set("Content-Type", ct)
	if _, err := readUploadForm(httptest.NewRecorder(), r, lim, f.accept); portal.HTTPStatus(err) != http.StatusRequestEntityTooLarge {
		t.Errorf("over the body limit: %v (%d)", err, portal.HTTPStatus(err))
	}

	r = httptest.NewRequest(http.MethodPost, "/", strings.NewReader("title=x"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if _, err := readUploadForm(httptest.NewRecorder(), r, testFormLimits, f.accept); portal.HTTPStatus(err) != http.StatusBadRequest {
		t.Errorf("not multipart: %v", err)
	}

	ct, body = multipartBody(t, part{"evidence", "a.pdf", "rate"})
	r = httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	r.Header.Set("Content-Type", ct)
	if _, err := readUploadForm(httptest.NewRecorder(), r, testFormLimits, f.accept); !errors.Is(err, portal.ErrRateLimited) {
		t.Errorf("rate limited: %v", err)
	}

	// A slow client over a real connection.
	lim = testFormLimits
	lim.ReadTimeout = 200 * time.Millisecond
	status := make(chan int, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := readUploadForm(w, r, lim, f.accept)
		status <- portal.HTTPStatus(err)
	}))
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ct, body = multipartBody(t, part{"evidence", "a.pdf", strings.Repeat("x", 500)})
	fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n", ct, len(body))
	if _, err := conn.Write(body[:200]); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-status:
		if got != http.StatusBadRequest {
			t.Errorf("a stalled body: status %d, want 400", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the read deadline did not end a stalled body")
	}
}
