package openbadges

import (
	"crypto/ed25519"
	"fmt"
	"time"

	"github.com/piprate/json-gold/ld"
)

// SignStatusList returns a copy of a BitstringStatusListCredential with a
// DataIntegrityProof (eddsa-rdfc-2022) created at created. A status list
// is no Open Badge, so the 1EdTech schema does not apply; every other rule
// of Check does: characters, JSON-LD expansion keeping every term, and
// absolute IRIs.
func SignStatusList(doc map[string]any, s Signer, created time.Time, loader ld.DocumentLoader) (map[string]any, error) {
	if _, ok := doc["proof"]; ok {
		return nil, fmt.Errorf("%w: document already has a proof", ErrInvalid)
	}
	if err := checkCharacters(doc, ""); err != nil {
		return nil, err
	}
	expanded, err := checkTerms(doc, loader)
	if err != nil {
		return nil, err
	}
	if err := checkIRIs(expanded); err != nil {
		return nil, err
	}
	return signUnchecked(doc, s, created, loader)
}

// VerifyProof checks the embedded eddsa-rdfc-2022 proof of any signed
// document (a status list credential, say) with pub. It checks nothing
// else: Verify checks credentials.
func VerifyProof(doc map[string]any, pub ed25519.PublicKey, loader ld.DocumentLoader) error {
	return verifyDataIntegrity(doc, pub, loader)
}
