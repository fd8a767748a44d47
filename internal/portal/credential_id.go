package portal

import (
	"crypto/rand"
	"errors"
	"strings"
)

// A CredentialID names one issued credential publicly: 128 random bits
// written as 26 characters of Crockford's base32 alphabet followed by
// Crockford's check symbol (the 128-bit value modulo 37). The check symbol
// catches any single wrong character and any swap of two adjacent
// characters: 37 is a prime that divides neither 32^i, nor a difference of
// two digits (less than 32), nor 31 (the factor a swap of neighbours
// contributes). A CredentialID holds the 27 characters in canonical form
// (upper case, no separators); String groups them by four for people.
type CredentialID string

// credentialIDDigits is the number of base32 digits of the 128-bit value.
const credentialIDDigits = 26

// crockford is the base32 alphabet (no I, L, O, U); crockfordCheck extends
// it with the five check symbols for 32 to 36.
const (
	crockford      = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	crockfordCheck = crockford + "*~$=U"
)

// ErrCredentialID is any text that is not a well-formed credential ID.
var ErrCredentialID = errors.New("credential ID: not a valid credential ID")

// NewCredentialID draws a credential ID from crypto/rand.
func NewCredentialID() (CredentialID, error) {
	var v [16]byte
	if _, err := rand.Read(v[:]); err != nil {
		return "", err
	}
	return credentialIDFromBytes(v), nil
}

// CredentialIDFromBytes writes a given 128-bit value as a credential ID.
// Only a generator of test data, whose IDs must follow from its seed,
// takes the value from elsewhere than crypto/rand.
func CredentialIDFromBytes(v [16]byte) CredentialID { return credentialIDFromBytes(v) }

// credentialIDFromBytes writes a 128-bit big-endian value as a credential
// ID.
func credentialIDFromBytes(v [16]byte) CredentialID {
	var digits [credentialIDDigits + 1]byte
	// Read the value five bits at a time from the least significant end.
	hi := uint64(v[0])<<56 | uint64(v[1])<<48 | uint64(v[2])<<40 | uint64(v[3])<<32 |
		uint64(v[4])<<24 | uint64(v[5])<<16 | uint64(v[6])<<8 | uint64(v[7])
	lo := uint64(v[8])<<56 | uint64(v[9])<<48 | uint64(v[10])<<40 | uint64(v[11])<<32 |
		uint64(v[12])<<24 | uint64(v[13])<<16 | uint64(v[14])<<8 | uint64(v[15])
	for i := credentialIDDigits - 1; i >= 0; i-- {
		digits[i] = crockford[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	digits[credentialIDDigits] = crockfordCheck[checkValue(digits[:credentialIDDigits])]
	return CredentialID(digits[:])
}

// checkValue is the value of the base32 digits modulo 37.
func checkValue(digits []byte) int {
	r := 0
	for _, c := range digits {
		r = (r*32 + strings.IndexByte(crockford, c)) % 37
	}
	return r
}

// ParseCredentialID reads a credential ID as people type it: any case,
// with spaces or hyphens anywhere, I and L read as 1 and O as 0. The value
// must fit in 128 bits and the check symbol must match.
func ParseCredentialID(s string) (CredentialID, error) {
	if len(s) > 80 {
		return "", ErrCredentialID
	}
	out := make([]byte, 0, credentialIDDigits+1)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '-' || c == ' ':
			continue
		case c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
		}
		switch c {
		case 'I', 'L':
			c = '1'
		case 'O':
			c = '0'
		}
		if len(out) == credentialIDDigits+1 {
			return "", ErrCredentialID
		}
		alphabet := crockford
		if len(out) == credentialIDDigits {
			alphabet = crockfordCheck
		}
		if strings.IndexByte(alphabet, c) < 0 {
			return "", ErrCredentialID
		}
		out = append(out, c)
	}
	if len(out) != credentialIDDigits+1 {
		return "", ErrCredentialID
	}
	// 26 digits hold 130 bits: the first may use only its three low bits.
	if strings.IndexByte(crockford, out[0]) > 7 {
		return "", ErrCredentialID
	}
	if crockfordCheck[checkValue(out[:credentialIDDigits])] != out[credentialIDDigits] {
		return "", ErrCredentialID
	}
	return CredentialID(out), nil
}

// String is the ID in groups of four joined by hyphens
// (XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXX), the form shown to people.
func (id CredentialID) String() string {
	var b strings.Builder
	for i := 0; i < len(id); i++ {
		if i > 0 && i%4 == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(id[i])
	}
	return b.String()
}
