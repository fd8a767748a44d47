package app

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"example.org/certportal/internal/config"
	"example.org/certportal/internal/credentials"
	"example.org/certportal/internal/openbadges"
)

const verifySynopsis = "verify FILE [--kit KIT] [flags]"

// errNotVerified is a credential that failed a check: exit code 1.
var errNotVerified = errors.New("the credential did not verify")

// runVerify checks a credential file (JSON-LD, VC-JWT, or a badge PNG or
// SVG baked with either) without reaching
// the network. With --kit it checks against an offline kit downloaded
// from /credentials/kit.json: keys, signed status lists, as of the kit's
// time. Without it, it checks against this portal's database (the same
// configuration as serve), read only, as of now.
func (m *Main) runVerify(ctx context.Context, args []string) error {
	fs := m.flagSet("verify", verifySynopsis)
	loader := config.Register(fs)
	kitPath := fs.String("kit", "", "offline kit (JSON from /credentials/kit.json) to verify against instead of the database")
	// FILE may come before or after the flags.
	var file string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return err
			}
			return errUsage
		}
		if fs.NArg() == 0 {
			break
		}
		if file != "" {
			fmt.Fprintf(m.Stderr, "unexpected argument %q\n", fs.Arg(0))
			fs.Usage()
			return errUsage
		}
		file, args = fs.Arg(0), fs.Args()[1:]
	}
	if file == "" {
		fmt.Fprintln(m.Stderr, "verify needs the credential FILE")
		fs.Usage()
		return errUsage
	}
	input, err := readLimited(file, openbadges.MaxCredentialSize)
	if err != nil {
		return err
	}
	var res *credentials.VerifyResult
	if *kitPath != "" {
		data, err := readLimited(*kitPath, 64<<20)
		if err != nil {
			return err
		}
		var kit credentials.Kit
		if err := json.Unmarshal(data, &kit); err != nil || kit.DIDDocument == nil || kit.MadeAt.IsZero() {
			return fmt.Errorf("%s is not an offline kit from /credentials/kit.json", *kitPath)
		}
		res = credentials.VerifyWithKit(input, &kit, m.Clock.Now())
	} else {
		cfg, err := loader.Load(m.Getenv)
		if err != nil {
			return err
		}
		res, err = m.verifyWithDatabase(ctx, cfg, input)
		if err != nil {
			return err
		}
	}
	for _, c := range res.Checks {
		mark := "ok"
		if !c.OK {
			mark = "FAIL"
		}
		fmt.Fprintf(m.Stdout, "%-7s %-4s %s\n", c.Name, mark, c.Detail)
	}
	fmt.Fprintf(m.Stdout, "status as of %s\n", res.StatusAsOf.UTC().Format(time.RFC3339))
	if !res.Verified {
		fmt.Fprintln(m.Stdout, "NOT VERIFIED")
		return errNotVerified
	}
	fmt.Fprintln(m.Stdout, "VERIFIED")
	return nil
}

// verifyWithDatabase checks a credential against the configured database,
// which it only reads: it refuses a database that is not migrated.
func (m *Main) verifyWithDatabase(ctx context.Context, cfg *config.Config, input []byte) (*credentials.VerifyResult, error) {
	log := newLogger(m.Stderr, cfg)
	st, err := openStore(ctx, cfg, m.Clock, log, true)
	if err != nil {
		return nil, fmt.Errorf("cannot open the portal's database to verify against (give --kit KIT to verify offline): %w", err)
	}
	defer st.Close()
	if err := st.Migrated(ctx); err != nil {
		return nil, fmt.Errorf("the portal's database is not ready to verify against (give --kit KIT to verify offline): %w", err)
	}
	svc := credentials.New(st, m.Clock, log, credentials.Config{BaseURL: cfg.BaseURL})
	return svc.Verify(ctx, input)
}

// readLimited reads a file, refusing one larger than limit bytes.
func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, limit)
	}
	return data, nil
}
