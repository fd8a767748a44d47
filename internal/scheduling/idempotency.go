package scheduling

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// Stored is a response kept under an idempotency key.
type Stored struct {
	Status int
	Body   string
}

// idempotencyStale is how long a claimed key without a response is
// considered in flight; after that its request is presumed dead and a
// retry runs again.
const idempotencyStale = 2 * time.Minute

// Idempotent runs fn at most once per user and key. The first request
// stores fn's response; a repeat with the same request returns it
// (replayed true) without running fn; a repeat with a different request
// is refused (invalid, idempotency.key_reused), and one while the first
// is still running is a conflict (idempotency.in_flight). Keys are
// scoped to the user and kept for at least 24 hours. fn returns what to
// store, refusals included (rendered by the caller); when it returns an
// error instead, the key is released so that a retry runs again.
func (s *Service) Idempotent(ctx context.Context, userID int64, key string, request any, fn func() (Stored, error)) (Stored, bool, error) {
	if userID == 0 {
		return Stored{}, false, portal.ErrUnauthorized
	}
	if key == "" || len(key) > 255 {
		return Stored{}, false, refused(portal.EInvalid, "idempotency.key_invalid", nil)
	}
	raw, err := json.Marshal(request)
	if err != nil {
		return Stored{}, false, err
	}
	sum := sha256.Sum256(raw)
	hash := hex.EncodeToString(sum[:])
	var prior *store.IdempotencyRecord
	var claimed bool
	err = s.st.Transact(ctx, func(tx *store.Tx) error {
		var err error
		prior, claimed, err = tx.ClaimIdempotencyKey(ctx, userID, key, hash, idempotencyStale)
		return err
	})
	if err != nil {
		return Stored{}, false, err
	}
	if !claimed {
		switch {
		case prior.RequestHash != hash:
			return Stored{}, false, refused(portal.EInvalid, "idempotency.key_reused", nil)
		case prior.Status == 0:
			return Stored{}, false, refused(portal.EConflict, "idempotency.in_flight", nil)
		}
		return Stored{Status: prior.Status, Body: prior.Response}, true, nil
	}
	out, err := fn()
	if err != nil {
		if rerr := s.st.Transact(ctx, func(tx *store.Tx) error { return tx.ReleaseIdempotencyKey(ctx, userID, key) }); rerr != nil {
			s.log.WarnContext(ctx, "release idempotency key", "err", rerr)
		}
		return Stored{}, false, err
	}
	if err := s.remember(ctx, userID, key, out); err != nil {
		return Stored{}, false, err
	}
	return out, false, nil
}

func (s *Service) remember(ctx context.Context, userID int64, key string, out Stored) error {
	if out.Status == 0 {
		out.Status = 200
	}
	return s.st.Transact(ctx, func(tx *store.Tx) error {
		return tx.SaveIdempotentResponse(ctx, userID, key, out.Status, out.Body)
	})
}
