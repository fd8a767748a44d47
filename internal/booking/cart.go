package booking

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// Cart is the candidate's unpaid holds.
type Cart struct {
	Items     []*portal.BookingDetail
	Total     int64
	Currency  string // empty when items differ in currency
	ExpiresAt time.Time
	Online    bool // an item is an online exam: agreements and system check needed
	// Vouchers are the candidate's own vouchers that can still be
	// applied (OwnVouchers): the choices VoucherChoices offers per item.
	Vouchers []*portal.OwnedVoucher
}

// Cart returns the acting candidate's holds that have not run out.
func (s *Service) Cart(ctx context.Context, actor portal.Actor) (*Cart, error) {
	if actor.UserID == 0 {
		return nil, portal.ErrUnauthorized
	}
	list, err := s.st.ListBookings(ctx, store.BookingFilter{UserID: actor.UserID, States: []string{portal.BookingHeld}})
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	c := &Cart{}
	for _, b := range list {
		if b.HoldExpiresAt == nil || !b.HoldExpiresAt.After(now) {
			continue
		}
		c.add(b)
	}
	if len(c.Items) > 0 {
		if c.Vouchers, err = s.OwnVouchers(ctx, actor); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// VoucherChoices are the candidate's own vouchers that apply to the item:
// none while it carries a voucher, else those for any exam or for the
// item's exam.
func (c *Cart) VoucherChoices(b *portal.BookingDetail) []*portal.OwnedVoucher {
	if b.VoucherID != nil {
		return nil
	}
	var out []*portal.OwnedVoucher
	for _, v := range c.Vouchers {
		if v.ExamCodes == "" || slices.Contains(strings.Split(v.ExamCodes, ","), b.ExamCode) {
			out = append(out, v)
		}
	}
	return out
}

func (c *Cart) add(b *portal.BookingDetail) {
	if len(c.Items) == 0 {
		c.Currency = b.Currency
	} else if c.Currency != b.Currency {
		c.Currency = ""
	}
	c.Items = append(c.Items, b)
	c.Total += b.AmountMinor()
	if b.HoldExpiresAt != nil && (c.ExpiresAt.IsZero() || b.HoldExpiresAt.Before(c.ExpiresAt)) {
		c.ExpiresAt = *b.HoldExpiresAt
	}
	c.Online = c.Online || b.Online()
}

// ownBooking reads a booking of the acting user for a change, locked on
// PostgreSQL. Another user's booking is not found (staff use the console).
func ownBooking(ctx context.Context, tx *store.Tx, actor portal.Actor, id int64) (*portal.BookingDetail, error) {
	b, err := tx.LockBooking(ctx, id)
	if err != nil {
		return nil, err
	}
	if !actor.Owns(b.UserID) {
		return nil, portal.ErrNotFound
	}
	return b, nil
}

// cartBooking reads a booking of the acting candidate's cart for a
// change. It locks the candidate's row first (store.LockUser), as Hold and
// Checkout do: every change to a candidate's cart (hold, release, apply or
// remove a voucher) and the checkout that prices the cart run one after
// the other, so a checkout never charges a cart that changed under it.
func cartBooking(ctx context.Context, tx *store.Tx, actor portal.Actor, id int64) (*portal.BookingDetail, error) {
	if err := tx.LockUser(ctx, actor.UserID); err != nil {
		return nil, err
	}
	return ownBooking(ctx, tx, actor, id)
}

// Release gives up a hold in the cart; its seat and voucher go back.
func (s *Service) Release(ctx context.Context, actor portal.Actor, bookingID int64) error {
	return s.st.Transact(ctx, func(tx *store.Tx) error {
		b, err := cartBooking(ctx, tx, actor, bookingID)
		if err != nil {
			return err
		}
		if b.State != portal.BookingHeld {
			return refused(portal.EConflict, "schedule.cart.not_in_cart", nil)
		}
		if err := s.expire(ctx, tx, actor, &b.Booking); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "scheduling.hold_released", "booking:"+b.Reference, "")
	})
}

// NormalizeVoucherCode upper-cases and drops spaces and dashes, so codes
// can be typed as printed.
func NormalizeVoucherCode(code string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == ' ' || r == '-':
			return -1
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		}
		return r
	}, strings.TrimSpace(code))
}

// ApplyVoucher redeems a voucher or discount code on a hold in the cart.
// The use is counted at once (a conditional UPDATE, so a single-use code
// can be in only one cart) and given back if the hold runs out or is
// released, or the booking is cancelled in time.
func (s *Service) ApplyVoucher(ctx context.Context, actor portal.Actor, bookingID int64, code string) error {
	code = NormalizeVoucherCode(code)
	if code == "" || len(code) > 40 {
		return &portal.Error{Code: portal.EInvalid, Message: "schedule.voucher.unknown", Fields: []portal.FieldError{{Field: "code", Message: "schedule.voucher.unknown"}}}
	}
	return s.st.Transact(ctx, func(tx *store.Tx) error {
		b, err := cartBooking(ctx, tx, actor, bookingID)
		if err != nil {
			return err
		}
		if b.State != portal.BookingHeld || b.HoldExpiresAt == nil || !b.HoldExpiresAt.After(tx.Now()) {
			return refused(portal.EConflict, "schedule.cart.not_in_cart", nil)
		}
		if b.VoucherID != nil {
			return voucherRefusal("schedule.voucher.one_per_booking", nil)
		}
		v, err := tx.FindVoucherByCode(ctx, code)
		if errors.Is(err, portal.ErrNotFound) {
			return voucherRefusal("schedule.voucher.unknown", nil)
		}
		if err != nil {
			return err
		}
		switch {
		case v.DisabledAt != nil:
			return voucherRefusal("schedule.voucher.unknown", nil)
		case !v.ExpiresAt.After(tx.Now()):
			return voucherRefusal("schedule.voucher.expired", map[string]any{"Date": v.ExpiresAt})
		case v.OwnerUserID != nil && !actor.Owns(*v.OwnerUserID):
			return voucherRefusal("schedule.voucher.not_yours", nil)
		case v.ExamCodes != "" && !slices.Contains(strings.Split(v.ExamCodes, ","), b.ExamCode):
			return voucherRefusal("schedule.voucher.wrong_exam", map[string]any{"Exams": strings.ReplaceAll(v.ExamCodes, ",", ", ")})
		}
		if err := tx.UseVoucher(ctx, v.ID); errors.Is(err, store.ErrVoucherUsedUp) {
			return voucherRefusal("schedule.voucher.used_up", nil)
		} else if err != nil {
			return err
		}
		if err := voucherEvent(tx, portal.EventVoucherRedeemed, actor, v.ID, &b.Booking); err != nil {
			return err
		}
		discount := refundAmount(b.PriceMinor, v.Percent) // 100% is the whole price
		if _, err := tx.UpdateBooking(ctx, b.ID, []string{portal.BookingHeld}, store.BookingUpdate{VoucherID: &v.ID, DiscountMinor: &discount}); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "scheduling.voucher_applied", "booking:"+b.Reference, "voucher "+v.Code)
	})
}

// RemoveVoucher takes the voucher off a hold in the cart and gives its use
// back.
func (s *Service) RemoveVoucher(ctx context.Context, actor portal.Actor, bookingID int64) error {
	return s.st.Transact(ctx, func(tx *store.Tx) error {
		b, err := cartBooking(ctx, tx, actor, bookingID)
		if err != nil {
			return err
		}
		if b.State != portal.BookingHeld || b.VoucherID == nil {
			return refused(portal.EConflict, "schedule.cart.not_in_cart", nil)
		}
		if err := tx.ReleaseVoucher(ctx, *b.VoucherID); err != nil {
			return err
		}
		if err := voucherEvent(tx, portal.EventVoucherReleased, actor, *b.VoucherID, &b.Booking); err != nil {
			return err
		}
		zero := int64(0)
		_, err = tx.UpdateBooking(ctx, b.ID, []string{portal.BookingHeld}, store.BookingUpdate{ClearVoucher: true, DiscountMinor: &zero})
		return err
	})
}

func voucherRefusal(message string, data map[string]any) error {
	return &portal.Error{Code: portal.EConflict, Message: message, Data: data,
		Fields: []portal.FieldError{{Field: "code", Message: message, Data: data}}}
}

// releaseVoucher gives back the voucher use of a booking that ends before
// it was used (expired, released, cancelled in time).
func (s *Service) releaseVoucher(ctx context.Context, tx *store.Tx, b *portal.Booking) error {
	if b.VoucherID == nil || b.VoucherReleasedAt != nil {
		return nil
	}
	if err := tx.ReleaseVoucher(ctx, *b.VoucherID); err != nil {
		return err
	}
	if err := voucherEvent(tx, portal.EventVoucherReleased, portal.Actor{}, *b.VoucherID, b); err != nil {
		return err
	}
	now := tx.Now()
	_, err := tx.UpdateBooking(ctx, b.ID, nil, store.BookingUpdate{VoucherReleasedAt: &now})
	return err
}
