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

// Verify sends a credential to the verify API as a verifier's server does
// (no Origin, no Sec-Fetch-Site) and returns the answer; any status but
// 200 fails the test.
func (a *App) Verify(tb testing.TB, contentType string, body []byte) VerifyAnswer {
	tb.Helper()
	req, err := http.NewRequest(http.MethodPost, a.URL+"/api/v1/credentials/verify", bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := a.Client().Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	raw := Body(tb, resp)
	var v VerifyAnswer
	if err := json.Unmarshal([]byte(raw), &v); resp.StatusCode != http.StatusOK || err != nil {
		tb.Fatalf("verify API: %d, %v\n%s", resp.StatusCode, err, raw)
	}
	return v
}
