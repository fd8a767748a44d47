package booking

import (
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// OnlineAgreement is what a candidate confirms before an online exam: the
// system check ran on the computer they will use, and they agree to the
// exam rules and the privacy policy in force (Config versions). Checkout
// asks for it for every online seat in the cart, and a move asks for it
// when it takes a booking into online delivery.
type OnlineAgreement struct {
	SystemChecked bool
	AgreeRules    bool
	AgreePrivacy  bool
}

// check refuses an agreement with anything missing, naming each missing
// part on its field; message heads the refusal.
func (a OnlineAgreement) check(message string) error {
	var v portal.Validation
	if !a.SystemChecked {
		v.Add("system_checked", "schedule.checkout.system_check_required", nil)
	}
	if !a.AgreeRules {
		v.Add("agree_rules", "schedule.checkout.rules_required", nil)
	}
	if !a.AgreePrivacy {
		v.Add("agree_privacy", "schedule.checkout.privacy_required", nil)
	}
	if len(v.Fields) == 0 {
		return nil
	}
	err := v.Err().(*portal.Error)
	if message != "" {
		err.Message = message
	}
	return err
}

// recordAgreement sets the agreement's record on a booking update: when
// the system check was confirmed and the agreement given (now), and the
// versions of the rules and the policy agreed to.
func (s *Service) recordAgreement(upd *store.BookingUpdate, now time.Time) {
	upd.SystemCheckedAt, upd.AgreedAt = &now, &now
	upd.RulesVersion, upd.PrivacyVersion = &s.cfg.RulesVersion, &s.cfg.PrivacyVersion
}

// MoveNeedsAgreement reports whether moving b to the slot takes it into
// online delivery, so that the move needs the online agreement: from a
// test center, or an online booking with no agreement on record.
func MoveNeedsAgreement(b *portal.BookingDetail, to *portal.Slot) bool {
	return to.Online() && (!b.Online() || b.AgreedAt == nil)
}
