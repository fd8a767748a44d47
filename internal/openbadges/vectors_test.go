package openbadges

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mr-tron/base58"
)

// w3cLoader serves the bundled contexts and the examples context of the
// W3C vectors.
func w3cLoader(t testing.TB) *Loader {
	t.Helper()
	l, err := newLoader(map[string][]byte{
		"https://www.w3.org/ns/credentials/examples/v2": readVector(t, "examples-v2.json"),
	})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func readVector(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "w3c", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func readVectorJSON(t testing.TB, name string) map[string]any {
	t.Helper()
	doc, err := decodeDocument(readVector(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// w3cKey decodes the vectors' key pair: a Multikey public key and an
// Ed25519 seed with the multicodec prefix 0x8026.
func w3cKey(t testing.TB) (ed25519.PublicKey, ed25519.PrivateKey) {
	t.Helper()
	var kp struct{ PublicKeyMultibase, PrivateKeyMultibase string }
	if err := json.Unmarshal(readVector(t, "keyPair.json"), &kp); err != nil {
		t.Fatal(err)
	}
	pub, err := DecodeMultikey(kp.PublicKeyMultibase)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base58.Decode(strings.TrimPrefix(kp.PrivateKeyMultibase, "z"))
	if err != nil || len(raw) != 34 || raw[0] != 0x80 || raw[1] != 0x26 {
		t.Fatalf("private key multibase: %x %v", raw, err)
	}
	priv := ed25519.NewKeyFromSeed(raw[2:])
	if !bytes.Equal(priv.Public().(ed25519.PublicKey), pub) {
		t.Fatal("vector key pair does not match")
	}
	if got := EncodeMultikey(pub); got != kp.PublicKeyMultibase {
		t.Fatalf("EncodeMultikey = %s, want %s", got, kp.PublicKeyMultibase)
	}
	return pub, priv
}

func trimmed(t testing.TB, name string) string {
	return strings.TrimSpace(string(readVector(t, name)))
}

// TestW3CVectors: every intermediate value of the eddsa-rdfc-2022 vectors
// comes out byte for byte: canonical document and proof configuration,
// both hashes, their concatenation, the signature and the signed document.
func TestW3CVectors(t *testing.T) {
	loader := w3cLoader(t)
	pub, priv := w3cKey(t)
	unsigned := readVectorJSON(t, "unsigned.json")
	cfg := readVectorJSON(t, "proofConfigDataInt.json")

	canonDoc, err := Canonicalize(unsigned, loader)
	if err != nil {
		t.Fatal(err)
	}
	if canonDoc != string(readVector(t, "canonDocDataInt.txt")) {
		t.Errorf("canonical document:\n%s\nwant:\n%s", canonDoc, readVector(t, "canonDocDataInt.txt"))
	}
	canonCfg, err := Canonicalize(cfg, loader)
	if err != nil {
		t.Fatal(err)
	}
	if canonCfg != string(readVector(t, "proofCanonDataInt.txt")) {
		t.Errorf("canonical proof configuration:\n%s\nwant:\n%s", canonCfg, readVector(t, "proofCanonDataInt.txt"))
	}
	docHash := sha256.Sum256([]byte(canonDoc))
	if got := hex.EncodeToString(docHash[:]); got != trimmed(t, "docHashDataInt.txt") {
		t.Errorf("document hash %s, want %s", got, trimmed(t, "docHashDataInt.txt"))
	}
	cfgHash := sha256.Sum256([]byte(canonCfg))
	if got := hex.EncodeToString(cfgHash[:]); got != trimmed(t, "proofHashDataInt.txt") {
		t.Errorf("proof hash %s, want %s", got, trimmed(t, "proofHashDataInt.txt"))
	}

	// The proof configuration the code builds from the proof is the
	// vector's: the proof's fields plus the document's @context.
	proof := map[string]any{}
	for k, v := range cfg {
		if k != "@context" {
			proof[k] = v
		}
	}
	proof["proofValue"] = "ignored"
	if !sameJSON(proofConfig(proof, unsigned), cfg) {
		t.Errorf("proofConfig = %v, want %v", proofConfig(proof, unsigned), cfg)
	}
	data, err := hashData(unsigned, proofConfig(proof, unsigned), loader)
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(data); got != trimmed(t, "combinedHashDataInt.txt") {
		t.Errorf("hashData %s, want %s", got, trimmed(t, "combinedHashDataInt.txt"))
	}
	sig := "z" + base58.Encode(ed25519.Sign(priv, data))
	if sig != trimmed(t, "sigBTC58DataInt.txt") {
		t.Errorf("proofValue %s, want %s", sig, trimmed(t, "sigBTC58DataInt.txt"))
	}

	signed := readVectorJSON(t, "signedDataInt.json")
	if err := verifyDataIntegrity(signed, pub, loader); err != nil {
		t.Errorf("signed vector does not verify: %v", err)
	}
	vm, err := proofMethod(signed)
	if err != nil || vm != cfg["verificationMethod"] {
		t.Errorf("proofMethod = %q, %v", vm, err)
	}
	created, _ := time.Parse(time.RFC3339, cfg["created"].(string))
	ours, err := signUnchecked(unsigned, Signer{Key: priv, VerificationMethod: vm}, created, loader)
	if err != nil {
		t.Fatal(err)
	}
	if got := ours["proof"].([]any)[0].(map[string]any)["proofValue"]; got != signed["proof"].(map[string]any)["proofValue"] {
		t.Errorf("Sign's proofValue %v, want the vector's", got)
	}
}
