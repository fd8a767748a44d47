package exams

import (
	"testing"

	"golang.org/x/text/currency"
)

// TestEveryCurrencyCanBeFormatted: every currency an exam may be priced in
// is one the money formatting knows, or a newer one with two decimals
// (the formatting's default).
func TestEveryCurrencyCanBeFormatted(t *testing.T) {
	newer := map[string]bool{"MRU": true, "SLE": true, "VED": true, "VES": true, "XCG": true, "ZWG": true}
	for code := range isoCurrencies {
		if _, err := currency.ParseISO(code); err != nil && !newer[code] {
			t.Errorf("%s: %v", code, err)
		}
		if newer[code] && currencyScale(code) != 2 {
			t.Errorf("%s: %d decimals, want 2", code, currencyScale(code))
		}
	}
	if len(isoCurrencies) < 150 {
		t.Errorf("only %d currencies", len(isoCurrencies))
	}
}
