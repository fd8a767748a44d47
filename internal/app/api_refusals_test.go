package app_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil/apptest"
)

// TestAPICrossOriginRefusalIsJSON: a state change on the API from another
// site is refused in the API's JSON error envelope, not with an HTML page.
func TestAPICrossOriginRefusalIsJSON(t *testing.T) {
	a := apptest.Start(t, store.SQLite, apptest.WithArgs("--demo"))
	cand := apptest.DemoCandidateRe.FindStringSubmatch(a.Stdout())
	c := a.SignInToDashboard(t, cand[1], cand[2])
	for _, tc := range []struct {
		name    string
		headers []string
	}{
		{"cross-site fetch metadata", []string{"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"}},
		{"foreign origin", []string{"Origin", "https://evil.example"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			headers := append([]string{"Idempotency-Key", "cross-" + tc.name}, tc.headers...)
			r := a.API(t, c, http.MethodPost, "/api/v1/holds", `{"slot_id": 1}`, headers...)
			if r.Status != http.StatusForbidden || r.ErrorField("code") != "forbidden" || r.ErrorField("message_id") != "error.cross_origin" || r.ErrorField("message") == "" {
				t.Errorf("cross-origin POST: %d %s, want 403 with code forbidden and message_id error.cross_origin", r.Status, r.Raw)
			}
		})
	}
}

// TestAPIRefusalReachesAClientThatSendsItsWholeBodyFirst: a request with
// an invalid Idempotency-Key and a large body (well over what the server
// throws away on its own) is answered with a readable 400 in the JSON
// envelope, also for a client that writes its whole request before it
// reads; a body over the API's limit is a readable 413.
func TestAPIRefusalReachesAClientThatSendsItsWholeBodyFirst(t *testing.T) {
	a := apptest.Start(t, store.SQLite, apptest.WithArgs("--demo"))
	cand := apptest.DemoCandidateRe.FindStringSubmatch(a.Stdout())
	c := a.SignInToDashboard(t, cand[1], cand[2])
	req, _ := http.NewRequest(http.MethodGet, a.URL, nil)
	var cookie string
	for _, ck := range c.Jar.Cookies(req.URL) {
		cookie += ck.Name + "=" + ck.Value + "; "
	}
	for _, tc := range []struct {
		name      string
		key       string
		size      int
		want      int
		messageID string
	}{
		{"invalid key, large body", strings.Repeat("k", 300), 900 << 10, http.StatusBadRequest, "idempotency.key_invalid"},
		{"valid key, body over the limit", "large-body", 900 << 10, http.StatusRequestEntityTooLarge, "error.too_large"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", strings.TrimPrefix(a.URL, "http://"))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			// A small send buffer, so that the body cannot hide in the
			// kernel's buffers: the write finishes only when the server
			// reads the body.
			if err := conn.(*net.TCPConn).SetWriteBuffer(32 << 10); err != nil {
				t.Fatal(err)
			}
			// A bound so that a broken server fails the test instead of
			// hanging it; the answer comes long before.
			_ = conn.SetDeadline(time.Now().Add(60 * time.Second))
			payload := append(append([]byte(`{"slot_id": 1, "pad": "`), bytes.Repeat([]byte("x"), tc.size)...), `"}`...)
			head := "POST /api/v1/holds HTTP/1.1\r\nHost: " + strings.TrimPrefix(a.URL, "http://") +
				"\r\nContent-Type: application/json\r\nCookie: " + cookie +
				"\r\nIdempotency-Key: " + tc.key + "\r\nContent-Length: " + strconv.Itoa(len(payload)) + "\r\n\r\n"
			if _, err := conn.Write(append([]byte(head), payload...)); err != nil {
				t.Fatalf("sending the request: %v", err)
			}
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("reading the answer: %v", err)
			}
			raw, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatalf("reading the answer's body: %v", err)
			}
			var got struct {
				Error struct {
					Code      string `json:"code"`
					MessageID string `json:"message_id"`
				} `json:"error"`
			}
			if err := json.Unmarshal(raw, &got); err != nil || resp.StatusCode != tc.want || got.Error.MessageID != tc.messageID {
				t.Errorf("answer %d %.300s, want %d with message_id %s", resp.StatusCode, raw, tc.want, tc.messageID)
			}
		})
	}
}
