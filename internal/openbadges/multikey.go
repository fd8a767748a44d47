package openbadges

import (
	"bytes"
	"crypto/ed25519"
	"fmt"

	"github.com/mr-tron/base58"
)

// multikeyEd25519 is the multicodec prefix of an Ed25519 public key
// (ed25519-pub, 0xed as a varint).
var multikeyEd25519 = []byte{0xed, 0x01}

// EncodeMultikey returns the publicKeyMultibase of an Ed25519 public key:
// "z" (base58btc) and the base58 of 0xed01 followed by the 32 key bytes.
func EncodeMultikey(pub ed25519.PublicKey) string {
	return "z" + base58.Encode(append(bytes.Clone(multikeyEd25519), pub...))
}

// DecodeMultikey reads a publicKeyMultibase written by EncodeMultikey.
func DecodeMultikey(s string) (ed25519.PublicKey, error) {
	if len(s) < 2 || s[0] != 'z' {
		return nil, fmt.Errorf("%w: multikey %q is not base58btc", ErrKey, s)
	}
	raw, err := base58.Decode(s[1:])
	if err != nil {
		return nil, fmt.Errorf("%w: multikey: %v", ErrKey, err)
	}
	if len(raw) != 2+ed25519.PublicKeySize || !bytes.HasPrefix(raw, multikeyEd25519) {
		return nil, fmt.Errorf("%w: multikey is not an Ed25519 public key", ErrKey)
	}
	return ed25519.PublicKey(raw[2:]), nil
}
