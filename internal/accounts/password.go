package accounts

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"golang.org/x/crypto/argon2"

	"example.org/certportal/internal/portal"
)

// HashParams are argon2id's cost parameters. They are stored with every
// hash, so changing them affects new hashes only; a successful sign-in
// rewrites an old hash with the current parameters.
type HashParams struct {
	Time    uint32 // passes
	Memory  uint32 // KiB
	Threads uint8
	KeyLen  uint32
}

// DefaultHashParams: t=3, m=64 MiB, p=2, 32-byte key (about 75 ms per hash
// on a 2-core machine; see docs/benchmarks.md).
var DefaultHashParams = HashParams{Time: 3, Memory: 64 * 1024, Threads: 2, KeyLen: 32}

// Hasher hashes and verifies passwords with argon2id. A semaphore caps the
// hashes in flight: each one holds about twice its nominal memory until
// collected, so a flood of sign-ins queues here instead of exhausting RAM.
type Hasher struct {
	params  HashParams
	sem     chan struct{}
	count   atomic.Int64 // hashes computed, for metrics and tests
	waiting atomic.Int64 // callers queued for a slot
	maxWait int64
}

// MaxQueuedHashes bounds the callers waiting for a hashing slot. At about
// 13 hashes a second on two cores, 512 waiting callers are served within
// the server's 60 s write timeout; beyond that a caller is told at once to
// retry (ErrBusy) instead of timing out in the queue.
const MaxQueuedHashes = 512

// ErrBusy means too many password checks are queued; the caller should
// retry after Data["RetryAfter"] seconds.
var ErrBusy = &portal.Error{Code: portal.ERateLimited, Message: "error.busy", Data: map[string]any{"RetryAfter": 10}}

// Count returns how many hashes (and verifications) the hasher computed.
func (h *Hasher) Count() int64 { return h.count.Load() }

// NewHasher returns a hasher allowing at most concurrent hashes at once.
func NewHasher(p HashParams, concurrent int) *Hasher {
	if concurrent < 1 {
		concurrent = 1
	}
	return &Hasher{params: p, sem: make(chan struct{}, concurrent), maxWait: MaxQueuedHashes}
}

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.sem <- struct{}{}:
		return nil
	default:
	}
	if h.waiting.Add(1) > h.maxWait {
		h.waiting.Add(-1)
		return ErrBusy
	}
	defer h.waiting.Add(-1)
	select {
	case h.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *Hasher) release() { <-h.sem }

// Hash returns the PHC-format hash of password:
// $argon2id$v=19$m=65536,t=3,p=2$<salt>$<key>.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, h.params.Time, h.params.Memory, h.params.Threads, h.params.KeyLen)
	h.release()
	h.count.Add(1)
	return encodeHash(h.params, salt, key), nil
}

func encodeHash(p HashParams, salt, key []byte) string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

var errBadHash = errors.New("accounts: malformed password hash")

func decodeHash(encoded string) (HashParams, []byte, []byte, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return HashParams{}, nil, nil, errBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return HashParams{}, nil, nil, errBadHash
	}
	var p HashParams
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return HashParams{}, nil, nil, errBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return HashParams{}, nil, nil, errBadHash
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) == 0 {
		return HashParams{}, nil, nil, errBadHash
	}
	p.KeyLen = uint32(len(key))
	return p, salt, key, nil
}

// Verify reports whether password matches encoded, and whether the hash
// should be rewritten because its parameters are not the current ones. An
// empty or malformed hash never matches, but costs one hash all the same, so
// the time taken does not reveal whether an account exists.
func (h *Hasher) Verify(ctx context.Context, encoded, password string) (ok, rehash bool, err error) {
	p, salt, key, decErr := decodeHash(encoded)
	if decErr != nil {
		p, salt, key = h.params, make([]byte, 16), make([]byte, h.params.KeyLen)
	}
	if err := h.acquire(ctx); err != nil {
		return false, false, err
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	h.release()
	h.count.Add(1)
	if decErr != nil {
		return false, false, nil
	}
	ok = subtle.ConstantTimeCompare(got, key) == 1
	return ok, ok && p != h.params, nil
}
