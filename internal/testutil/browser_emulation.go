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

// InViewport reports whether every element matching sel (at least one)
// is shown and lies within the viewport's width, so a person sees it
// without scrolling sideways (a cell beyond a scrolling table's edge does
// not).
func (b *Browser) InViewport(sel string) bool {
	b.t.Helper()
	return browserRun(b, b.Timeout, fmt.Sprintf("check that %q fits the viewport", sel), chromedp.Evaluate[bool](`(() => {
		const els = document.querySelectorAll(`+jsString(sel)+`);
		if (els.length === 0) return false;
		const width = document.documentElement.clientWidth;
		return Array.from(els).every(el => {
			const r = el.getBoundingClientRect();
			if (r.width === 0 || r.height === 0) return false;
			let box = el.parentElement;
			for (; box; box = box.parentElement) {
				const b = box.getBoundingClientRect(), s = getComputedStyle(box);
				if (s.overflowX !== 'visible' && (r.left < b.left - 1 || r.right > b.right + 1)) return false;
			}
			return r.left >= 0 && r.right <= width + 1;
		});
	})()`))
}

// Height returns the rendered height, in CSS pixels, of the first element
// matching sel (0 when none is shown).
func (b *Browser) Height(sel string) float64 {
	b.t.Helper()
	return browserRun(b, b.Timeout, fmt.Sprintf("measure the height of %q", sel), chromedp.Evaluate[float64](`(() => {
		const el = document.querySelector(`+jsString(sel)+`);
		return el ? el.getBoundingClientRect().height : 0;
	})()`))
}
