package accounts

import (
	_ "embed"
	"strings"
	"sync"
	"unicode"
)

//go:generate go run data/gen.go -in ${ZXCVBN_COMMON_DIR} -out data

// commonPasswords is the offline blocklist (SECURITY.md §2.1, AUTH-03): about
// 49,000 common and breached passwords from @zxcvbn-ts/language-common plus a
// small supplement (data/gen.go, data/LICENSE-zxcvbn-ts.txt), one per line,
// lower-case, at least 4 characters, sorted bytewise.
//
//go:embed data/common-passwords.txt
var commonPasswords string

// blocklist indexes commonPasswords without copying it: entry i is
// commonPasswords[starts[i]:starts[i+1]-1]. That is 4 bytes of heap per
// entry (about 200 KB), against 16 for a []string or more for a map.
var blocklist = sync.OnceValue(func() []uint32 {
	starts := make([]uint32, 0, strings.Count(commonPasswords, "\n")+1)
	i := 0
	for i < len(commonPasswords) {
		starts = append(starts, uint32(i))
		j := strings.IndexByte(commonPasswords[i:], '\n')
		if j < 0 {
			j = len(commonPasswords) - i // last line without a newline
		}
		i += j + 1
	}
	return append(starts, uint32(i)) // one past the last line's newline
})

// listed reports whether w is a line of commonPasswords (binary search).
func listed(w string) bool {
	if len(w) < 4 {
		return false
	}
	starts := blocklist()
	lo, hi := 0, len(starts)-1
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		e := commonPasswords[starts[m] : starts[m+1]-1]
		switch strings.Compare(e, w) {
		case 0:
			return true
		case -1:
			lo = m + 1
		default:
			hi = m
		}
	}
	return false
}

// isCommonPassword reports whether pw is on the offline blocklist, or is a
// listed word dressed up the usual ways. It checks, lower-cased:
//
//  1. the whole password ("Password1", "qwerty123", "iloveyou");
//  2. its stem with trailing digits, symbols and spaces removed
//     ("Summer2024!" → "summer", "Welcome1!" → "welcome");
//  3. that stem with leading ones removed too ("123password", "!Monkey99");
//
// each as typed and with common leet substitutions undone (0→o, 1→i or l,
// 3→e, 4→a, 5→s, 7→t, @→a, $→s): "P@ssw0rd", "Dr4g0n2024" → "dragon".
//
// So a listed word, season, month or name followed by digits or symbols is
// refused: the policy's message says the password is too common. A strong
// password that merely contains a listed word ("Tr0ub4dor&3x", a passphrase)
// is accepted: only the whole password or its stem is looked up.
func isCommonPassword(pw string) bool {
	lw := strings.ToLower(pw)
	notLetter := func(r rune) bool { return !unicode.IsLetter(r) }
	stem := strings.TrimRightFunc(lw, notLetter)
	for _, c := range [...]string{lw, stem, strings.TrimLeftFunc(stem, notLetter)} {
		if listed(c) || listed(unleet(c, 'i')) || listed(unleet(c, 'l')) {
			return true
		}
	}
	return false
}

// unleet undoes common leet substitutions; one stands for one.
func unleet(s string, one rune) string {
	if !strings.ContainsAny(s, "013457@$") {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch r {
		case '0':
			return 'o'
		case '1':
			return one
		case '3':
			return 'e'
		case '4', '@':
			return 'a'
		case '5', '$':
			return 's'
		case '7':
			return 't'
		}
		return r
	}, s)
}
