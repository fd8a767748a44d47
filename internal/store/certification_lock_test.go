package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

// TestCertificationSharedLock: transactions that issue a certification
// hold its row shared, so two of them run at once, while a change of the
// entry waits until they end (PostgreSQL: SQLite runs one writer at a
// time).
func TestCertificationSharedLock(t *testing.T) {
	testutil.RequirePostgres(t, "concurrent transactions on one row")
	ctx := context.Background()
	st := testutil.MustOpenStore(t, store.Postgres, testutil.NewClock(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)))
	var id int64
	err := st.Transact(ctx, func(tx *store.Tx) error {
		c, err := tx.CreateCertification(ctx, portal.Certification{Code: "SAA", Name: "Solutions Architect",
			Level: portal.LevelAssociate, Kind: portal.CertKindCertification, ValidityMonths: 36, Active: true})
		if c != nil {
			id = c.ID
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	held, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- st.Transact(ctx, func(tx *store.Tx) error {
			if _, err := tx.LockCertificationShared(ctx, id); err != nil {
				return err
			}
			close(held)
			<-release
			return nil
		})
	}()
	<-held
	lockWithin := func(shared bool) error {
		wctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
		defer cancel()
		return st.Transact(wctx, func(tx *store.Tx) error {
			var err error
			if shared {
				_, err = tx.LockCertificationShared(wctx, id)
			} else {
				_, err = tx.LockCertification(wctx, id)
			}
			return err
		})
	}
	if err := lockWithin(true); err != nil {
		t.Errorf("a second issuing transaction waited for the first: %v", err)
	}
	if err := lockWithin(false); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a change of the entry did not wait for the issuing transaction: %v", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := lockWithin(false); err != nil {
		t.Errorf("a change of the entry after the issuing ended: %v", err)
	}
}
