package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"example.org/certportal/internal/portal"
)

const slotColumns = `id, center_id, starts_at, session, capacity, taken, closed_at, created_at`

// EnsureSlot creates the slot of a center (nil for online) at startsAt
// unless it exists, and reports whether it did.
func (tx *Tx) EnsureSlot(ctx context.Context, centerID *int64, startsAt time.Time, session string, capacity int) (bool, error) {
	r, err := tx.exec(ctx, `INSERT INTO slots (center_id, starts_at, session, capacity, taken, created_at)
		VALUES (?, ?, ?, ?, 0, ?) ON CONFLICT DO NOTHING`, centerID, startsAt.UTC(), session, capacity, tx.now)
	if err != nil {
		return false, fmt.Errorf("store: ensure slot at %s: %w", startsAt.UTC().Format(time.RFC3339), err)
	}
	n, err := r.RowsAffected()
	return n == 1, err
}

// SlotFilter selects slots starting in [From, To).
type SlotFilter struct {
	CenterID *int64 // nil with Online false: every slot
	Online   bool
	From, To time.Time
	OpenOnly bool // not closed and with a free seat
}

// ListSlots returns slots in start order.
func (s *Store) ListSlots(ctx context.Context, f SlotFilter) ([]*portal.Slot, error) {
	where, args := "starts_at >= ? AND starts_at < ?", []any{f.From.UTC(), f.To.UTC()}
	switch {
	case f.Online:
		where += " AND center_id IS NULL"
	case f.CenterID != nil:
		where += " AND center_id = ?"
		args = append(args, *f.CenterID)
	}
	if f.OpenOnly {
		where += " AND closed_at IS NULL AND taken < capacity"
	}
	var out []*portal.Slot
	if err := s.sel(ctx, &out, `SELECT `+slotColumns+` FROM slots WHERE `+where+` ORDER BY starts_at, id`, args...); err != nil {
		return nil, fmt.Errorf("store: list slots: %w", err)
	}
	return out, nil
}

// GetSlot returns one slot, or portal.ErrNotFound.
func (s *Store) GetSlot(ctx context.Context, id int64) (*portal.Slot, error) {
	return findSlot(ctx, s, id)
}

// GetSlot returns one slot inside the transaction.
func (tx *Tx) GetSlot(ctx context.Context, id int64) (*portal.Slot, error) {
	return findSlot(ctx, tx, id)
}

// ErrSlotFull is returned by TakeSeat when the slot has no free seat, is
// closed, or starts before the earliest bookable instant.
var ErrSlotFull = errors.New("store: slot full or not bookable")

// TakeSeat counts one more seat in the slot. It is the one place seats are
// sold: a single conditional UPDATE, so concurrent buyers on any number of
// instances can never take more seats than the slot has (the CHECK on
// slots.taken is the last line of defence).
func (tx *Tx) TakeSeat(ctx context.Context, slotID int64, notBefore time.Time) error {
	r, err := tx.exec(ctx, `UPDATE slots SET taken = taken + 1
		WHERE id = ? AND taken < capacity AND closed_at IS NULL AND starts_at >= ?`, slotID, notBefore.UTC())
	if err := affected(r, err); err != nil {
		if errors.Is(err, portal.ErrNotFound) {
			return ErrSlotFull
		}
		return fmt.Errorf("store: take seat in slot %d: %w", slotID, err)
	}
	return nil
}

// LockSlots locks the slot rows in id order on PostgreSQL, so that two
// transactions changing the same slots (a move in each direction) wait
// for each other instead of deadlocking. SQLite transactions are serial.
func (tx *Tx) LockSlots(ctx context.Context, ids ...int64) error {
	if tx.s.engine != Postgres || len(ids) == 0 {
		return nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	var locked []int64
	if err := tx.sel(ctx, &locked, `SELECT id FROM slots WHERE id IN (`+placeholders(len(ids))+`) ORDER BY id FOR UPDATE`, args...); err != nil {
		return fmt.Errorf("store: lock slots %v: %w", ids, err)
	}
	return nil
}

// ReleaseSeat gives one seat of the slot back.
func (tx *Tx) ReleaseSeat(ctx context.Context, slotID int64) error {
	r, err := tx.exec(ctx, `UPDATE slots SET taken = taken - 1 WHERE id = ? AND taken > 0`, slotID)
	if err := affected(r, err); err != nil {
		return fmt.Errorf("store: release seat in slot %d: %w", slotID, err)
	}
	return nil
}

// SetSlotCapacity changes a slot's seats; it refuses (portal.ErrNotFound)
// to go below the seats already taken.
func (tx *Tx) SetSlotCapacity(ctx context.Context, slotID int64, capacity int) error {
	r, err := tx.exec(ctx, `UPDATE slots SET capacity = ? WHERE id = ? AND taken <= ?`, capacity, slotID, capacity)
	if err := affected(r, err); err != nil {
		return fmt.Errorf("store: set capacity of slot %d: %w", slotID, err)
	}
	return nil
}

// CloseSlots closes the open slots of a center (or online, centerID nil)
// starting in [from, to) and returns their ids.
func (tx *Tx) CloseSlots(ctx context.Context, centerID *int64, from, to time.Time) ([]int64, error) {
	where, args := "starts_at >= ? AND starts_at < ? AND closed_at IS NULL", []any{from.UTC(), to.UTC()}
	if centerID == nil {
		where += " AND center_id IS NULL"
	} else {
		where += " AND center_id = ?"
		args = append(args, *centerID)
	}
	var ids []int64
	if err := tx.sel(ctx, &ids, `UPDATE slots SET closed_at = ? WHERE `+where+` RETURNING id`, append([]any{tx.now}, args...)...); err != nil {
		return nil, fmt.Errorf("store: close slots: %w", err)
	}
	return ids, nil
}

// CloseSlot closes one slot; closing a closed slot is portal.ErrNotFound.
func (tx *Tx) CloseSlot(ctx context.Context, slotID int64) error {
	r, err := tx.exec(ctx, `UPDATE slots SET closed_at = ? WHERE id = ? AND closed_at IS NULL`, tx.now, slotID)
	if err := affected(r, err); err != nil {
		return fmt.Errorf("store: close slot %d: %w", slotID, err)
	}
	return nil
}

// SetCapacityBetween sets the capacity of a center's slots starting in
// [from, to) wherever the seats already taken allow it, and returns how
// many slots changed.
func (tx *Tx) SetCapacityBetween(ctx context.Context, centerID int64, from, to time.Time, capacity int) (int64, error) {
	r, err := tx.exec(ctx, `UPDATE slots SET capacity = ? WHERE center_id = ? AND starts_at >= ? AND starts_at < ? AND taken <= ?`,
		capacity, centerID, from.UTC(), to.UTC(), capacity)
	if err != nil {
		return 0, fmt.Errorf("store: set capacity of center %d: %w", centerID, err)
	}
	return r.RowsAffected()
}

func findSlot(ctx context.Context, r reader, id int64) (*portal.Slot, error) {
	var out portal.Slot
	if err := r.get(ctx, &out, `SELECT `+slotColumns+` FROM slots WHERE id = ?`, id); err != nil {
		return nil, fmt.Errorf("store: find slot %d: %w", id, err)
	}
	return &out, nil
}
