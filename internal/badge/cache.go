package badge

import (
	"crypto/sha256"
	"encoding/binary"
	"sync"
)

// Cache keeps the PNG badges it drew, by everything they show. A program
// has a few dozen certifications and one logo, so each badge is drawn once
// and every later request only bakes its credential into a copy: drawing
// takes tens of milliseconds and megabytes, baking a fraction of that.
// The key is the template's whole content, logo included, so a renamed
// certification or a new logo is a new entry and nothing needs telling
// across instances; the oldest entries go first once it holds size. A
// Cache is safe for concurrent use.
type Cache struct {
	mu    sync.Mutex
	size  int
	pngs  map[[sha256.Size]byte][]byte
	order [][sha256.Size]byte // keys, oldest first
}

// NewCache returns a cache of at most size badges (at least one).
func NewCache(size int) *Cache {
	return &Cache{size: max(size, 1), pngs: map[[sha256.Size]byte][]byte{}}
}

// PNG returns the badge of t as PNG, drawn on the first request for this
// template. The bytes are shared: callers must not change them (baking
// copies).
func (c *Cache) PNG(t Template) ([]byte, error) {
	key := t.key()
	c.mu.Lock()
	b, ok := c.pngs[key]
	c.mu.Unlock()
	if ok {
		return b, nil
	}
	// Drawn outside the lock: two first requests for the same template
	// may both draw, and the second result replaces an equal first.
	b, err := PNG(t)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.pngs[key]; !ok {
		if len(c.order) == c.size {
			delete(c.pngs, c.order[0])
			c.order = c.order[1:]
		}
		c.order = append(c.order, key)
	}
	c.pngs[key] = b
	return b, nil
}

// key digests every field of t, each preceded by its length so that no
// two templates share a key.
func (t Template) key() [sha256.Size]byte {
	h := sha256.New()
	for _, f := range [][]byte{[]byte(t.Code), []byte(t.Name), []byte(t.Level), []byte(t.ProgramName), t.Logo} {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(f)))
		h.Write(n[:])
		h.Write(f)
	}
	var out [sha256.Size]byte
	h.Sum(out[:0])
	return out
}
