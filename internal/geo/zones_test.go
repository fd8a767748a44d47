package geo

import (
	"testing"
	"time"
)

// TestTimeZone: every country with a zone of its own has one that loads;
// countries with several zones get the most populous one.
func TestTimeZone(t *testing.T) {
	for _, tc := range []struct{ country, want string }{
		{"ES", "Europe/Madrid"},
		{"US", "America/New_York"},
		{"CA", "America/Toronto"},
		{"AU", "Australia/Sydney"},
		{"BR", "America/Sao_Paulo"},
		{"RU", "Europe/Moscow"},
		{"IN", "Asia/Kolkata"},
		{"GB", "Europe/London"},
		{"ZZ", ""},
	} {
		if got := TimeZone(tc.country); got != tc.want {
			t.Errorf("TimeZone(%s) = %q, want %q", tc.country, got, tc.want)
		}
	}
	missing := 0
	for _, c := range Countries("en") {
		z := TimeZone(c.Code)
		if z == "" {
			missing++
			continue
		}
		if _, err := time.LoadLocation(z); err != nil {
			t.Errorf("TimeZone(%s) = %s: %v", c.Code, z, err)
		}
	}
	if missing > 2 {
		t.Errorf("%d countries have no time zone, want at most 2 (BV, HM)", missing)
	}
}
