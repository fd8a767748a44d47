// Package app is certportal's composition root: it parses the command line,
// loads the configuration once, wires the store, services, jobs, mail and
// web server together, and runs a subcommand. Tests run the same Main as
// the binary.
package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strings"

	"example.org/certportal/internal/accounts"
	"example.org/certportal/internal/portal"
)

// Version is set at build time with -ldflags "-X example.org/certportal/internal/app.Version=…".
var Version = "dev"

// Main runs certportal. Zero fields take the process's defaults.
type Main struct {
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	Clock  portal.Clock // injected by tests; the system clock otherwise

	// OnServing, when set, is called with the listener's URL once the
	// server accepts connections (tests use it to learn the port of
	// --addr 127.0.0.1:0).
	OnServing func(url string)

	// Timeouts, when set, replace DefaultServerTimeouts (tests shorten
	// them).
	Timeouts *ServerTimeouts

	// Listener, when set, is the socket serve accepts connections on
	// instead of one it opens on --addr; serve closes it. Tests hand over
	// a port they hold: a copy of a loaded demo must be served on the port
	// its links and signed credentials name.
	Listener net.Listener

	// DemoLoaded tells `serve --demo` that the database is a copy of one
	// that a `serve --demo` start on an empty database filled, whose
	// printed accounts the caller kept: this start serves the demo without
	// loading it or printing anything about it. Tests start many apps from
	// one loaded demo this way.
	DemoLoaded bool

	// DemoOnly makes `serve --demo` return once it has loaded the demo
	// data, before it serves or runs any job: tests keep that database
	// to start copies of it (DemoLoaded), each then running the start's
	// jobs as a fresh demo does.
	DemoOnly bool

	// HashParams, when set, replace accounts.DefaultHashParams for the
	// password hashes this run makes. Tests lower argon2id's cost so that
	// hundreds of sign-ins do not dominate the suite; each stored hash
	// names its own parameters, and the accounts package tests the
	// defaults.
	HashParams *accounts.HashParams
}

// hashParams returns the argon2id parameters for new password hashes.
func (m *Main) hashParams() accounts.HashParams {
	if m.HashParams != nil {
		return *m.HashParams
	}
	return accounts.DefaultHashParams
}

// Exit codes.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

type command struct {
	name    string
	summary string
	run     func(m *Main, ctx context.Context, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "run the portal (HTTP server and background jobs)", (*Main).runServe},
		{"migrate", "apply pending database migrations and exit", (*Main).runMigrate},
		{"admin", "manage administrators: admin create --email … --first-name … --last-name …", (*Main).runAdmin},
		{"keys", "manage signing keys: keys rotate (credentials), keys document (show the PDF signing certificate)", (*Main).runKeys},
		{"verify", "verify a credential file offline: verify FILE [--kit KIT]", (*Main).runVerify},
		{"generate", "fill an empty database with a generated program: generate --candidates N --seed S", (*Main).runGenerate},
		{"backup", "write a consistent copy of the SQLite database (or explain pg_dump)", (*Main).runBackup},
		{"version", "print the version", (*Main).runVersion},
		{"help", "show help for a command: help COMMAND", (*Main).runHelp},
	}
}

// errUsage means the command line was wrong; usage has been printed.
var errUsage = errors.New("usage")

// Run runs the command line args (without the program name) and returns
// the process exit code.
func (m *Main) Run(ctx context.Context, args []string) int {
	m.defaults()
	if len(args) == 0 {
		m.usage()
		return exitUsage
	}
	name := args[0]
	if name == "-h" || name == "--help" || name == "-help" {
		m.usage()
		return exitOK
	}
	for _, c := range commands() {
		if c.name == name {
			err := c.run(m, ctx, args[1:])
			switch {
			case err == nil:
				return exitOK
			case errors.Is(err, flag.ErrHelp):
				return exitOK
			case errors.Is(err, errUsage):
				return exitUsage
			default:
				fmt.Fprintln(m.Stderr, "certportal:", err)
				return exitError
			}
		}
	}
	fmt.Fprintf(m.Stderr, "certportal: unknown command %q\n\n", name)
	m.usage()
	return exitUsage
}

func (m *Main) defaults() {
	if m.Stdout == nil {
		m.Stdout = os.Stdout
	}
	if m.Stderr == nil {
		m.Stderr = os.Stderr
	}
	if m.Getenv == nil {
		m.Getenv = os.Getenv
	}
	if m.Clock == nil {
		m.Clock = portal.SystemClock{}
	}
}

func (m *Main) usage() {
	var b strings.Builder
	b.WriteString("certportal runs a certification program's candidate portal.\n\nUsage:\n  certportal COMMAND [flags]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-8s %s\n", c.name, c.summary)
	}
	b.WriteString("\nRun 'certportal help COMMAND' for a command's flags. Every flag also reads a CERTPORTAL_* environment variable.\n")
	fmt.Fprint(m.Stderr, b.String())
}

// flagSet returns a flag set that prints its usage to stderr and returns
// errors instead of exiting.
func (m *Main) flagSet(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(m.Stderr, "Usage: certportal %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags and refuses stray arguments.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return errUsage
	}
	return nil
}

func (m *Main) runVersion(ctx context.Context, args []string) error {
	fs := m.flagSet("version", "version")
	if err := parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, "certportal", Version)
	return nil
}

func (m *Main) runHelp(ctx context.Context, args []string) error {
	if len(args) == 0 {
		m.usage()
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] && c.name != "help" {
			return c.run(m, ctx, []string{"-h"})
		}
	}
	fmt.Fprintf(m.Stderr, "certportal: no help for %q\n\n", args[0])
	m.usage()
	return errUsage
}
