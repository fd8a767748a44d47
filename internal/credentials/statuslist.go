package credentials

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"example.org/certportal/internal/openbadges"
	"example.org/certportal/internal/portal"
)

// signedList is a signed status list credential kept for as long as its
// list and the current key stay the same.
type signedList struct {
	updated time.Time
	key     int64
	doc     []byte
}

// listCache holds the signed status lists of this instance.
type listCache struct {
	mu    sync.Mutex
	lists map[string]signedList
}

// SignedStatusList returns list number of purpose as a
// BitstringStatusListCredential signed (eddsa-rdfc-2022) with the current
// key, as JSON. Its proof is created at the list's last change, so every
// instance serves the same bytes for the same list and key. Unknown
// purposes and lists are portal.ErrNotFound.
func (s *Service) SignedStatusList(ctx context.Context, purpose string, number int) ([]byte, error) {
	if !slices.Contains(portal.StatusPurposes, purpose) {
		return nil, portal.ErrNotFound
	}
	list, err := s.st.FindStatusListByNumber(ctx, purpose, number)
	if err != nil {
		return nil, err
	}
	keys, err := s.st.ListSigningKeys(ctx)
	if err != nil {
		return nil, err
	}
	var current *portal.SigningKey
	for _, k := range keys {
		if k.RetiredAt == nil {
			current = k
		}
	}
	if current == nil {
		return nil, errors.New("credentials: a status list but no current signing key")
	}
	name := fmt.Sprintf("%s/%d", purpose, number)
	s.lists.mu.Lock()
	cached, ok := s.lists.lists[name]
	s.lists.mu.Unlock()
	if ok && cached.updated.Equal(list.UpdatedAt) && cached.key == current.ID {
		return cached.doc, nil
	}
	unsigned, err := s.statusListCredential(list)
	if err != nil {
		return nil, err
	}
	data, err := json.Marshal(unsigned)
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	key, err := s.open(current)
	if err != nil {
		return nil, err
	}
	signed, err := openbadges.SignStatusList(doc, openbadges.Signer{Key: key.Private, VerificationMethod: key.KeyID},
		list.UpdatedAt, s.loader)
	if err != nil {
		return nil, fmt.Errorf("credentials: sign status list %s: %w", name, err)
	}
	out, err := json.Marshal(signed)
	if err != nil {
		return nil, err
	}
	s.lists.mu.Lock()
	if s.lists.lists == nil {
		s.lists.lists = map[string]signedList{}
	}
	s.lists.lists[name] = signedList{updated: list.UpdatedAt, key: current.ID, doc: out}
	s.lists.mu.Unlock()
	return out, nil
}
