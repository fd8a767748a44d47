package testutil

import (
	"context"
	"fmt"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// EmulateTimeZone makes the tab's clock read in the IANA zone, as on a
// computer set to it (Intl and Date see it). Call it before Navigate.
func (b *Browser) EmulateTimeZone(zone string) {
	b.t.Helper()
	b.do("emulate the time zone "+zone, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: zone})
		return err
	}))
}

// AdvanceTime runs the page's time d ahead at once, on virtual time:
// timers that fall due run, and Date and performance.now move by d. It
// returns when the page has lived through d, without the test waiting
// for it, and leaves the page's time paused.
func (b *Browser) AdvanceTime(d time.Duration) {
	b.t.Helper()
	b.do(fmt.Sprintf("advance the page's time by %v", d), chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		expired := cdp.Events(ctx, t, emulation.VirtualTimeBudgetExpired)
		budget := float64(d.Milliseconds())
		if _, err := cdp.Call(ctx, t, emulation.SetVirtualTimePolicy, emulation.SetVirtualTimePolicyParams{
			Policy: emulation.VirtualTimePolicyAdvance, Budget: &budget}); err != nil {
			return err
		}
		for _, err := range expired {
			return err
		}
		return fmt.Errorf("the page closed before its time ran out")
	}))
}
