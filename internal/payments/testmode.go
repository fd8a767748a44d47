package payments

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// Test-mode card numbers. Any other number is declined as unknown.
const (
	TestCardSuccess  = "4242424242424242"
	TestCardDeclined = "4000000000000002"
)

// TestMode is the built-in provider for demos and development. It moves no
// money: a charge succeeds for TestCardSuccess and is declined for every
// other number. Its references are derived from the idempotency key, so a
// retried call returns the same charge or refund, as a real provider does.
// Pages that use it say "test mode" wherever it shows.
type TestMode struct{}

// ChargeRequest is a test-mode card payment.
type ChargeRequest struct {
	Card           string
	AmountMinor    int64
	Currency       string
	IdempotencyKey string
}

// Charge takes a payment; it returns ErrDeclined for every card but
// TestCardSuccess.
func (TestMode) Charge(ctx context.Context, r ChargeRequest) (string, error) {
	card := strings.Map(func(c rune) rune {
		if c == ' ' || c == '-' {
			return -1
		}
		return c
	}, r.Card)
	if card != TestCardSuccess {
		return "", ErrDeclined
	}
	if r.AmountMinor <= 0 || r.IdempotencyKey == "" {
		return "", fmt.Errorf("payments: test charge needs an amount and an idempotency key")
	}
	return "test_ch_" + digest(r.IdempotencyKey), nil
}

// Refund returns money of a test charge.
func (TestMode) Refund(ctx context.Context, r RefundRequest) (string, error) {
	if !strings.HasPrefix(r.PaymentRef, "test_ch_") || r.AmountMinor <= 0 || r.IdempotencyKey == "" {
		return "", fmt.Errorf("%w: test refund of %q for %d: not a test charge", ErrRefundRefused, r.PaymentRef, r.AmountMinor)
	}
	return "test_re_" + digest(r.IdempotencyKey), nil
}

func digest(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:12])
}
