package credentials

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// randomIndex draws an index below n from crypto/rand.
func randomIndex(n int) (int, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return 0, err
	}
	return int(binary.BigEndian.Uint64(b[:]) % uint64(n)), nil
}

// probes is how many random indices allocate tries before it reads which
// are free.
const probes = 32

// allocate gives a credential a random index, never given before, on the
// newest list of purpose, starting a new list when that one is full. A
// random index keeps a credential's place on the list from telling when
// it was issued.
func (s *Service) allocate(ctx context.Context, tx *store.Tx, purpose string) (*portal.StatusList, int, error) {
	list, err := tx.FindStatusListByPurpose(ctx, purpose)
	if errors.Is(err, portal.ErrNotFound) {
		if err := tx.InsertStatusList(ctx, purpose, 1, StatusListSize); err != nil {
			return nil, 0, err
		}
		list, err = tx.FindStatusListByPurpose(ctx, purpose)
	}
	if err != nil {
		return nil, 0, err
	}
	for {
		for range probes {
			idx, err := randomIndex(list.Size)
			if err != nil {
				return nil, 0, err
			}
			ok, err := tx.ClaimStatusIndex(ctx, list.ID, idx)
			if err != nil {
				return nil, 0, err
			}
			if ok {
				return list, idx, nil
			}
		}
		// The list is filling up: pick among the indices still free.
		used, err := tx.ListStatusIndices(ctx, list.ID)
		if err != nil {
			return nil, 0, err
		}
		if len(used) >= list.Size {
			if err := tx.InsertStatusList(ctx, purpose, list.Number+1, StatusListSize); err != nil {
				return nil, 0, err
			}
			if list, err = tx.FindStatusListByPurpose(ctx, purpose); err != nil {
				return nil, 0, err
			}
			continue
		}
		n, err := randomIndex(list.Size - len(used))
		if err != nil {
			return nil, 0, err
		}
		idx := nthFree(used, n)
		ok, err := tx.ClaimStatusIndex(ctx, list.ID, idx)
		if err != nil {
			return nil, 0, err
		}
		if ok {
			return list, idx, nil
		}
	}
}

// nthFree returns the n-th (from 0) index absent from the sorted list
// used.
func nthFree(used []int, n int) int {
	idx := n
	for _, u := range used {
		if u > idx {
			break
		}
		idx++
	}
	return idx
}

// bit reports bit idx of a bitstring: index 0 is the most significant bit
// of the first byte (Bitstring Status List).
func bit(bits []byte, idx int) bool {
	return bits[idx/8]&(0x80>>(idx%8)) != 0
}

func setBit(bits []byte, idx int, on bool) {
	if on {
		bits[idx/8] |= 0x80 >> (idx % 8)
	} else {
		bits[idx/8] &^= 0x80 >> (idx % 8)
	}
}

// EncodeList is a bitstring as a status list's encodedList: GZIP, then
// base64url without padding, as a multibase value ("u" prefix).
func EncodeList(bits []byte) (string, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return "", err
	}
	if _, err := zw.Write(bits); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	return "u" + base64.RawURLEncoding.EncodeToString(buf.Bytes()), nil
}

// MarkStatus sets or clears a credential's bit on its list of purpose, in
// the caller's transaction (revocation, suspension and their lifting use
// it). The list is locked, so concurrent changes of one list queue.
func (s *Service) MarkStatus(ctx context.Context, tx *store.Tx, c *portal.Credential, purpose string, on bool) error {
	if !slices.Contains(portal.StatusPurposes, purpose) {
		return fmt.Errorf("credentials: unknown status purpose %q", purpose)
	}
	e := c.Entry(purpose)
	list, err := tx.LockStatusList(ctx, e.ListID)
	if err != nil {
		return err
	}
	if bit(list.Bits, e.Index) == on {
		return nil
	}
	setBit(list.Bits, e.Index, on)
	return tx.UpdateStatusListBits(ctx, list.ID, list.Bits)
}

// StatusListURL is the public URL of list number of purpose.
func (s *Service) StatusListURL(purpose string, number int) string {
	return fmt.Sprintf("%s/credentials/status/%s/%d", s.cfg.BaseURL, purpose, number)
}

// StatusListCredential is a BitstringStatusListCredential before signing
// (SignedStatusList signs it); verifiers are served only the signed one.
type StatusListCredential struct {
	Context           []string          `json:"@context"`
	ID                string            `json:"id"`
	Type              []string          `json:"type"`
	Issuer            string            `json:"issuer"`
	ValidFrom         string            `json:"validFrom"`
	CredentialSubject StatusListSubject `json:"credentialSubject"`
}

// StatusListSubject is the list itself.
type StatusListSubject struct {
	ID            string `json:"id"`
	Type          string `json:"type"`
	StatusPurpose string `json:"statusPurpose"`
	EncodedList   string `json:"encodedList"`
}

// StatusListCredential returns list number of purpose as an unsigned
// status list credential, valid from its last change.
func (s *Service) StatusListCredential(ctx context.Context, purpose string, number int) (*StatusListCredential, error) {
	if !slices.Contains(portal.StatusPurposes, purpose) {
		return nil, portal.ErrNotFound
	}
	list, err := s.st.FindStatusListByNumber(ctx, purpose, number)
	if err != nil {
		return nil, err
	}
	return s.statusListCredential(list)
}

// statusListCredential is a stored list as an unsigned status list
// credential.
func (s *Service) statusListCredential(list *portal.StatusList) (*StatusListCredential, error) {
	did, err := DID(s.cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	enc, err := EncodeList(list.Bits)
	if err != nil {
		return nil, err
	}
	url := s.StatusListURL(list.Purpose, list.Number)
	return &StatusListCredential{
		Context:   []string{"https://www.w3.org/ns/credentials/v2"},
		ID:        url,
		Type:      []string{"VerifiableCredential", "BitstringStatusListCredential"},
		Issuer:    did,
		ValidFrom: list.UpdatedAt.UTC().Format(time.RFC3339),
		CredentialSubject: StatusListSubject{ID: url + "#list", Type: "BitstringStatusList", StatusPurpose: list.Purpose,
			EncodedList: enc},
	}, nil
}

// CredentialStatus is one credentialStatus entry of a credential.
type CredentialStatus struct {
	ID                   string `json:"id"`
	Type                 string `json:"type"`
	StatusPurpose        string `json:"statusPurpose"`
	StatusListIndex      string `json:"statusListIndex"`
	StatusListCredential string `json:"statusListCredential"`
}

// CredentialStatus returns a credential's entries for the credential
// document, revocation then suspension.
func (s *Service) CredentialStatus(ctx context.Context, tx *store.Tx, c *portal.Credential) ([]CredentialStatus, error) {
	var out []CredentialStatus
	for _, purpose := range portal.StatusPurposes {
		e := c.Entry(purpose)
		list, err := tx.GetStatusList(ctx, e.ListID)
		if err != nil {
			return nil, err
		}
		url := s.StatusListURL(purpose, list.Number)
		out = append(out, CredentialStatus{ID: url + "#" + strconv.Itoa(e.Index), Type: "BitstringStatusListEntry",
			StatusPurpose: purpose, StatusListIndex: strconv.Itoa(e.Index), StatusListCredential: url})
	}
	return out, nil
}
