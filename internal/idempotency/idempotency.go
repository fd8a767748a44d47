// Package idempotency runs a request at most once per principal and key
// and replays its stored response to repeats (SECURITY.md CONC-04). Both
// surfaces use it: the JSON API for requests with an Idempotency-Key
// header, and the web for forms that carry a hidden key (hold, checkout,
// move, cancel). It knows nothing of what the request does.
//
// Keys are scoped per principal: a Scope names who sent the request
// ("user:42" for a signed-in account; API clients get scopes of their
// own), so two principals never share a key. Keys are kept for at least
// 24 hours and forgotten by Purge after 48.
package idempotency

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"strconv"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// Scope names the principal a key belongs to, such as "user:42".
type Scope string

// UserScope is the scope of a signed-in account.
func UserScope(userID int64) Scope { return Scope("user:" + strconv.FormatInt(userID, 10)) }

// ScopeOf is the scope of the acting principal: its account for a
// signed-in user, and empty (no scope, which Run refuses) for a visitor
// or the system.
func ScopeOf(actor portal.Actor) Scope {
	if actor.UserID == 0 {
		return ""
	}
	return UserScope(actor.UserID)
}

// Response is what is kept under a key and replayed.
type Response struct {
	Status int
	Body   string
}

// staleAfter is how long a claimed key without a response is considered
// in flight; after that its request is presumed dead and a retry runs
// again.
const staleAfter = 2 * time.Minute

// Kept is how long a key is kept at least; Purge forgets keys older than
// twice that.
const Kept = 24 * time.Hour

// Service runs requests once per scope and key.
type Service struct {
	st  *store.Store
	log *slog.Logger
}

// New returns the service.
func New(st *store.Store, log *slog.Logger) *Service {
	return &Service{st: st, log: log}
}

// Run runs fn at most once per scope and key. The first request stores
// fn's response; a repeat with the same request returns it (replayed
// true) without running fn; a repeat with a different request is refused
// (invalid, idempotency.key_reused), and one while the first is still
// running is a conflict (idempotency.in_flight). An empty scope is
// portal.ErrUnauthorized. fn returns what to store, refusals included
// (rendered by the caller); when it returns an error instead, the key is
// released so that a retry runs again.
func (s *Service) Run(ctx context.Context, scope Scope, key string, request any, fn func() (Response, error)) (Response, bool, error) {
	if scope == "" {
		return Response{}, false, portal.ErrUnauthorized
	}
	if key == "" || len(key) > 255 {
		return Response{}, false, &portal.Error{Code: portal.EInvalid, Message: "idempotency.key_invalid"}
	}
	raw, err := json.Marshal(request)
	if err != nil {
		return Response{}, false, err
	}
	sum := sha256.Sum256(raw)
	hash := hex.EncodeToString(sum[:])
	var prior *store.IdempotencyRecord
	var claimed bool
	err = s.st.Transact(ctx, func(tx *store.Tx) error {
		var err error
		prior, claimed, err = tx.ClaimIdempotencyKey(ctx, string(scope), key, hash, staleAfter)
		return err
	})
	if err != nil {
		return Response{}, false, err
	}
	if !claimed {
		switch {
		case prior.RequestHash != hash:
			return Response{}, false, &portal.Error{Code: portal.EInvalid, Message: "idempotency.key_reused"}
		case prior.Status == 0:
			return Response{}, false, &portal.Error{Code: portal.EConflict, Message: "idempotency.in_flight"}
		}
		return Response{Status: prior.Status, Body: prior.Response}, true, nil
	}
	out, err := fn()
	if err != nil {
		if rerr := s.st.Transact(ctx, func(tx *store.Tx) error { return tx.ReleaseIdempotencyKey(ctx, string(scope), key) }); rerr != nil {
			s.log.WarnContext(ctx, "release idempotency key", "err", rerr)
		}
		return Response{}, false, err
	}
	status := out.Status
	if status == 0 {
		status = 200
	}
	err = s.st.Transact(ctx, func(tx *store.Tx) error {
		return tx.SaveIdempotentResponse(ctx, string(scope), key, status, out.Body)
	})
	if err != nil {
		return Response{}, false, err
	}
	return out, false, nil
}

// Purge forgets keys older than twice Kept; a periodic job calls it.
func (s *Service) Purge(ctx context.Context) error {
	return s.st.Transact(ctx, func(tx *store.Tx) error {
		_, err := tx.DeleteIdempotencyKeysBefore(ctx, tx.Now().Add(-2*Kept))
		return err
	})
}
