package config

import (
	"flag"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
)

// readmeSetting is one flag documented in the README's configuration
// table.
type readmeSetting struct {
	env    string
	secret bool // the variable is marked (`_FILE`)
	def    string
}

// readmeSettings parses the table under "## Configuration" in the
// README: | Flag | Variable | Default | Meaning |. A row may document
// several flags with their variables in the same order. Rows whose flag
// belongs to one subcommand ("`serve --demo`") are left out: they are not
// settings.
func readmeSettings(t *testing.T) map[string]readmeSetting {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n## Configuration\n")
	if !ok {
		t.Fatal("README has no ## Configuration section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	flagRe := regexp.MustCompile("`--([a-z0-9-]+)`")
	envRe := regexp.MustCompile("`(CERTPORTAL_[A-Z0-9_]+)`")
	out := map[string]readmeSetting{}
	rows := 0
	for _, line := range strings.Split(section, "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		cells := strings.Split(strings.ReplaceAll(line, `\|`, "¦"), "|")
		if len(cells) != 6 {
			t.Fatalf("README configuration row has %d cells, want 4: %s", len(cells)-2, line)
		}
		rows++
		flagCell, envCell, defCell := cells[1], cells[2], strings.ReplaceAll(cells[3], "¦", "|")
		if strings.HasPrefix(strings.TrimSpace(flagCell), "`serve ") {
			continue
		}
		flags, envs := flagRe.FindAllStringSubmatch(flagCell, -1), envRe.FindAllStringSubmatch(envCell, -1)
		if len(flags) == 0 || len(flags) != len(envs) {
			t.Errorf("README row names %d flags and %d variables: %s", len(flags), len(envs), line)
			continue
		}
		for i, f := range flags {
			if _, dup := out[f[1]]; dup {
				t.Errorf("README documents --%s twice", f[1])
			}
			out[f[1]] = readmeSetting{env: envs[i][1], secret: strings.Contains(envCell, "(`_FILE`)"), def: defCell}
		}
	}
	if rows < 10 {
		t.Fatalf("found %d rows in the README's configuration table", rows)
	}
	return out
}

// TestREADMEConfigurationTableMatchesTheFlags: every flag is documented in
// the README with its variable, its _FILE form when it takes one and its
// default; every documented flag exists.
func TestREADMEConfigurationTableMatchesTheFlags(t *testing.T) {
	doc := readmeSettings(t)
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	Register(fs)
	byFlag := map[string]setting{}
	for _, s := range settings() {
		byFlag[s.flag] = s
	}
	fs.VisitAll(func(f *flag.Flag) {
		s := byFlag[f.Name]
		d, ok := doc[f.Name]
		switch {
		case !ok:
			t.Errorf("--%s ($%s) is not in the README's configuration table", f.Name, s.env)
		case d.env != s.env:
			t.Errorf("README: --%s is documented with $%s, but reads $%s", f.Name, d.env, s.env)
		case d.secret != s.secret:
			t.Errorf("README: --%s (`_FILE`) marked %v, but the setting takes a file: %v", f.Name, d.secret, s.secret)
		case s.def != "" && !strings.Contains(d.def, "`"+s.def+"`"):
			t.Errorf("README: the default of --%s is %q, the table says %s", f.Name, s.def, strings.TrimSpace(d.def))
		}
	})
	for name := range doc {
		if fs.Lookup(name) == nil {
			t.Errorf("README documents --%s, which does not exist", name)
		}
	}
}
