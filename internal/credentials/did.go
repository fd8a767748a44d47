package credentials

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"example.org/certportal/internal/openbadges"
)

// DID derives the program's did:web from the portal's base URL: the host
// in lower case, a port other than the scheme's default percent-encoded
// (did:web:example.org%3A8443), and each path segment after a colon. The
// scheme does not enter the DID: with an http:// base URL the DID is the
// same as with https://, but resolvers fetch the DID document over HTTPS
// only, so public verifiers need the portal served over HTTPS.
func DID(baseURL string) (string, error) {
	u, err := url.Parse(baseURL)
	if err != nil || u.Hostname() == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", fmt.Errorf("credentials: base URL %q has no host to derive a did:web from", baseURL)
	}
	var b strings.Builder
	b.WriteString("did:web:")
	b.WriteString(strings.ToLower(u.Hostname()))
	if port := u.Port(); port != "" && !(u.Scheme == "https" && port == "443") && !(u.Scheme == "http" && port == "80") {
		b.WriteString("%3A")
		b.WriteString(port)
	}
	for _, seg := range strings.Split(strings.Trim(u.Path, "/"), "/") {
		if seg != "" {
			b.WriteString(":")
			b.WriteString(url.PathEscape(seg))
		}
	}
	return b.String(), nil
}

// KeyID is the DID URL of key number n: did:web:…#key-n.
func KeyID(did string, n int) string {
	return fmt.Sprintf("%s#key-%d", did, n)
}

// DIDDocument is the program's DID document, served at
// /.well-known/did.json.
type DIDDocument struct {
	Context            []string             `json:"@context"`
	ID                 string               `json:"id"`
	VerificationMethod []VerificationMethod `json:"verificationMethod"`
	AssertionMethod    []string             `json:"assertionMethod"`
}

// VerificationMethod is one key of the DID document, as a Multikey.
type VerificationMethod struct {
	ID                 string `json:"id"`
	Type               string `json:"type"`
	Controller         string `json:"controller"`
	PublicKeyMultibase string `json:"publicKeyMultibase"`
}

// DIDDocument lists every signing key, current and retired, as a Multikey
// that may assert credentials: a credential signed before a rotation keeps
// verifying. Before the first credential there are no keys yet and the
// lists are empty (reading never creates a key).
func (s *Service) DIDDocument(ctx context.Context) (*DIDDocument, error) {
	did, err := DID(s.cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	keys, err := s.st.ListSigningKeys(ctx)
	if err != nil {
		return nil, err
	}
	doc := &DIDDocument{
		Context:            []string{"https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"},
		ID:                 did,
		VerificationMethod: []VerificationMethod{},
		AssertionMethod:    []string{},
	}
	for _, k := range keys {
		id := KeyID(did, k.Number)
		doc.VerificationMethod = append(doc.VerificationMethod, VerificationMethod{ID: id, Type: "Multikey", Controller: did,
			PublicKeyMultibase: openbadges.EncodeMultikey(k.PublicKey)})
		doc.AssertionMethod = append(doc.AssertionMethod, id)
	}
	return doc, nil
}
