package booking

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// VoucherRequest creates a voucher or discount code.
type VoucherRequest struct {
	Code        string // empty: generated
	Percent     int    // 1–100; 100 is a full-value voucher
	ExamCodes   []string
	MaxUses     int // 1 for a single-use voucher
	ExpiresAt   time.Time
	OwnerUserID *int64 // only this candidate may redeem it
	Note        string
}

var voucherCode = regexp.MustCompile(`^[A-Z0-9]{4,40}$`)

// PlanningYears bounds the dates staff enter in the console: a voucher
// expires, and a center is closed, at most this many years from now.
const PlanningYears = 10

// CreateVoucher issues a voucher. Needs PermVouchersManage (the system,
// for example the retake voucher after a pass, always may).
func (s *Service) CreateVoucher(ctx context.Context, actor portal.Actor, r VoucherRequest) (*portal.Voucher, error) {
	if err := actor.Authorize(portal.PermVouchersManage); err != nil {
		return nil, err
	}
	var v portal.Validation
	code := NormalizeVoucherCode(r.Code)
	if code == "" {
		code = strings.ReplaceAll(newReference("V"), "-", "") + strings.ReplaceAll(newReference(""), "-", "")
	}
	if !voucherCode.MatchString(code) {
		v.Add("code", "schedule.voucher.code_invalid", nil)
	}
	if r.Percent < 1 || r.Percent > 100 {
		v.Add("percent", "schedule.voucher.percent_invalid", nil)
	}
	if r.MaxUses < 1 || r.MaxUses > 1_000_000 {
		v.Add("max_uses", "schedule.voucher.max_uses_invalid", nil)
	}
	now := s.clock.Now()
	switch latest := now.AddDate(PlanningYears, 0, 0); {
	case !r.ExpiresAt.After(now):
		v.Add("expires_at", "schedule.voucher.expiry_invalid", nil)
	case r.ExpiresAt.After(latest):
		v.Add("expires_at", "schedule.voucher.expiry_too_far", map[string]any{"Latest": latest})
	}
	var exams []string
	for _, c := range r.ExamCodes {
		c = strings.ToUpper(strings.TrimSpace(c))
		if c == "" {
			continue
		}
		if _, err := s.st.FindExamByCode(ctx, c); err != nil {
			v.Add("exam_codes", "schedule.voucher.exam_unknown", map[string]any{"Exam": c})
			break
		}
		exams = append(exams, c)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out *portal.Voucher
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.CreateVoucher(ctx, portal.Voucher{Code: code, Percent: r.Percent, ExamCodes: strings.Join(exams, ","),
			MaxUses: r.MaxUses, ExpiresAt: r.ExpiresAt, OwnerUserID: r.OwnerUserID, Note: strings.TrimSpace(r.Note), CreatedBy: nonZero(actor.UserID)})
		if err != nil {
			return err
		}
		return audit(ctx, tx, actor, "scheduling.voucher_created", "voucher:"+code, "")
	})
	if errors.Is(err, portal.ErrConflict) {
		return nil, &portal.Error{Code: portal.EConflict, Message: "schedule.voucher.code_taken", Fields: []portal.FieldError{{Field: "code", Message: "schedule.voucher.code_taken"}}}
	}
	return out, err
}

// Vouchers lists the newest vouchers. Needs PermVouchersManage.
func (s *Service) Vouchers(ctx context.Context, actor portal.Actor) ([]*portal.Voucher, error) {
	if err := actor.Authorize(portal.PermVouchersManage); err != nil {
		return nil, err
	}
	return s.st.ListVouchers(ctx, 200)
}

// OwnVouchers lists the vouchers issued to the acting candidate (its
// subject: Actor.Subject) that can still be applied: enabled, unexpired,
// with a use left; a pass voucher names the certification that issued it.
// Vouchers issued to anyone else never show. A signed-in actor may call
// it; ApplyVoucher still checks the owner when one is applied.
func (s *Service) OwnVouchers(ctx context.Context, actor portal.Actor) ([]*portal.OwnedVoucher, error) {
	if actor.Subject() == 0 {
		return nil, portal.ErrUnauthorized
	}
	return s.st.ListUsableVouchersByOwner(ctx, actor.Subject(), s.clock.Now())
}

func nonZero(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}
