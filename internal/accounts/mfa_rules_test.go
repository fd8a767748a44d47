package accounts

import "testing"

func TestNormalizeBackupCode(t *testing.T) {
	for in, want := range map[string]string{
		"abcde-fgh23":      "abcdefgh23",
		" ABCDE FGH23 ":    "abcdefgh23",
		"o1l2i-abcde":      "01121abcde",
		"abcdefgh23":       "abcdefgh23",
		"abcde-fgh2":       "",
		"abcde-fgh234":     "",
		"abcde-fgh2u":      "", // u is not in the alphabet
		"abcde-fgh2é":      "",
		"":                 "",
		"abcde-fgh23-abcd": "",
	} {
		got, ok := normalizeBackupCode(in)
		if got != want || ok != (want != "") {
			t.Errorf("normalizeBackupCode(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func TestMFALockDuration(t *testing.T) {
	for n, want := range map[int]string{1: "15m0s", 2: "30m0s", 3: "1h0m0s", 7: "16h0m0s", 8: "24h0m0s", 20: "24h0m0s"} {
		if got := mfaLockDuration(n).String(); got != want {
			t.Errorf("mfaLockDuration(%d) = %s, want %s", n, got, want)
		}
	}
}
