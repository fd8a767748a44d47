package openbadges

import (
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/mr-tron/base58"
	"github.com/piprate/json-gold/ld"
)

// Proof type, cryptosuite and purpose of the embedded proof.
const (
	ProofType    = "DataIntegrityProof"
	Cryptosuite  = "eddsa-rdfc-2022"
	ProofPurpose = "assertionMethod"
)

// ldOptions are the JSON-LD options of every expansion and
// canonicalization: the offline loader and RDFC-1.0 (URDNA2015). json-gold
// defaults to URGNA2012, which orders blank nodes differently: the
// difference shows only in documents with several objects without an id.
func ldOptions(loader ld.DocumentLoader) *ld.JsonLdOptions {
	opts := ld.NewJsonLdOptions("")
	opts.DocumentLoader = loader
	opts.Algorithm = ld.AlgorithmURDNA2015
	opts.Format = "application/n-quads"
	opts.ProcessingMode = ld.JsonLd_1_1
	return opts
}

// Canonicalize returns the RDFC-1.0 canonical N-Quads of doc.
func Canonicalize(doc map[string]any, loader ld.DocumentLoader) (string, error) {
	out, err := ld.NewJsonLdProcessor().Normalize(doc, ldOptions(loader))
	if err != nil {
		return "", fmt.Errorf("%w: canonicalization: %v", ErrInvalid, err)
	}
	s, ok := out.(string)
	if !ok {
		return "", fmt.Errorf("%w: canonicalization returned %T", ErrInvalid, out)
	}
	return s, nil
}

// proofConfig is the proof without its proofValue, with the document's
// @context: what the first half of the signed hash covers.
func proofConfig(proof, doc map[string]any) map[string]any {
	cfg := maps.Clone(proof)
	delete(cfg, "proofValue")
	cfg["@context"] = doc["@context"]
	return cfg
}

// hashData is SHA-256(canonical proof configuration) followed by
// SHA-256(canonical document without proof): the bytes Ed25519 signs.
func hashData(unsecured, cfg map[string]any, loader ld.DocumentLoader) ([]byte, error) {
	canonCfg, err := Canonicalize(cfg, loader)
	if err != nil {
		return nil, err
	}
	canonDoc, err := Canonicalize(unsecured, loader)
	if err != nil {
		return nil, err
	}
	h1 := sha256.Sum256([]byte(canonCfg))
	h2 := sha256.Sum256([]byte(canonDoc))
	return append(h1[:], h2[:]...), nil
}

// Signer signs as one verification method.
type Signer struct {
	Key ed25519.PrivateKey
	// VerificationMethod is the key's DID URL, did:web:…#key-id.
	VerificationMethod string
}

// Sign checks doc (Check) and returns a copy with a DataIntegrityProof
// (eddsa-rdfc-2022) created at created, as a one-element proof array.
func Sign(doc map[string]any, s Signer, created time.Time, loader ld.DocumentLoader) (map[string]any, error) {
	if _, ok := doc["proof"]; ok {
		return nil, fmt.Errorf("%w: document already has a proof", ErrInvalid)
	}
	if err := Check(doc, loader); err != nil {
		return nil, err
	}
	return signUnchecked(doc, s, created, loader)
}

// signUnchecked adds the proof without Check (the W3C vectors are no Open
// Badges).
func signUnchecked(doc map[string]any, s Signer, created time.Time, loader ld.DocumentLoader) (map[string]any, error) {
	if err := checkMethod(s.VerificationMethod); err != nil {
		return nil, err
	}
	proof := map[string]any{
		"type":               ProofType,
		"cryptosuite":        Cryptosuite,
		"created":            formatTime(created),
		"verificationMethod": s.VerificationMethod,
		"proofPurpose":       ProofPurpose,
	}
	data, err := hashData(doc, proofConfig(proof, doc), loader)
	if err != nil {
		return nil, err
	}
	proof["proofValue"] = "z" + base58.Encode(ed25519.Sign(s.Key, data))
	signed := maps.Clone(doc)
	signed["proof"] = []any{proof}
	return signed, nil
}

// checkMethod requires a DID URL with a fragment naming the key.
func checkMethod(vm string) error {
	did, frag, ok := strings.Cut(vm, "#")
	if !ok || frag == "" || !strings.HasPrefix(did, "did:") {
		return fmt.Errorf("%w: verification method %q is not a DID URL with a key fragment", ErrKey, vm)
	}
	return nil
}

// proofMethod returns the verification method of doc's single
// eddsa-rdfc-2022 proof after checking the proof's shape.
func proofMethod(doc map[string]any) (string, error) {
	proof, err := singleProof(doc["proof"])
	if err != nil {
		return "", err
	}
	for _, k := range []string{"type", "cryptosuite", "proofPurpose"} {
		want := map[string]string{"type": ProofType, "cryptosuite": Cryptosuite, "proofPurpose": ProofPurpose}[k]
		if got, _ := proof[k].(string); got != want {
			return "", fmt.Errorf("%w: proof %s is %q, want %q", ErrProof, k, got, want)
		}
	}
	created, _ := proof["created"].(string)
	if _, err := time.Parse(time.RFC3339, created); err != nil {
		return "", fmt.Errorf("%w: proof created %q is not a date-time", ErrProof, created)
	}
	vm, _ := proof["verificationMethod"].(string)
	if err := checkMethod(vm); err != nil {
		return "", err
	}
	return vm, nil
}

// verifyDataIntegrity verifies doc's single proof with pub.
func verifyDataIntegrity(doc map[string]any, pub ed25519.PublicKey, loader ld.DocumentLoader) error {
	proof, err := singleProof(doc["proof"])
	if err != nil {
		return err
	}
	if ctx, ok := proof["@context"]; ok && !sameJSON(ctx, doc["@context"]) {
		return fmt.Errorf("%w: proof @context differs from the document's", ErrProof)
	}
	value, _ := proof["proofValue"].(string)
	if !strings.HasPrefix(value, "z") {
		return fmt.Errorf("%w: proofValue is not base58btc", ErrProof)
	}
	sig, err := base58.Decode(value[1:])
	if err != nil || len(sig) != ed25519.SignatureSize {
		return fmt.Errorf("%w: proofValue is not an Ed25519 signature", ErrProof)
	}
	unsecured := maps.Clone(doc)
	delete(unsecured, "proof")
	data, err := hashData(unsecured, proofConfig(proof, doc), loader)
	if err != nil {
		return err
	}
	if !ed25519.Verify(pub, data, sig) {
		return fmt.Errorf("%w: signature does not match", ErrProof)
	}
	return nil
}

// singleProof accepts a proof object or an array of exactly one.
func singleProof(v any) (map[string]any, error) {
	if arr, ok := v.([]any); ok {
		if len(arr) != 1 {
			return nil, fmt.Errorf("%w: want exactly one proof, found %d", ErrProof, len(arr))
		}
		v = arr[0]
	}
	proof, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: no proof", ErrProof)
	}
	return proof, nil
}
