// Package payments talks to payment providers: Stripe, and a built-in test
// mode for demos and development. It knows nothing of bookings; the
// booking service decides what to charge and refund and records the
// outcome in its own transactions.
//
// Every call that moves money carries an idempotency key derived from our
// own record (payment or refund id), so a retry after a crash or a timeout
// returns the original result instead of moving the money twice.
package payments

import (
	"context"
	"errors"
	"fmt"
)

// Providers are the configured providers; a nil field is not configured.
type Providers struct {
	Test   *TestMode
	Stripe *Stripe
}

// RefundRequest returns money of an earlier payment.
type RefundRequest struct {
	// PaymentRef is the provider's reference of the payment (a Stripe
	// PaymentIntent id, a test-mode charge id).
	PaymentRef  string
	AmountMinor int64
	Currency    string
	// IdempotencyKey is derived from our refund id: the provider returns
	// the first refund made with it instead of refunding again.
	IdempotencyKey string
}

// Refunder is what every provider does the same way.
type Refunder interface {
	Refund(ctx context.Context, r RefundRequest) (providerRef string, err error)
}

// Refunder returns the provider named name ("test", "stripe").
func (p *Providers) Refunder(name string) (Refunder, error) {
	switch {
	case name == "test" && p.Test != nil:
		return p.Test, nil
	case name == "stripe" && p.Stripe != nil:
		return p.Stripe, nil
	}
	return nil, fmt.Errorf("payments: provider %q is not configured", name)
}

// ErrDeclined is a payment the provider refused; the candidate may try
// another card.
var ErrDeclined = errors.New("payments: card declined")

// ErrRefundRefused is a refund the provider will never make as asked (an
// unknown or already refunded payment, an amount above what is left):
// retrying cannot help, a person must look.
var ErrRefundRefused = errors.New("payments: refund refused")
