package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"example.org/certportal/internal/portal"
)

const bookingColumns = `id, reference, user_id, exam_id, slot_id, state, language, hold_expires_at, price_minor,
	discount_minor, currency, voucher_id, voucher_released_at, payment_id, policy, reschedules, free_reschedule,
	rules_version, privacy_version, agreed_at, system_checked_at, confirmed_at, cancelled_at, cancelled_by,
	cancel_reason, no_show_at, no_show_kind, checked_in_at, delivered_at, hold_ip, charged_minor, created_at, updated_at`

// bookingDetailSelect reads bookings with their exam, slot, center and
// candidate; callers append WHERE and ORDER BY.
const bookingDetailSelect = `SELECT b.id, b.reference, b.user_id, b.exam_id, b.slot_id, b.state, b.language,
	b.hold_expires_at, b.price_minor, b.discount_minor, b.currency, b.voucher_id, b.voucher_released_at, b.payment_id,
	b.policy, b.reschedules, b.free_reschedule, b.rules_version, b.privacy_version, b.agreed_at, b.system_checked_at,
	b.confirmed_at, b.cancelled_at, b.cancelled_by, b.cancel_reason, b.no_show_at, b.no_show_kind, b.checked_in_at,
	b.delivered_at, b.hold_ip, b.charged_minor, b.created_at, b.updated_at,
	e.code AS exam_code, e.name AS exam_name, e.duration_minutes, e.max_reschedules,
	s.starts_at, s.session, s.center_id,
	COALESCE(c.name, '') AS center_name, COALESCE(c.address_line1, '') AS center_address,
	COALESCE(c.city, '') AS center_city, COALESCE(c.country, '') AS center_country,
	COALESCE(c.time_zone, '') AS center_time_zone,
	u.email AS user_email, u.first_name AS user_first_name, u.last_name AS user_last_name,
	u.login_id AS user_login_id, u.time_zone AS user_time_zone, u.language AS user_language
	FROM bookings b
	JOIN exams e ON e.id = b.exam_id
	JOIN slots s ON s.id = b.slot_id
	LEFT JOIN test_centers c ON c.id = s.center_id
	JOIN users u ON u.id = b.user_id`

// CreateBooking inserts a booking. A second live booking of the same
// candidate for the same exam is portal.ErrConflict.
func (tx *Tx) CreateBooking(ctx context.Context, b portal.Booking) (*portal.Booking, error) {
	var out portal.Booking
	err := tx.get(ctx, &out, `INSERT INTO bookings (reference, user_id, exam_id, slot_id, state, language, hold_expires_at,
		price_minor, discount_minor, currency, policy, rules_version, privacy_version, agreed_at, system_checked_at,
		hold_ip, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING `+bookingColumns,
		b.Reference, b.UserID, b.ExamID, b.SlotID, b.State, b.Language, b.HoldExpiresAt, b.PriceMinor, b.DiscountMinor,
		b.Currency, b.Policy, b.RulesVersion, b.PrivacyVersion, b.AgreedAt, b.SystemCheckedAt, b.HoldIP, tx.now, tx.now)
	if err != nil {
		return nil, fmt.Errorf("store: create booking: %w", err)
	}
	return &out, nil
}

// BookingUpdate changes a booking; nil fields stay as they are. Clear*
// fields set a column to NULL.
type BookingUpdate struct {
	State             *string
	SlotID            *int64
	HoldExpiresAt     *time.Time
	ClearHoldExpiry   bool
	DiscountMinor     *int64
	VoucherID         *int64
	ClearVoucher      bool
	VoucherReleasedAt *time.Time
	// ClearVoucherRelease takes a released voucher use back.
	ClearVoucherRelease bool
	PaymentID           *int64
	Policy              *string
	Reschedules         *int
	FreeReschedule      *bool
	RulesVersion        *string
	PrivacyVersion      *string
	AgreedAt            *time.Time
	SystemCheckedAt     *time.Time
	ConfirmedAt         *time.Time
	CancelledAt         *time.Time
	CancelledBy         *int64
	CancelReason        *string
	NoShowAt            *time.Time
	NoShowKind          *string
	CheckedInAt         *time.Time
	DeliveredAt         *time.Time
	// ChargedMinor records what checkout charged for the booking.
	ChargedMinor *int64
	// Priced, when set, makes the update conditional on the booking's
	// price, discount and voucher still being these: checkout charges
	// exactly what it priced, or changes nothing.
	Priced *Pricing
}

// Pricing is what a booking costs as read: its price, its discount and
// its voucher (0 for none).
type Pricing struct {
	PriceMinor    int64
	DiscountMinor int64
	VoucherID     int64
}

// PricingOf is the pricing of b as read.
func PricingOf(b *portal.Booking) Pricing {
	return Pricing{PriceMinor: b.PriceMinor, DiscountMinor: b.DiscountMinor, VoucherID: derefInt(b.VoucherID)}
}

// UpdateBooking applies u to the booking if its state is one of from (any
// state when from is empty) and, with u.Priced, its pricing is unchanged.
// A booking in another state (or priced otherwise) is portal.ErrNotFound,
// so a transition happens at most once however many requests race for it.
func (tx *Tx) UpdateBooking(ctx context.Context, id int64, from []string, u BookingUpdate) (*portal.Booking, error) {
	set, args := "updated_at = ?", []any{tx.now}
	add := func(col string, ok bool, v any) {
		if ok {
			set += ", " + col + " = ?"
			args = append(args, v)
		}
	}
	add("state", u.State != nil, deref(u.State))
	add("slot_id", u.SlotID != nil, derefInt(u.SlotID))
	add("hold_expires_at", u.HoldExpiresAt != nil, u.HoldExpiresAt)
	if u.ClearHoldExpiry {
		set += ", hold_expires_at = NULL"
	}
	add("discount_minor", u.DiscountMinor != nil, derefInt(u.DiscountMinor))
	add("voucher_id", u.VoucherID != nil, derefInt(u.VoucherID))
	if u.ClearVoucher {
		set += ", voucher_id = NULL"
	}
	add("voucher_released_at", u.VoucherReleasedAt != nil, u.VoucherReleasedAt)
	if u.ClearVoucherRelease {
		set += ", voucher_released_at = NULL"
	}
	add("payment_id", u.PaymentID != nil, derefInt(u.PaymentID))
	add("policy", u.Policy != nil, deref(u.Policy))
	if u.Reschedules != nil {
		add("reschedules", true, *u.Reschedules)
	}
	if u.FreeReschedule != nil {
		add("free_reschedule", true, *u.FreeReschedule)
	}
	add("rules_version", u.RulesVersion != nil, deref(u.RulesVersion))
	add("privacy_version", u.PrivacyVersion != nil, deref(u.PrivacyVersion))
	add("agreed_at", u.AgreedAt != nil, u.AgreedAt)
	add("system_checked_at", u.SystemCheckedAt != nil, u.SystemCheckedAt)
	add("confirmed_at", u.ConfirmedAt != nil, u.ConfirmedAt)
	add("cancelled_at", u.CancelledAt != nil, u.CancelledAt)
	add("cancelled_by", u.CancelledBy != nil, derefInt(u.CancelledBy))
	add("cancel_reason", u.CancelReason != nil, deref(u.CancelReason))
	add("no_show_at", u.NoShowAt != nil, u.NoShowAt)
	add("no_show_kind", u.NoShowKind != nil, deref(u.NoShowKind))
	add("checked_in_at", u.CheckedInAt != nil, u.CheckedInAt)
	add("delivered_at", u.DeliveredAt != nil, u.DeliveredAt)
	add("charged_minor", u.ChargedMinor != nil, derefInt(u.ChargedMinor))
	where := "id = ?"
	args = append(args, id)
	if p := u.Priced; p != nil {
		where += " AND price_minor = ? AND discount_minor = ? AND COALESCE(voucher_id, 0) = ?"
		args = append(args, p.PriceMinor, p.DiscountMinor, p.VoucherID)
	}
	if len(from) > 0 {
		where += " AND state IN (" + placeholders(len(from)) + ")"
		for _, st := range from {
			args = append(args, st)
		}
	}
	var out portal.Booking
	if err := tx.get(ctx, &out, `UPDATE bookings SET `+set+` WHERE `+where+` RETURNING `+bookingColumns, args...); err != nil {
		return nil, fmt.Errorf("store: update booking %d: %w", id, err)
	}
	return &out, nil
}

// LockBooking reads a booking for a change; on PostgreSQL the row stays
// locked until the transaction ends.
//
// The row is locked on its own before its details are read: a lock taken
// through the join would, on PostgreSQL, re-check the join against the row
// as another transaction left it and lose a booking whose slot that
// transaction changed.
func (tx *Tx) LockBooking(ctx context.Context, id int64) (*portal.BookingDetail, error) {
	if tx.s.engine == Postgres {
		var locked int64
		if err := tx.get(ctx, &locked, `SELECT id FROM bookings WHERE id = ? FOR UPDATE`, id); err != nil {
			return nil, fmt.Errorf("store: lock booking %d: %w", id, err)
		}
	}
	var out portal.BookingDetail
	if err := tx.get(ctx, &out, bookingDetailSelect+` WHERE b.id = ?`, id); err != nil {
		return nil, fmt.Errorf("store: lock booking %d: %w", id, err)
	}
	return &out, nil
}

// LockUser serialises a user's scheduling changes: on PostgreSQL it locks
// the user's row until the transaction ends (SQLite transactions are
// serial already).
func (tx *Tx) LockUser(ctx context.Context, userID int64) error {
	var id int64
	if err := tx.get(ctx, &id, `SELECT id FROM users WHERE id = ?`+tx.forUpdate(""), userID); err != nil {
		return fmt.Errorf("store: lock user %d: %w", userID, err)
	}
	return nil
}

// forUpdate is the row-locking suffix of a SELECT on PostgreSQL.
func (tx *Tx) forUpdate(table string) string {
	if tx.s.engine != Postgres {
		return ""
	}
	if table != "" {
		return " FOR UPDATE OF " + table
	}
	return " FOR UPDATE"
}

// forShare is the clause that takes a shared lock on the rows a query reads
// on PostgreSQL: others may share it, and a writer of those rows waits for
// them all (SQLite serializes writers anyway).
func (tx *Tx) forShare() string {
	if tx.s.engine != Postgres {
		return ""
	}
	return " FOR SHARE"
}

// GetBooking returns one booking with its details, or portal.ErrNotFound.
func (s *Store) GetBooking(ctx context.Context, id int64) (*portal.BookingDetail, error) {
	var out portal.BookingDetail
	if err := s.get(ctx, &out, bookingDetailSelect+` WHERE b.id = ?`, id); err != nil {
		return nil, fmt.Errorf("store: find booking %d: %w", id, err)
	}
	return &out, nil
}

// BookingFilter selects bookings for listings.
type BookingFilter struct {
	UserID    int64
	States    []string
	SlotID    int64
	PaymentID int64
	CenterID  int64
	Online    bool
	From, To  time.Time // slot start in [From, To) when set
	Reference string
	Query     string // reference, login ID, email or name contains
	// NotCheckedIn keeps the bookings without a check-in.
	NotCheckedIn bool
	// Limit caps the rows; 0 returns every match (callers scope their
	// filter: one user, payment, slot or center day).
	Limit int
}

// ListBookings returns bookings with details, earliest start first.
func (s *Store) ListBookings(ctx context.Context, f BookingFilter) ([]*portal.BookingDetail, error) {
	return listBookings(ctx, s, f)
}

// ListBookings returns bookings with details inside the transaction.
func (tx *Tx) ListBookings(ctx context.Context, f BookingFilter) ([]*portal.BookingDetail, error) {
	return listBookings(ctx, tx, f)
}

func (f BookingFilter) where() (string, []any) {
	where, args := []string{"1 = 1"}, []any{}
	if f.UserID != 0 {
		where, args = append(where, "b.user_id = ?"), append(args, f.UserID)
	}
	if len(f.States) > 0 {
		where = append(where, "b.state IN ("+placeholders(len(f.States))+")")
		for _, st := range f.States {
			args = append(args, st)
		}
	}
	if f.SlotID != 0 {
		where, args = append(where, "b.slot_id = ?"), append(args, f.SlotID)
	}
	if f.PaymentID != 0 {
		where, args = append(where, "b.payment_id = ?"), append(args, f.PaymentID)
	}
	if f.CenterID != 0 {
		where, args = append(where, "s.center_id = ?"), append(args, f.CenterID)
	}
	if f.Online {
		where = append(where, "s.center_id IS NULL")
	}
	if !f.From.IsZero() {
		where, args = append(where, "s.starts_at >= ?"), append(args, f.From.UTC())
	}
	if !f.To.IsZero() {
		where, args = append(where, "s.starts_at < ?"), append(args, f.To.UTC())
	}
	if f.NotCheckedIn {
		where = append(where, "b.checked_in_at IS NULL")
	}
	if f.Reference != "" {
		where, args = append(where, "b.reference = ?"), append(args, f.Reference)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		p := likePattern(strings.ToLower(q))
		where = append(where, `(LOWER(b.reference) LIKE ? ESCAPE '\' OR LOWER(u.login_id) LIKE ? ESCAPE '\'
			OR u.email LIKE ? ESCAPE '\' OR LOWER(u.first_name || ' ' || u.last_name) LIKE ? ESCAPE '\')`)
		args = append(args, p, p, p, p)
	}
	return strings.Join(where, " AND "), args
}

// ListExpiredHolds returns up to limit bookings whose hold ran out before now.
func (tx *Tx) ListExpiredHolds(ctx context.Context, limit int) ([]*portal.Booking, error) {
	var out []*portal.Booking
	if err := tx.sel(ctx, &out, `SELECT `+bookingColumns+` FROM bookings
		WHERE state IN ('held', 'pending') AND hold_expires_at <= ? ORDER BY hold_expires_at LIMIT ?`, tx.now, limit); err != nil {
		return nil, fmt.Errorf("store: expired holds: %w", err)
	}
	return out, nil
}

// CountUnpaidHoldsByIP counts the held and pending bookings made from ip
// whose hold has not run out at now.
func (tx *Tx) CountUnpaidHoldsByIP(ctx context.Context, ip string, now time.Time) (int, error) {
	var n int
	if err := tx.get(ctx, &n, `SELECT COUNT(*) FROM bookings WHERE hold_ip = ? AND state IN ('held', 'pending') AND hold_expires_at > ?`,
		ip, now); err != nil {
		return 0, fmt.Errorf("store: unpaid holds from %s: %w", ip, err)
	}
	return n, nil
}

// LockHoldAddress serialises the holds made from one network address: it
// upserts the address's row in hold_addresses, which on PostgreSQL keeps
// the row locked until the transaction ends, so a count of the address's
// unpaid holds that follows cannot be overtaken by a concurrent hold from
// the same address. SQLite transactions are serial already.
func (tx *Tx) LockHoldAddress(ctx context.Context, ip string) error {
	if _, err := tx.exec(ctx, `INSERT INTO hold_addresses (address, last_hold_at) VALUES (?, ?)
		ON CONFLICT (address) DO UPDATE SET last_hold_at = excluded.last_hold_at`, ip, tx.now); err != nil {
		return fmt.Errorf("store: lock hold address %s: %w", ip, err)
	}
	return nil
}

// DeleteHoldAddressesBefore forgets the addresses that made no hold since
// cutoff.
func (tx *Tx) DeleteHoldAddressesBefore(ctx context.Context, cutoff time.Time) (int64, error) {
	r, err := tx.exec(ctx, `DELETE FROM hold_addresses WHERE last_hold_at < ?`, cutoff)
	if err != nil {
		return 0, fmt.Errorf("store: delete hold addresses: %w", err)
	}
	return r.RowsAffected()
}

// ListExpiredHoldsInSlot returns the bookings of one slot whose hold ran out.
func (tx *Tx) ListExpiredHoldsInSlot(ctx context.Context, slotID int64) ([]*portal.Booking, error) {
	var out []*portal.Booking
	if err := tx.sel(ctx, &out, `SELECT `+bookingColumns+` FROM bookings
		WHERE slot_id = ? AND state IN ('held', 'pending') AND hold_expires_at <= ?`, slotID, tx.now); err != nil {
		return nil, fmt.Errorf("store: expired holds in slot %d: %w", slotID, err)
	}
	return out, nil
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func derefInt[T ~int | ~int64](p *T) T {
	if p == nil {
		return 0
	}
	return *p
}

// CountExpiredHolds counts the bookings of a slot whose hold ran out
// before now but that still hold their seat (not swept yet).
func (s *Store) CountExpiredHolds(ctx context.Context, slotID int64, now time.Time) (int, error) {
	var n int
	err := s.get(ctx, &n, `SELECT COUNT(*) FROM bookings WHERE slot_id = ? AND state IN ('held', 'pending') AND hold_expires_at <= ?`,
		slotID, now.UTC())
	if err != nil {
		return 0, fmt.Errorf("store: count expired holds in slot %d: %w", slotID, err)
	}
	return n, nil
}

func listBookings(ctx context.Context, r reader, f BookingFilter) ([]*portal.BookingDetail, error) {
	where, args := f.where()
	q := bookingDetailSelect + ` WHERE ` + where + ` ORDER BY s.starts_at, b.id`
	if f.Limit > 0 {
		q, args = q+` LIMIT ?`, append(args, f.Limit)
	}
	var out []*portal.BookingDetail
	if err := r.sel(ctx, &out, q, args...); err != nil {
		return nil, fmt.Errorf("store: list bookings: %w", err)
	}
	return out, nil
}
