package credentials

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"example.org/certportal/internal/openbadges"
	"example.org/certportal/internal/portal"
)

// CheckStatus is the check of a credential's status list entries
// (revocation, suspension), after openbadges' schema, key, proof and
// dates.
const CheckStatus = "status"

// VerifyCheck is the outcome of one check of an uploaded credential.
type VerifyCheck struct {
	Name   string
	OK     bool
	Detail string
}

// VerifyResult is what verifying an uploaded credential found: the checks
// schema, key, proof, status and dates, in that order, and whether all
// passed.
type VerifyResult struct {
	Verified bool
	Form     string // openbadges.FormJSONLD or openbadges.FormJWT
	// Baked is the media type of the badge image the credential was read
	// from (openbadges.MediaPNG or MediaSVG), or "".
	Baked string
	// StatusAsOf is the time the status lists read were made: now for the
	// portal's own database, the kit's time offline.
	StatusAsOf time.Time
	Checks     []VerifyCheck
}

// statusBit reads one status entry: whether bit index of the list at url
// (of purpose) is set. It fails when the list is not one it can read.
type statusBit func(purpose, url string, index int) (bool, error)

// verify runs openbadges.Verify and then the status check, which reads the
// credential's status entries with status. A baked PNG or SVG badge is
// unbaked first.
func verify(input []byte, resolve openbadges.KeyResolver, now time.Time, loader *openbadges.Loader, status statusBit) *VerifyResult {
	baked := openbadges.Baked(input)
	if baked != "" {
		cred, err := openbadges.Unbake(input)
		if err != nil {
			out := &VerifyResult{Baked: baked, Checks: []VerifyCheck{{Name: openbadges.CheckSchema, Detail: err.Error()}}}
			for _, name := range []string{openbadges.CheckKey, openbadges.CheckProof, CheckStatus, openbadges.CheckDates} {
				out.Checks = append(out.Checks, VerifyCheck{Name: name, Detail: "not checked: an earlier check failed"})
			}
			return out
		}
		input = []byte(cred)
	}
	rep := openbadges.Verify(input, resolve, now, loader)
	out := &VerifyResult{Form: rep.Form, Baked: baked}
	for _, name := range []string{openbadges.CheckSchema, openbadges.CheckKey, openbadges.CheckProof} {
		out.Checks = append(out.Checks, fromCheck(rep.Check(name)))
	}
	if rep.Credential == nil {
		out.Checks = append(out.Checks, VerifyCheck{Name: CheckStatus, Detail: "not checked: the credential cannot be read"})
	} else {
		out.Checks = append(out.Checks, checkStatus(rep.Credential, status))
	}
	out.Checks = append(out.Checks, fromCheck(rep.Check(openbadges.CheckDates)))
	out.Verified = true
	for _, c := range out.Checks {
		out.Verified = out.Verified && c.OK
	}
	return out
}

func fromCheck(c openbadges.CheckResult) VerifyCheck {
	switch {
	case c.Skipped:
		return VerifyCheck{Name: c.Name, Detail: "not checked: an earlier check failed"}
	case c.Err != nil:
		return VerifyCheck{Name: c.Name, Detail: c.Err.Error()}
	}
	detail := map[string]string{
		openbadges.CheckSchema: "the credential is a well-formed Open Badges 3.0 credential",
		openbadges.CheckKey:    "the verification method is a key of the issuer's DID document",
		openbadges.CheckProof:  "the signature verifies",
		openbadges.CheckDates:  "the credential is within its validity period",
	}[c.Name]
	return VerifyCheck{Name: c.Name, OK: true, Detail: detail}
}

// checkStatus reads every BitstringStatusListEntry of the credential: a
// set bit of the revocation list fails it as revoked, of the suspension
// list as suspended. An entry whose list cannot be read fails it too: its
// status is unknown.
func checkStatus(doc map[string]any, status statusBit) VerifyCheck {
	var entries []any
	switch v := doc["credentialStatus"].(type) {
	case nil:
		return VerifyCheck{Name: CheckStatus, OK: true, Detail: "the credential has no status entries"}
	case []any:
		entries = v
	default:
		entries = []any{v}
	}
	var problems []string
	for _, e := range entries {
		m, _ := e.(map[string]any)
		typ, _ := m["type"].(string)
		purpose, _ := m["statusPurpose"].(string)
		url, _ := m["statusListCredential"].(string)
		idxText, _ := m["statusListIndex"].(string)
		idx, err := strconv.Atoi(idxText)
		if typ != "BitstringStatusListEntry" || url == "" || err != nil || idx < 0 || strconv.Itoa(idx) != idxText {
			problems = append(problems, "a status entry is not a readable BitstringStatusListEntry")
			continue
		}
		set, err := status(purpose, url, idx)
		switch {
		case err != nil:
			problems = append(problems, fmt.Sprintf("%s list %s: %v", purpose, url, err))
		case set && purpose == portal.StatusRevocation:
			problems = append(problems, "revoked")
		case set && purpose == portal.StatusSuspension:
			problems = append(problems, "suspended")
		case set:
			problems = append(problems, fmt.Sprintf("%s bit set", purpose))
		}
	}
	if len(problems) > 0 {
		return VerifyCheck{Name: CheckStatus, Detail: strings.Join(problems, "; ")}
	}
	return VerifyCheck{Name: CheckStatus, OK: true, Detail: "neither revoked nor suspended"}
}

// errForeignList is an entry naming a list this portal does not publish.
var errForeignList = errors.New("not a status list of this portal")

// Verify checks an uploaded credential (JSON-LD with its proof, or a
// VC-JWT) against this portal: its schema, that its key is one of the
// program's keys (current or retired), its proof, its status on the
// portal's own lists (read from the database) and its dates at now. It is
// open to anyone; a credential that fails is a result, not an error.
func (s *Service) Verify(ctx context.Context, input []byte) (*VerifyResult, error) {
	did, err := DID(s.cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	keys, err := s.st.ListSigningKeys(ctx)
	if err != nil {
		return nil, err
	}
	pubs := map[string]ed25519.PublicKey{}
	for _, k := range keys {
		pubs[KeyID(did, k.Number)] = ed25519.PublicKey(k.PublicKey)
	}
	now := s.clock.Now()
	var storeErr error
	status := func(purpose, url string, index int) (bool, error) {
		prefix := s.cfg.BaseURL + "/credentials/status/" + purpose + "/"
		n, err := strconv.Atoi(strings.TrimPrefix(url, prefix))
		if !strings.HasPrefix(url, prefix) || err != nil || !slices.Contains(portal.StatusPurposes, purpose) {
			return false, errForeignList
		}
		list, err := s.st.FindStatusListByNumber(ctx, purpose, n)
		if errors.Is(err, portal.ErrNotFound) {
			return false, errForeignList
		}
		if err != nil {
			storeErr = err
			return false, err
		}
		if index >= list.Size || index/8 >= len(list.Bits) {
			return false, fmt.Errorf("index %d is beyond the list", index)
		}
		return bit(list.Bits, index), nil
	}
	out := verify(input, keyResolver(pubs), now, s.loader, status)
	if storeErr != nil {
		return nil, storeErr
	}
	out.StatusAsOf = now
	return out, nil
}

func keyResolver(pubs map[string]ed25519.PublicKey) openbadges.KeyResolver {
	return func(vm string) (ed25519.PublicKey, error) {
		if k, ok := pubs[vm]; ok {
			return k, nil
		}
		return nil, errors.New("not in the issuer's DID document")
	}
}

// Kit is the offline verification kit served at /credentials/kit.json:
// everything needed to verify this portal's credentials without a
// network, as of MadeAt.
type Kit struct {
	MadeAt      time.Time                  `json:"made_at"`
	DIDDocument *DIDDocument               `json:"did_document"`
	StatusLists []json.RawMessage          `json:"status_lists"` // signed BitstringStatusListCredentials
	Contexts    map[string]json.RawMessage `json:"contexts"`     // the JSON-LD contexts by URL
}

// Kit returns the offline verification kit: the DID document with every
// key, every status list of both purposes signed, and the bundled JSON-LD
// contexts. It is public.
func (s *Service) Kit(ctx context.Context) (*Kit, error) {
	doc, err := s.DIDDocument(ctx)
	if err != nil {
		return nil, err
	}
	lists, err := s.st.ListStatusLists(ctx)
	if err != nil {
		return nil, err
	}
	kit := &Kit{MadeAt: s.clock.Now().UTC().Truncate(time.Second), DIDDocument: doc, StatusLists: []json.RawMessage{},
		Contexts: map[string]json.RawMessage{}}
	for _, l := range lists {
		signed, err := s.SignedStatusList(ctx, l.Purpose, l.Number)
		if err != nil {
			return nil, err
		}
		kit.StatusLists = append(kit.StatusLists, signed)
	}
	for _, url := range openbadges.ContextURLs() {
		data, err := openbadges.ContextDocument(url)
		if err != nil {
			return nil, err
		}
		kit.Contexts[url] = data
	}
	return kit, nil
}

// VerifyWithKit checks a credential offline against a kit: keys from its
// DID document, status from its signed lists (each list's proof checked
// with the kit's keys first), dates at now. The JSON-LD contexts are the
// ones bundled with this program, the same the kit carries for other
// tools. The result's StatusAsOf is the kit's time.
func VerifyWithKit(input []byte, kit *Kit, now time.Time) *VerifyResult {
	loader := openbadges.NewLoader()
	pubs := map[string]ed25519.PublicKey{}
	if kit.DIDDocument != nil {
		for _, vm := range kit.DIDDocument.VerificationMethod {
			if !strings.HasPrefix(vm.ID, kit.DIDDocument.ID+"#") || !slices.Contains(kit.DIDDocument.AssertionMethod, vm.ID) {
				continue
			}
			if pub, err := openbadges.DecodeMultikey(vm.PublicKeyMultibase); err == nil {
				pubs[vm.ID] = pub
			}
		}
	}
	resolve := keyResolver(pubs)
	lists := map[string][]byte{}
	listErrs := map[string]error{}
	for _, raw := range kit.StatusLists {
		var doc map[string]any
		if err := json.Unmarshal(raw, &doc); err != nil {
			continue
		}
		id, _ := doc["id"].(string)
		subject, _ := doc["credentialSubject"].(map[string]any)
		purpose, _ := subject["statusPurpose"].(string)
		key := purpose + " " + id
		bits, err := readKitList(doc, subject, resolve, loader)
		if err != nil {
			listErrs[key] = err
			continue
		}
		lists[key] = bits
	}
	status := func(purpose, url string, index int) (bool, error) {
		key := purpose + " " + url
		if err := listErrs[key]; err != nil {
			return false, err
		}
		bits, ok := lists[key]
		if !ok {
			return false, errors.New("not in the kit")
		}
		if index/8 >= len(bits) {
			return false, fmt.Errorf("index %d is beyond the list", index)
		}
		return bit(bits, index), nil
	}
	out := verify(input, resolve, now, loader, status)
	out.StatusAsOf = kit.MadeAt
	return out
}

// readKitList checks a kit's signed status list with the kit's keys and
// returns its bits.
func readKitList(doc, subject map[string]any, resolve openbadges.KeyResolver, loader *openbadges.Loader) ([]byte, error) {
	proof, _ := doc["proof"].(map[string]any)
	if proofs, ok := doc["proof"].([]any); ok && len(proofs) == 1 {
		proof, _ = proofs[0].(map[string]any)
	}
	vm, _ := proof["verificationMethod"].(string)
	pub, err := resolve(vm)
	if err != nil {
		return nil, fmt.Errorf("the list's key %q: %w", vm, err)
	}
	if err := openbadges.VerifyProof(doc, pub, loader); err != nil {
		return nil, fmt.Errorf("the list's proof: %w", err)
	}
	enc, _ := subject["encodedList"].(string)
	return DecodeList(enc)
}

// DecodeList reads a status list's encodedList (the inverse of
// EncodeList), refusing a bitstring over 16 MiB.
func DecodeList(enc string) ([]byte, error) {
	if !strings.HasPrefix(enc, "u") {
		return nil, errors.New("encodedList is not multibase base64url")
	}
	zipped, err := base64.RawURLEncoding.DecodeString(enc[1:])
	if err != nil {
		return nil, fmt.Errorf("encodedList: %w", err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(zipped))
	if err != nil {
		return nil, fmt.Errorf("encodedList: %w", err)
	}
	const maxBits = 16 << 20
	bits, err := io.ReadAll(io.LimitReader(zr, maxBits+1))
	if err != nil {
		return nil, fmt.Errorf("encodedList: %w", err)
	}
	if len(bits) > maxBits {
		return nil, errors.New("encodedList is too large")
	}
	return bits, nil
}
