package openbadges

import (
	"crypto/ed25519"
	"encoding/json"
	"fmt"

	"github.com/go-jose/go-jose/v4"
	"github.com/piprate/json-gold/ld"
)

// JWTType is the typ header of a VC-JWT.
const JWTType = "vc+jwt"

// SignJWT checks doc (Check) and returns it as a VC-JWT: a compact JWS
// (EdDSA, typ vc+jwt, kid the key's DID URL) whose payload is the
// credential itself (VC-JOSE-COSE).
func SignJWT(doc map[string]any, s Signer, loader ld.DocumentLoader) (string, error) {
	if _, ok := doc["proof"]; ok {
		return "", fmt.Errorf("%w: a VC-JWT carries the credential without an embedded proof", ErrInvalid)
	}
	if err := Check(doc, loader); err != nil {
		return "", err
	}
	if err := checkMethod(s.VerificationMethod); err != nil {
		return "", err
	}
	payload, err := json.Marshal(doc)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.EdDSA, Key: jose.JSONWebKey{Key: s.Key, KeyID: s.VerificationMethod}},
		(&jose.SignerOptions{}).WithType(JWTType))
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

// parsedJWT is a VC-JWT read but not yet verified.
type parsedJWT struct {
	jws *jose.JSONWebSignature
	kid string
}

// parseJWT reads a compact JWS that is EdDSA-signed with typ vc+jwt and
// a kid DID URL.
func parseJWT(token string) (*parsedJWT, error) {
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil {
		return nil, fmt.Errorf("%w: not an EdDSA JWS: %v", ErrProof, err)
	}
	if len(jws.Signatures) != 1 {
		return nil, fmt.Errorf("%w: want one signature", ErrProof)
	}
	h := jws.Signatures[0].Protected
	if typ, _ := h.ExtraHeaders[jose.HeaderType].(string); typ != JWTType {
		return nil, fmt.Errorf("%w: typ is %q, want %q", ErrProof, typ, JWTType)
	}
	if err := checkMethod(h.KeyID); err != nil {
		return nil, err
	}
	return &parsedJWT{jws: jws, kid: h.KeyID}, nil
}

// verify checks the signature with pub and returns the credential.
func (p *parsedJWT) verify(pub ed25519.PublicKey) (map[string]any, error) {
	payload, err := p.jws.Verify(pub)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrProof, err)
	}
	return decodeDocument(payload)
}

// unverifiedPayload returns the credential without checking the
// signature, for the checks that do not depend on it.
func (p *parsedJWT) unverifiedPayload() (map[string]any, error) {
	return decodeDocument(p.jws.UnsafePayloadWithoutVerification())
}
