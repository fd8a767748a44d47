package apptest

import (
	"bytes"
	"context"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"example.org/certportal/internal/app"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

// Loading the demo data (the accounts' password hashes, the catalog and
// sessions, signed documents and credentials) is most of a `serve --demo`
// start, and the suite starts the demo hundreds of times. So the first
// demo start of a test process of a kind (engine, clock, flags and
// environment) has the app load the demo into a database of its own and
// return before it serves or runs any job (app.Main.DemoOnly); every demo
// start of that kind, the first one included, then gets a copy of that
// database and data directory (SQLite: the files; PostgreSQL: CREATE
// DATABASE … TEMPLATE) and runs the real app on it normally, with
// app.Main.DemoLoaded set so that `serve --demo` does not load the demo
// again. The start's jobs (the outbox relay, the sweeps that run at
// start) run in the copy, as in a fresh demo. Its Stdout begins with what
// the loading printed (the same accounts and passwords for every copy);
// its Stderr holds only its own log.
//
// The demo's links, did:web and signed credentials name the port it was
// loaded behind, so a copy is served on that port too: the test takes the
// port before starting the app (app.Main.Listener). While that port is
// taken (two demo apps at once, or another socket on it), the kind gets
// another snapshot on another port.
//
// Tests of the loading itself start with LoadDemo.

// demoKey is the kind of a demo start: everything the loaded data can
// depend on.
type demoKey struct {
	engine string
	at     time.Time
	args   string // serve's command line
	env    string // the options' environment, sorted
}

// demoSnapshot is a loaded demo, stopped.
type demoSnapshot struct {
	addr   string // where it was served; copies are served there too
	stdout string // what loading it printed
	files  []snapshotFile
	// PostgreSQL: the database to copy, and the key its secrets are
	// encrypted with.
	databaseURL, secretKey string
}

// snapshotFile is a file of the stopped app's data directory (on SQLite
// the database and the generated secret key).
type snapshotFile struct {
	path string // relative to the data directory
	mode fs.FileMode
	data []byte
}

var demos struct {
	sync.Mutex
	snapshots map[demoKey][]*demoSnapshot
}

// ownEnv are variables that, set by a test, leave the start no database or
// port a snapshot could give it.
var ownEnv = []string{"CERTPORTAL_DATA_DIR", "CERTPORTAL_DATABASE_URL", "CERTPORTAL_SECRET_KEY", "CERTPORTAL_ADDR"}

// takeDemo returns, for a start with --demo, a snapshot of its kind and a
// listener on the snapshot's port, loading a new snapshot when none of its
// kind has a free port. It returns nil for a start that loads its own
// demo.
func takeDemo(tb testing.TB, engine string, o *options, args []string) (*demoSnapshot, net.Listener) {
	tb.Helper()
	if !contains(args, "--demo") || o.loadDemo {
		return nil, nil
	}
	env := make([]string, 0, len(o.env))
	for k, v := range o.env {
		if slices.Contains(ownEnv, k) {
			return nil, nil
		}
		if k == "CERTPORTAL_SMTP_URL" {
			// Only the jobs that send mail use the server, and a
			// snapshot has run none: tests with servers of their own
			// share one.
			v = "set"
		}
		env = append(env, k+"="+v)
	}
	slices.Sort(env)
	key := demoKey{engine: engine, at: o.at, args: strings.Join(args, "\x00"), env: strings.Join(env, "\x00")}

	demos.Lock()
	defer demos.Unlock()
	for _, s := range demos.snapshots[key] {
		if ln, err := net.Listen("tcp", s.addr); err == nil {
			return s, ln
		}
	}
	s := loadDemoSnapshot(tb, engine, o, args)
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		// Taken since the snapshot stopped: this start loads its own.
		tb.Logf("demo snapshot: port %s taken again: %v", s.addr, err)
		return nil, nil
	}
	if demos.snapshots == nil {
		demos.snapshots = map[demoKey][]*demoSnapshot{}
	}
	demos.snapshots[key] = append(demos.snapshots[key], s)
	return s, ln
}

// loadDemoSnapshot runs `serve` with args on a new database and port with
// app.Main.DemoOnly, which loads the demo and returns before serving or
// running any job, and keeps what it printed, its data directory and, on
// PostgreSQL, its database as a template.
func loadDemoSnapshot(tb testing.TB, engine string, o *options, args []string) *demoSnapshot {
	tb.Helper()
	dir, err := os.MkdirTemp("", "certportal-demo-")
	if err != nil {
		tb.Fatal(err)
	}
	defer os.RemoveAll(dir)
	a := newApp(engine, o, dir)
	s := &demoSnapshot{}
	if engine == store.Postgres {
		s.databaseURL, s.secretKey = testutil.NewPostgresTemplate(tb), randomKey()
		a.Env["CERTPORTAL_DATABASE_URL"], a.Env["CERTPORTAL_SECRET_KEY"] = s.databaseURL, s.secretKey
	}
	a.setEnv(o.env)
	ln, err := net.Listen("tcp", a.Env["CERTPORTAL_ADDR"])
	if err != nil {
		tb.Fatal(err)
	}
	s.addr = ln.Addr().String()
	var out, errOut bytes.Buffer
	m := &app.Main{Stdout: &out, Stderr: &errOut, Getenv: func(k string) string { return a.Env[k] },
		Clock: a.Clock, HashParams: &HashParams, Listener: ln, DemoOnly: true}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	code := m.Run(ctx, args)
	_ = ln.Close()
	if code != 0 {
		tb.Fatalf("demo snapshot: certportal exited with %d:\n%s", code, errOut.String())
	}
	s.stdout = out.String()
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() || strings.HasSuffix(path, ".lock") || strings.HasSuffix(path, "-shm") {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		s.files = append(s.files, snapshotFile{path: rel, mode: info.Mode().Perm(), data: data})
		return err
	})
	if err != nil {
		tb.Fatalf("demo snapshot: %v", err)
	}
	return s
}

// restore gives a the snapshot's data directory, database and output.
func (s *demoSnapshot) restore(tb testing.TB, a *App) {
	tb.Helper()
	for _, f := range s.files {
		path := filepath.Join(a.DataDir, f.path)
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, f.data, f.mode); err != nil {
			tb.Fatal(err)
		}
	}
	if a.Engine == store.Postgres {
		a.Env["CERTPORTAL_DATABASE_URL"], a.Env["CERTPORTAL_SECRET_KEY"] = testutil.CopyPostgres(tb, s.databaseURL), s.secretKey
	}
	a.stdout.WriteString(s.stdout)
}
