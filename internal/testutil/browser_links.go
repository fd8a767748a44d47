package testutil

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
)

// Attr returns the value of the attribute name of the element sel (a
// link's href as written in the page, not resolved), or "" when the
// element has no such attribute.
func (b *Browser) Attr(sel, name string) string {
	b.t.Helper()
	return browserRun(b, b.Timeout, fmt.Sprintf("read the %s of %q", name, sel), chromedp.Evaluate[string](
		`(el => el.getAttribute(`+jsString(name)+`) || '')(document.querySelector(`+jsString(sel)+`))`))
}

// Download clicks the link sel as a person saving a file does, waits until
// the browser has saved the whole file and returns the name the browser
// offered it under (from Content-Disposition, the link's download
// attribute or the address) and its bytes. A click that starts no
// download, and a download the browser gives up (an error answer, a
// dropped connection), fail the test.
func (b *Browser) Download(sel string) (name string, data []byte) {
	b.t.Helper()
	name, data, err := b.download(sel)
	if err != nil {
		b.fail(fmt.Sprintf("download with %q", sel), err)
	}
	return name, data
}

// download is Download returning its error.
func (b *Browser) download(sel string) (string, []byte, error) {
	dir, err := os.MkdirTemp(b.t.TempDir(), "download")
	if err != nil {
		return "", nil, err
	}
	ctx, cancel := context.WithTimeout(b.ctx, b.Timeout)
	defer cancel()
	// Subscribed before the click, so no event is missed.
	begins := chromedp.Events(ctx, browser.DownloadWillBegin)
	progress := chromedp.Events(ctx, browser.DownloadProgress)
	events := true
	if err := chromedp.Do(ctx,
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			// Files are saved under their download's GUID, so the test
			// finds them whatever the name offered.
			_, err := cdp.Call(ctx, t, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
				Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &events})
			return err
		}),
		chromedp.Click(chromedp.CSS(sel)),
	); err != nil {
		return "", nil, err
	}
	var began browser.EventDownloadWillBegin
	for ev, err := range begins {
		if err != nil {
			return "", nil, fmt.Errorf("no download began: %w", err)
		}
		began = ev
		break
	}
	for ev, err := range progress {
		if err != nil {
			return "", nil, fmt.Errorf("download of %s: %w", began.URL, err)
		}
		if ev.GUID != began.GUID {
			continue
		}
		switch ev.State {
		case browser.DownloadProgressStateCompleted:
			data, err := os.ReadFile(filepath.Join(dir, began.GUID))
			if err != nil {
				return "", nil, fmt.Errorf("read the download of %s: %w", began.URL, err)
			}
			return began.SuggestedFilename, data, nil
		case browser.DownloadProgressStateCanceled:
			return "", nil, fmt.Errorf("the browser gave up the download of %s", began.URL)
		}
	}
	return "", nil, errors.New("the download ended without finishing")
}
