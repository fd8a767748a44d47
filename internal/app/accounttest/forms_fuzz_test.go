package accounttest

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"example.org/certportal/internal/testutil/apptest"
)

// FuzzForms posts arbitrary bodies to the public forms of the running
// portal (registration, sign-in, password reset request): whatever
// arrives, the answer is a page with a status below 500 (SECURITY.md
// IN-06). Run longer with:
//
//	go test ./internal/app -run '^$' -fuzz FuzzForms -fuzztime 60s -fuzzminimizetime 1s
func FuzzForms(f *testing.F) {
	for _, seed := range []string{
		"email=a%40example.org&password=x",
		"email=%00&password=%FF%FE",
		"first_name=%E2%80%AE&last_name=%22%3E%3Cimg+src%3Dx%3E&email=x&password=Aa1aaaaa&country=US&region=US-CA&language=en",
		"email=" + strings.Repeat("a", 5000) + "%40b.co",
		"email=a%40b.co&email=c%40d.co&password=1&password=2",
		"%%%&&&===",
		"country=..%2F..%2Fetc&region=%0D%0AX-Injected%3A+1",
	} {
		f.Add("/register", seed)
		f.Add("/signin", seed)
		f.Add("/password/forgot", seed)
	}
	a := apptest.Start(f, "sqlite")
	c := a.Client()
	f.Fuzz(func(t *testing.T, path, body string) {
		switch path {
		case "/register", "/signin", "/password/forgot":
		default:
			t.Skip()
		}
		req, err := http.NewRequest(http.MethodPost, a.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Fatalf("POST %s %q: %d\n%s", path, body, resp.StatusCode, b)
		}
		if strings.Contains(string(b), "goroutine ") {
			t.Fatalf("POST %s: a stack trace reached the page", path)
		}
	})
}
