package credentials

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// Key is a signing key opened for signing: its DID URL (the kid of a
// VC-JWT, the verificationMethod of a Data Integrity proof) and both
// halves.
type Key struct {
	StoreID int64
	KeyID   string // did:web:…#key-N
	Public  ed25519.PublicKey
	Private ed25519.PrivateKey
	Retired bool // a retired key verifies but no longer signs
}

// keyAAD binds a sealed private key to its key number: a sealed key copied
// to another row does not open there.
func keyAAD(number int) []byte {
	return fmt.Appendf(nil, "certportal/signing_key/key:%d", number)
}

// CurrentKey returns the current signing key, creating the first one on
// first need. Two instances creating it at once store one: the second
// insert finds the number or the current slot taken and reads the first.
func (s *Service) CurrentKey(ctx context.Context, tx *store.Tx) (*portal.SigningKey, error) {
	for range 2 {
		keys, err := tx.ListSigningKeys(ctx)
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			if k.RetiredAt == nil {
				return k, nil
			}
		}
		if len(keys) > 0 {
			return nil, errors.New("credentials: every signing key is retired")
		}
		k, err := s.newKey(1)
		if err != nil {
			return nil, err
		}
		if _, err := tx.InsertSigningKey(ctx, *k); err != nil {
			return nil, err
		}
	}
	return nil, errors.New("credentials: no current signing key after creating one")
}

// newKey draws an Ed25519 key pair and seals its private half.
func (s *Service) newKey(number int) (*portal.SigningKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	kr, err := s.keyring()
	if err != nil {
		return nil, err
	}
	sealed, err := kr.Seal(priv.Seed(), keyAAD(number))
	if err != nil {
		return nil, err
	}
	return &portal.SigningKey{Number: number, Algorithm: "Ed25519", PublicKey: pub, Sealed: sealed}, nil
}

// RotateKey retires the current signing key and makes a new one current:
// credentials issued from now on are signed with it, and the retired key
// stays in the DID document so that what it signed keeps verifying.
// Without a key yet it creates the first.
func (s *Service) RotateKey(ctx context.Context, actor portal.Actor) (*portal.SigningKey, error) {
	if err := actor.Authorize(portal.PermCredentialsManage); err != nil {
		return nil, err
	}
	var out *portal.SigningKey
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		keys, err := tx.ListSigningKeys(ctx)
		if err != nil {
			return err
		}
		number, old := 1, 0
		if len(keys) > 0 {
			number = keys[len(keys)-1].Number + 1
		}
		for _, k := range keys {
			if k.RetiredAt == nil {
				if err := tx.RetireSigningKey(ctx, k.ID); err != nil {
					return err
				}
				old = k.Number
			}
		}
		k, err := s.newKey(number)
		if err != nil {
			return err
		}
		ok, err := tx.InsertSigningKey(ctx, *k)
		if err != nil {
			return err
		}
		if !ok {
			return &portal.Error{Code: portal.EConflict, Message: "credentials.error.rotation_conflict"}
		}
		if keys, err = tx.ListSigningKeys(ctx); err != nil {
			return err
		}
		out = keys[len(keys)-1]
		detail := fmt.Sprintf("key-%d is current", number)
		if old > 0 {
			detail = fmt.Sprintf("key-%d retired, key-%d is current", old, number)
		}
		return tx.Audit(ctx, actor, "credentials.key_rotated", fmt.Sprintf("signing_key:%d", out.ID), detail, nil)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SigningKey opens a stored key for the signing code.
func (s *Service) SigningKey(ctx context.Context, tx *store.Tx, id int64) (*Key, error) {
	k, err := tx.GetSigningKey(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.open(k)
}

func (s *Service) open(k *portal.SigningKey) (*Key, error) {
	kr, err := s.keyring()
	if err != nil {
		return nil, err
	}
	seed, err := kr.Open(k.Sealed, keyAAD(k.Number))
	if err != nil {
		return nil, fmt.Errorf("credentials: open signing key %d: %w", k.Number, err)
	}
	did, err := DID(s.cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	priv := ed25519.NewKeyFromSeed(seed)
	pub := priv.Public().(ed25519.PublicKey)
	if !pub.Equal(ed25519.PublicKey(k.PublicKey)) {
		return nil, fmt.Errorf("credentials: signing key %d: the sealed key does not match its public key", k.Number)
	}
	return &Key{StoreID: k.ID, KeyID: KeyID(did, k.Number), Public: pub, Private: priv, Retired: k.RetiredAt != nil}, nil
}
