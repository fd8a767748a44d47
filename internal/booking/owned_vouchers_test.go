package booking_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"example.org/certportal/internal/booking"
	"example.org/certportal/internal/calendar"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/results"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

// passVoucher earns the candidate the certification of f.saa through the
// results service (entered, confirmed, published once official) and
// returns its pass voucher.
func (f *fixture) passVoucher(c portal.Actor, res *results.Service) *portal.OwnedVoucher {
	f.t.Helper()
	u, err := f.st.GetUser(f.ctx, c.UserID)
	if err != nil {
		f.t.Fatal(err)
	}
	enterer, confirmer := f.newStaff(portal.SetResultsOfficer), f.newStaff(portal.SetResultsOfficer)
	a, err := res.Enter(f.ctx, enterer, results.Entry{Candidate: u.LoginID, ExamCode: f.saa.Code, TakenAt: f.clock.Now().AddDate(0, 0, -14), Score: 800})
	if err != nil {
		f.t.Fatalf("enter: %v", err)
	}
	if _, err := res.Confirm(f.ctx, confirmer, a.ID); err != nil {
		f.t.Fatalf("confirm: %v", err)
	}
	if err := res.Publish(f.ctx, a.ID); err != nil {
		f.t.Fatalf("publish: %v", err)
	}
	list, err := f.st.ListUsableVouchersByOwner(f.ctx, c.UserID, f.clock.Now())
	if err != nil {
		f.t.Fatal(err)
	}
	for _, v := range list {
		if v.CertificationCode == "SAA" {
			return v
		}
	}
	f.t.Fatalf("no pass voucher among %d vouchers of the candidate", len(list))
	return nil
}

// codes are the codes of vouchers, in order.
func codes(list []*portal.OwnedVoucher) []string {
	out := []string{}
	for _, v := range list {
		out = append(out, v.Code)
	}
	return out
}

func sameCodes(got []*portal.OwnedVoucher, want ...string) bool {
	g := codes(got)
	if len(g) != len(want) {
		return false
	}
	for i := range g {
		if g[i] != want[i] {
			return false
		}
	}
	return true
}

// TestOwnVouchersInTheCart: the cart offers the candidate's own vouchers
// that can still be applied, a pass voucher naming its certification and
// its last day; one applies without typing its code. Another candidate's
// vouchers never show and are refused if typed; a voucher for another
// exam is not offered for this one; a used, disabled or expired voucher
// is not offered, and a released hold offers its voucher again.
func TestOwnVouchersInTheCart(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		cal, err := calendar.New(calendar.Settings{TimeZone: "UTC",
			BusinessDays: []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}})
		if err != nil {
			t.Fatal(err)
		}
		res := results.New(f.st, f.clock, slog.New(slog.DiscardHandler), results.Config{
			Calendar: func(context.Context) (results.Calendar, error) { return cal, nil }})
		if _, err := res.CreateCertification(f.ctx, f.admin, portal.Certification{Code: "SAA", Name: "Solutions Architect",
			Level: portal.LevelAssociate, Kind: portal.CertKindCertification, ValidityMonths: 36, Active: true,
			EarnedBy: []string{f.saa.Code}}); err != nil {
			t.Fatal(err)
		}

		holder, other := f.newCandidate(), f.newCandidate()
		pass := f.passVoucher(holder, res)
		if pass.Percent != 50 || pass.CertificationName != "Solutions Architect" || pass.CertificationExpiresOn != "2029-11-17" {
			t.Fatalf("pass voucher %d %% from %q until %q; want 50 %% from Solutions Architect until 2029-11-17",
				pass.Percent, pass.CertificationName, pass.CertificationExpiresOn)
		}
		micro := f.createVoucher(booking.VoucherRequest{Code: "MINEMICRO", Percent: 100, ExamCodes: []string{f.micro.Code}, OwnerUserID: &holder.UserID})
		short := f.createVoucher(booking.VoucherRequest{Code: "MINESHORT", Percent: 20, OwnerUserID: &holder.UserID, ExpiresAt: fixtureNow.Add(time.Hour)})
		off := f.createVoucher(booking.VoucherRequest{Code: "MINEOFF", Percent: 20, OwnerUserID: &holder.UserID})
		if err := f.st.Transact(f.ctx, func(tx *store.Tx) error {
			_, err := tx.VoidUnusedVoucher(f.ctx, off.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		f.createVoucher(booking.VoucherRequest{Code: "OTHERS1", Percent: 30, OwnerUserID: &other.UserID})
		f.createVoucher(booking.VoucherRequest{Code: "ANYONE1", Percent: 10, MaxUses: 100}) // owned by nobody: typed, not offered

		b := f.hold(holder, f.saa, f.centerSlot("2026-12-10", "09:00"))
		cart, err := f.svc.Cart(f.ctx, holder)
		if err != nil {
			t.Fatal(err)
		}
		// The one expiring first first; the disabled one, another's and
		// the unowned one are absent.
		if !sameCodes(cart.Vouchers, short.Code, micro.Code, pass.Code) {
			t.Fatalf("cart vouchers %v; want %v", codes(cart.Vouchers), []string{short.Code, micro.Code, pass.Code})
		}
		if got := cart.VoucherChoices(cart.Items[0]); !sameCodes(got, short.Code, pass.Code) {
			t.Fatalf("choices for %s: %v; want %s and %s (not the %s voucher)", f.saa.Code, codes(got), short.Code, pass.Code, f.micro.Code)
		}

		ob := f.hold(other, f.saa, f.centerSlot("2026-12-10", "09:00"))
		ocart, err := f.svc.Cart(f.ctx, other)
		if err != nil {
			t.Fatal(err)
		}
		if !sameCodes(ocart.Vouchers, "OTHERS1") {
			t.Fatalf("another candidate's cart offers %v; want only their own OTHERS1", codes(ocart.Vouchers))
		}
		wantField(t, f.svc.ApplyVoucher(f.ctx, other, ob.ID, pass.Code), "code", "schedule.voucher.not_yours")

		// One choice applies by its code, as the cart's button sends it.
		if err := f.svc.ApplyVoucher(f.ctx, holder, b.ID, pass.Code); err != nil {
			t.Fatal(err)
		}
		if got := f.booking(b.ID); got.VoucherID == nil || *got.VoucherID != pass.ID || got.DiscountMinor != 7500 {
			t.Fatalf("booking voucher %v discount %d; want the pass voucher and 7500", got.VoucherID, got.DiscountMinor)
		}
		cart, err = f.svc.Cart(f.ctx, holder)
		if err != nil {
			t.Fatal(err)
		}
		if len(cart.VoucherChoices(cart.Items[0])) != 0 || !sameCodes(cart.Vouchers, short.Code, micro.Code) {
			t.Fatalf("after applying: choices %v, vouchers %v; want none, and the used pass voucher gone",
				codes(cart.VoucherChoices(cart.Items[0])), codes(cart.Vouchers))
		}

		if err := f.svc.Release(f.ctx, holder, b.ID); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Hour) // MINESHORT ends now
		f.hold(holder, f.saa, f.centerSlot("2026-12-11", "09:00"))
		cart, err = f.svc.Cart(f.ctx, holder)
		if err != nil {
			t.Fatal(err)
		}
		if got := cart.VoucherChoices(cart.Items[0]); !sameCodes(got, pass.Code) {
			t.Fatalf("after release and expiry: choices %v; want only %s", codes(got), pass.Code)
		}

		if _, err := f.svc.OwnVouchers(f.ctx, portal.Actor{}); err == nil {
			t.Fatal("an anonymous actor listed vouchers")
		}
		f.checkInvariants()
	})
}
