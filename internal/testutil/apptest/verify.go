package apptest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
)

// VerifyAnswer is what the verify API (POST /api/v1/credentials/verify)
// answered: the verdict, the form it read and each check in order.
type VerifyAnswer struct {
	Verified   bool   `json:"verified"`
	Form       string `json:"form"`
	StatusAsOf string `json:"status_as_of"`
	Checks     []struct {
		Check  string `json:"check"`
		OK     bool   `json:"ok"`
		Detail string `json:"detail"`
	} `json:"checks"`
}

// Failed lists the checks that did not pass.
func (v VerifyAnswer) Failed() []string {
	var out []string
	for _, c := range v.Checks {
		if !c.OK {
			out = append(out, c.Check)
		}
	}
	return out
}

// PostVerify sends a credential to the verify API as a verifier's server
// does (no Origin, no Sec-Fetch-Site), with extra headers in pairs, and
// returns the response with its body read.
func (a *App) PostVerify(tb testing.TB, contentType string, body []byte, headers ...string) (*http.Response, string) {
	tb.Helper()
	req, err := http.NewRequest(http.MethodPost, a.URL+"/api/v1/credentials/verify", bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := a.Client().Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	return resp, Body(tb, resp)
}

// Verify sends a credential to the verify API and returns the answer; any
// status but 200 fails the test.
func (a *App) Verify(tb testing.TB, contentType string, body []byte) VerifyAnswer {
	tb.Helper()
	resp, raw := a.PostVerify(tb, contentType, body)
	var v VerifyAnswer
	if err := json.Unmarshal([]byte(raw), &v); resp.StatusCode != http.StatusOK || err != nil {
		tb.Fatalf("verify API: %d, %v\n%s", resp.StatusCode, err, raw)
	}
	return v
}
