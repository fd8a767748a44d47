package booking

import (
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// bookingEvent records a booking's transition as an event, in the
// transaction that makes it. payload holds ids and amounts only.
func bookingEvent(tx *store.Tx, typ portal.EventType, actor portal.Actor, b *portal.Booking, payload map[string]any) error {
	return tx.AppendEvent(typ, portal.SubjectBooking, b.ID, b.Reference, actor.UserID, payload)
}

// voucherEvent records a use of a voucher taken or given back by booking b.
func voucherEvent(tx *store.Tx, typ portal.EventType, actor portal.Actor, voucherID int64, b *portal.Booking) error {
	return tx.AppendEvent(typ, portal.SubjectVoucher, voucherID, "", actor.UserID, map[string]any{"booking": b.Reference})
}

// paymentEvent records a payment's outcome, in the transaction that
// records it.
func paymentEvent(tx *store.Tx, typ portal.EventType, actor portal.Actor, p *portal.Payment) error {
	return tx.AppendEvent(typ, portal.SubjectPayment, p.ID, p.Reference, actor.UserID,
		map[string]any{"purpose": p.Purpose, "provider": p.Provider, "amount_minor": p.AmountMinor, "currency": p.Currency})
}
