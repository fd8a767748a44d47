package store_test

import (
	"context"
	"strings"
	"testing"

	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

func TestNonDurableSQLiteRefused(t *testing.T) {
	ctx := context.Background()
	o := store.WithSynchronous(testutil.StoreOptions(t, store.SQLite, nil), "NORMAL")
	_, err := store.Open(ctx, o)
	if err == nil || !strings.Contains(err.Error(), "synchronous=FULL") {
		t.Fatalf("open with synchronous=NORMAL: err = %v, want a refusal naming synchronous=FULL", err)
	}
	o.AcceptNonDurable = true
	s, err := store.Open(ctx, o)
	if err != nil {
		t.Fatalf("open with --accept-nondurable: %v", err)
	}
	s.Close()
}
