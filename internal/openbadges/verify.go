package openbadges

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/piprate/json-gold/ld"
)

// MaxCredentialSize is the largest credential Verify reads.
const MaxCredentialSize = 2 << 20

// KeyResolver returns the public key of a verification method (a DID URL
// such as did:web:example.org#key-1), or an error when it is unknown.
type KeyResolver func(verificationMethod string) (ed25519.PublicKey, error)

// Forms of a credential.
const (
	FormJSONLD = "json-ld"
	FormJWT    = "vc-jwt"
)

// Names of the checks a Report holds, in order.
const (
	CheckSchema = "schema" // JSON Schema, terms, IRIs, characters
	CheckKey    = "key"    // the verification method resolves and is the issuer's
	CheckProof  = "proof"  // the signature verifies
	CheckDates  = "dates"  // validFrom ≤ now < validUntil
)

// CheckResult is the outcome of one check: Err nil means it passed.
// Skipped is set when an earlier failure left nothing to check.
type CheckResult struct {
	Name    string
	Err     error
	Skipped bool
}

// Report is what Verify found. Status (revocation, suspension) is not
// part of it: the credentials service checks it against its lists.
type Report struct {
	Form               string
	Credential         map[string]any // nil when it could not be read
	VerificationMethod string
	Issuer             string
	ValidFrom          time.Time
	ValidUntil         time.Time // zero: no end
	Checks             []CheckResult
}

// Valid reports whether every check passed.
func (r *Report) Valid() bool {
	for _, c := range r.Checks {
		if c.Err != nil || c.Skipped {
			return false
		}
	}
	return len(r.Checks) > 0
}

// Check returns the result of the named check.
func (r *Report) Check(name string) CheckResult {
	for _, c := range r.Checks {
		if c.Name == name {
			return c
		}
	}
	return CheckResult{Name: name, Skipped: true}
}

// Verify checks a credential given as JSON-LD with an embedded proof or as
// a VC-JWT, at time now, resolving its key with resolve. It never panics
// and never reaches the network.
func Verify(input []byte, resolve KeyResolver, now time.Time, loader ld.DocumentLoader) *Report {
	r := &Report{}
	record := func(name string, err error) bool {
		r.Checks = append(r.Checks, CheckResult{Name: name, Err: err})
		return err == nil
	}
	skip := func(names ...string) *Report {
		for _, n := range names {
			r.Checks = append(r.Checks, CheckResult{Name: n, Skipped: true})
		}
		return r
	}
	if len(input) > MaxCredentialSize {
		record(CheckSchema, fmt.Errorf("%w: larger than %d bytes", ErrInvalid, MaxCredentialSize))
		return skip(CheckKey, CheckProof, CheckDates)
	}
	input = bytes.TrimSpace(input)
	var (
		doc  map[string]any
		tok  *parsedJWT
		err  error
		vmOK error
	)
	if bytes.HasPrefix(input, []byte("{")) {
		r.Form = FormJSONLD
		doc, err = decodeDocument(input)
		if err == nil {
			r.VerificationMethod, vmOK = proofMethod(doc)
		}
	} else {
		r.Form = FormJWT
		tok, err = parseJWT(string(input))
		if err == nil {
			r.VerificationMethod = tok.kid
			doc, err = tok.unverifiedPayload()
		}
	}
	if err != nil {
		// Nothing to check further: the credential cannot be read.
		record(CheckSchema, err)
		return skip(CheckKey, CheckProof, CheckDates)
	}
	r.Credential = doc
	r.Issuer = issuerID(doc)
	schemaErr := Check(doc, loader)
	if r.Form == FormJWT && doc["proof"] != nil {
		schemaErr = errors.Join(schemaErr, fmt.Errorf("%w: a VC-JWT payload carries no embedded proof", ErrInvalid))
	}
	record(CheckSchema, schemaErr)

	// Key: the method must be the issuer's and resolve.
	var pub ed25519.PublicKey
	if vmOK != nil {
		record(CheckKey, vmOK)
	} else {
		pub, err = resolveIssuerKey(r.VerificationMethod, r.Issuer, resolve)
		record(CheckKey, err)
	}
	if pub == nil {
		skip(CheckProof)
	} else if r.Form == FormJSONLD {
		record(CheckProof, verifyDataIntegrity(doc, pub, loader))
	} else {
		_, err := tok.verify(pub)
		record(CheckProof, err)
	}
	record(CheckDates, r.checkDates(doc, now))
	return r
}

func resolveIssuerKey(vm, issuer string, resolve KeyResolver) (pub ed25519.PublicKey, err error) {
	did, _, _ := strings.Cut(vm, "#")
	if issuer == "" || did != issuer {
		return nil, fmt.Errorf("%w: %s is not a key of the issuer %q", ErrKey, vm, issuer)
	}
	if resolve == nil {
		return nil, fmt.Errorf("%w: no key resolver", ErrKey)
	}
	defer func() {
		if p := recover(); p != nil {
			pub, err = nil, fmt.Errorf("%w: resolver failed: %v", ErrKey, p)
		}
	}()
	pub, err = resolve(vm)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrKey, vm, err)
	}
	if len(pub) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%w: %s is not an Ed25519 key", ErrKey, vm)
	}
	return pub, nil
}

// checkDates requires validFrom ≤ now and, when set, now < validUntil.
func (r *Report) checkDates(doc map[string]any, now time.Time) error {
	from, err := dateField(doc, "validFrom")
	if err != nil {
		return err
	}
	r.ValidFrom = from
	if _, ok := doc["validUntil"]; ok {
		until, err := dateField(doc, "validUntil")
		if err != nil {
			return err
		}
		r.ValidUntil = until
		if !now.Before(until) {
			return fmt.Errorf("%w: expired at %s", ErrExpired, until.Format(time.RFC3339))
		}
	}
	if now.Before(from) {
		return fmt.Errorf("%w: valid from %s", ErrNotYetValid, from.Format(time.RFC3339))
	}
	return nil
}

// Date failures.
var (
	ErrExpired     = errors.New("openbadges: credential expired")
	ErrNotYetValid = errors.New("openbadges: credential not yet valid")
)

func dateField(doc map[string]any, name string) (time.Time, error) {
	s, _ := doc[name].(string)
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %s %q is not a date-time", ErrInvalid, name, s)
	}
	return t, nil
}

func issuerID(doc map[string]any) string {
	switch v := doc["issuer"].(type) {
	case string:
		return v
	case map[string]any:
		id, _ := v["id"].(string)
		return id
	}
	return ""
}

func sameJSON(a, b any) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && reflect.DeepEqual(ja, jb)
}
