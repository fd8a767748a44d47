package exams_test

import (
	"testing"

	"example.org/certportal/internal/exams"
)

func TestParseAmount(t *testing.T) {
	for _, tc := range []struct {
		in, currency string
		want         int64
		ok           bool
	}{
		{"150.00", "USD", 15000, true},
		{" 150 ", "USD", 15000, true},
		{"150.5", "USD", 15050, true},
		{"150.", "USD", 15000, true},
		{".5", "USD", 50, true},
		{"0", "USD", 0, true},
		{"150.500", "USD", 15050, true},
		{"100000.00", "USD", 10_000_000, true},
		{"15000", "JPY", 15000, true},
		{"15000.0", "JPY", 15000, true},
		{"1.234", "BHD", 1234, true},
		{"150.005", "USD", 0, false},
		{"15000.5", "JPY", 0, false},
		{"-5", "USD", 0, false},
		{"1,000.00", "USD", 0, false},
		{"150,00", "USD", 0, false},
		{"$150", "USD", 0, false},
		{"", "USD", 0, false},
		{".", "USD", 0, false},
		{"1e3", "USD", 0, false},
		{"9999999999999999", "USD", 0, false},
		{"12.34", "XYZ", 1234, true}, // unknown currency: two decimals
	} {
		got, ok := exams.ParseAmount(tc.in, tc.currency)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseAmount(%q, %s) = %d, %t; want %d, %t", tc.in, tc.currency, got, ok, tc.want, tc.ok)
		}
	}
}

func TestFormatAmount(t *testing.T) {
	for _, tc := range []struct {
		minor    int64
		currency string
		want     string
	}{
		{15000, "USD", "150.00"},
		{5, "USD", "0.05"},
		{0, "EUR", "0.00"},
		{15000, "JPY", "15000"},
		{1234, "BHD", "1.234"},
		{-250, "USD", "-2.50"},
		{10_000_000, "", "100000.00"},
	} {
		got := exams.FormatAmount(tc.minor, tc.currency)
		if got != tc.want {
			t.Errorf("FormatAmount(%d, %s) = %q, want %q", tc.minor, tc.currency, got, tc.want)
		}
		if back, ok := exams.ParseAmount(got, tc.currency); tc.minor >= 0 && (!ok || back != tc.minor) {
			t.Errorf("ParseAmount(FormatAmount(%d)) = %d, %t", tc.minor, back, ok)
		}
	}
}
