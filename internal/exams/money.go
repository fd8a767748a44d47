package exams

import (
	"strconv"
	"strings"

	"golang.org/x/text/currency"
)

// Amounts are entered and shown in forms as decimal numbers with a point,
// in the currency's standard number of decimals ("150.00" USD, "15000"
// JPY), and stored as integer minor units.

// currencyScale is the number of decimals of an ISO 4217 currency; 2 for
// an unknown one.
func currencyScale(code string) int {
	unit, err := currency.ParseISO(strings.TrimSpace(code))
	if err != nil {
		return 2
	}
	scale, _ := currency.Standard.Rounding(unit)
	return scale
}

// ParseAmount reads a decimal amount of code ("150", "150.5", "150.50";
// digits and at most one point, no sign, no grouping) into minor units. It
// reports false for anything else, including more decimals than the
// currency has (unless they are zeros) and amounts too large to store.
func ParseAmount(s, code string) (int64, bool) {
	s = strings.TrimSpace(s)
	whole, frac, hasPoint := strings.Cut(s, ".")
	if whole == "" && (!hasPoint || frac == "") {
		return 0, false
	}
	if !digits(whole) || !digits(frac) || len(whole) > 15 {
		return 0, false
	}
	scale := currencyScale(code)
	if len(frac) > scale {
		if strings.Trim(frac[scale:], "0") != "" {
			return 0, false
		}
		frac = frac[:scale]
	}
	frac += strings.Repeat("0", scale-len(frac))
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if whole+frac == "" {
		n, err = 0, nil
	}
	if err != nil {
		return 0, false
	}
	return n, true
}

func digits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// FormatAmount writes minor units of code as ParseAmount reads them:
// FormatAmount(15000, "USD") is "150.00", FormatAmount(15000, "JPY")
// "15000". An unknown currency has two decimals.
func FormatAmount(minor int64, code string) string {
	scale := currencyScale(code)
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	s := strconv.FormatInt(minor, 10)
	if scale == 0 {
		return sign + s
	}
	if len(s) <= scale {
		s = strings.Repeat("0", scale-len(s)+1) + s
	}
	return sign + s[:len(s)-scale] + "." + s[len(s)-scale:]
}
