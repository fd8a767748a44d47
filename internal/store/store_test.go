package store_test

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

func TestMigrationsSameVersionsOnBothEngines(t *testing.T) {
	versions := func(engine string) []string {
		sub, err := store.MigrationsFS(engine)
		if err != nil {
			t.Fatal(err)
		}
		names, err := fs.Glob(sub, "*.sql")
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, n := range names {
			v, _, ok := strings.Cut(n, "_")
			if !ok {
				t.Fatalf("%s/%s: name is not NNNN_name.sql", engine, n)
			}
			out = append(out, v)
		}
		return out
	}
	lite, pg := versions(store.SQLite), versions(store.Postgres)
	if len(lite) == 0 {
		t.Fatal("no migrations")
	}
	if strings.Join(lite, ",") != strings.Join(pg, ",") {
		t.Fatalf("migration versions differ:\nsqlite   %v\npostgres %v", lite, pg)
	}
}

func TestMigrateIsIdempotentAndReady(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		s, err := store.Open(ctx, testutil.StoreOptions(t, engine, testutil.NewClock(t0)))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if err := s.Migrated(ctx); err == nil {
			t.Fatal("Migrated() = nil before migrating")
		}
		n, err := s.Migrate(ctx)
		if err != nil || n == 0 {
			t.Fatalf("Migrate() = %d, %v", n, err)
		}
		if err := s.Migrated(ctx); err != nil {
			t.Fatalf("Migrated() after migrate: %v", err)
		}
		if n, err := s.Migrate(ctx); err != nil || n != 0 {
			t.Fatalf("second Migrate() = %d, %v; want 0, nil", n, err)
		}
	})
}

func TestErrorsAreTranslated(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		s := testutil.MustOpenStore(t, engine, testutil.NewClock(t0))
		create := func(email, login string) error {
			return s.Transact(ctx, func(tx *store.Tx) error {
				_, err := tx.CreateUser(ctx, store.UserCreate{LoginID: login, Email: email, FirstName: "A", LastName: "B", Role: portal.RoleCandidate, Language: "en"})
				return err
			})
		}
		if err := create("a@example.org", "CP00000001"); err != nil {
			t.Fatal(err)
		}
		if err := create("a@example.org", "CP00000002"); !errors.Is(err, portal.ErrConflict) {
			t.Fatalf("duplicate email: err = %v, want ErrConflict", err)
		}
		if _, err := s.GetUser(ctx, 999); !errors.Is(err, portal.ErrNotFound) {
			t.Fatalf("missing user: err = %v, want ErrNotFound", err)
		}
		err := s.Transact(ctx, func(tx *store.Tx) error {
			_, err := tx.CreateUser(ctx, store.UserCreate{LoginID: "CP3", Email: "c@example.org", FirstName: "A", LastName: "B", Role: "superuser", Language: "en"})
			return err
		})
		if !errors.Is(err, portal.ErrConflict) {
			t.Fatalf("role check violation: err = %v, want a conflict", err)
		}
	})
}

func TestTransactRollsBackOnErrorAndPanic(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		s := testutil.MustOpenStore(t, engine, testutil.NewClock(t0))
		boom := errors.New("boom")
		insert := func(tx *store.Tx) error {
			_, err := tx.CreateUser(ctx, store.UserCreate{LoginID: "CP1", Email: "x@example.org", FirstName: "A", LastName: "B", Role: portal.RoleCandidate, Language: "en"})
			return err
		}
		if err := s.Transact(ctx, func(tx *store.Tx) error {
			if err := insert(tx); err != nil {
				return err
			}
			return boom
		}); !errors.Is(err, boom) {
			t.Fatalf("err = %v", err)
		}
		func() {
			defer func() { _ = recover() }()
			_ = s.Transact(ctx, func(tx *store.Tx) error {
				if err := insert(tx); err != nil {
					return err
				}
				panic("boom")
			})
		}()
		if n, err := s.CountUsers(ctx); err != nil || n != 0 {
			t.Fatalf("CountUsers = %d, %v; want 0 after rollbacks", n, err)
		}
	})
}

func TestSecondSQLiteInstanceRefused(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "certportal.db")
	s, err := store.Open(ctx, store.Options{Engine: store.SQLite, SQLitePath: path})
	if err != nil {
		t.Fatal(err)
	}
	_, err = store.Open(ctx, store.Options{Engine: store.SQLite, SQLitePath: path})
	if !errors.Is(err, store.ErrLocked) {
		t.Fatalf("second open: err = %v, want ErrLocked", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := store.Open(ctx, store.Options{Engine: store.SQLite, SQLitePath: path})
	if err != nil {
		t.Fatalf("open after close: %v", err)
	}
	s2.Close()
}

func TestNetworkFilesystemsAreRecognised(t *testing.T) {
	for _, tc := range []struct {
		magic int64
		want  string
	}{{0x6969, "NFS"}, {0xFF534D42, "CIFS"}, {0xFE534D42, "SMB2"}, {0xEF53, ""}, {0x01021994, ""}} {
		if got := store.NetworkFSName(tc.magic); got != tc.want {
			t.Errorf("NetworkFSName(%#x) = %q, want %q", tc.magic, got, tc.want)
		}
	}
}

func TestBackupOpensAndPassesIntegrityCheck(t *testing.T) {
	ctx := context.Background()
	s := testutil.MustOpenStore(t, store.SQLite, testutil.NewClock(t0))
	for i := range 20 {
		if err := s.Transact(ctx, func(tx *store.Tx) error {
			_, err := tx.CreateUser(ctx, store.UserCreate{LoginID: "CP" + string(rune('A'+i)), Email: string(rune('a'+i)) + "@example.org", FirstName: "A", LastName: "B", Role: portal.RoleCandidate, Language: "en"})
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	dest := filepath.Join(t.TempDir(), "backup", "copy.db")
	if err := s.Backup(ctx, dest); err != nil {
		t.Fatal(err)
	}
	if err := store.IntegrityCheck(ctx, dest); err != nil {
		t.Fatal(err)
	}
	if err := s.Backup(ctx, dest); err == nil {
		t.Fatal("backup over an existing file succeeded")
	}
	copyStore, err := store.Open(ctx, store.Options{Engine: store.SQLite, SQLitePath: dest})
	if err != nil {
		t.Fatal(err)
	}
	defer copyStore.Close()
	if err := copyStore.Migrated(ctx); err != nil {
		t.Fatalf("backup is not at the current schema: %v", err)
	}
	if n, err := copyStore.CountUsers(ctx); err != nil || n != 20 {
		t.Fatalf("backup has %d users (%v), want 20", n, err)
	}
}

// TestConcurrentWritersNeverSeeBusy: 200 goroutines writing at once all
// succeed; on SQLite they queue on the single writer connection instead of
// failing with "database is locked".
func TestConcurrentWritersNeverSeeBusy(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		s := testutil.MustOpenStore(t, engine, testutil.NewClock(t0))
		errs := make(chan error, 200)
		for i := range 200 {
			go func() {
				errs <- s.Transact(ctx, func(tx *store.Tx) error {
					return tx.InsertAudit(ctx, portal.AuditEvent{Action: "test.write", Subject: strconv.Itoa(i)})
				})
			}()
		}
		for range 200 {
			if err := <-errs; err != nil {
				t.Fatalf("concurrent write failed: %v", err)
			}
		}
		_, total, err := s.ListAudit(ctx, portal.AuditFilter{Action: "test.write"})
		if err != nil || total != 200 {
			t.Fatalf("audit rows = %d (%v), want 200", total, err)
		}
	})
}

// TestBackupUnderWriteLoad takes an online backup while writers commit.
func TestBackupUnderWriteLoad(t *testing.T) {
	ctx := context.Background()
	s := testutil.MustOpenStore(t, store.SQLite, testutil.NewClock(t0))
	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			if err := s.Transact(ctx, func(tx *store.Tx) error {
				return tx.InsertAudit(ctx, portal.AuditEvent{Action: "load.write", Subject: strconv.Itoa(i)})
			}); err != nil {
				done <- err
				return
			}
		}
	}()
	dest := filepath.Join(t.TempDir(), "live.db")
	err := store.BackupFile(ctx, s.SQLitePath(), dest)
	close(stop)
	if werr := <-done; werr != nil {
		t.Fatalf("writer failed during backup: %v", werr)
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := store.IntegrityCheck(ctx, dest); err != nil {
		t.Fatal(err)
	}
}
