package credits

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"path"
	"sort"
	"strconv"
	"strings"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// Requirement returns a certification's requirement (the default when it
// has none of its own). Anyone may read it.
func (s *Service) Requirement(ctx context.Context, certificationID int64) (Requirement, error) {
	return s.requirement(ctx, certificationID)
}

// SetRequirement saves a certification's requirement
// (portal.PermSettingsManage), audited with before and after.
func (s *Service) SetRequirement(ctx context.Context, actor portal.Actor, certificationID int64, r Requirement) error {
	if err := actor.Authorize(portal.PermSettingsManage); err != nil {
		return err
	}
	if err := r.Validate(); err != nil {
		return err
	}
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return s.st.Transact(ctx, func(tx *store.Tx) error {
		if _, err := tx.GetCertification(ctx, certificationID); err != nil {
			return err
		}
		before, err := tx.GetCERequirement(ctx, certificationID)
		if isNotFound(err) {
			before = ""
		} else if err != nil {
			return err
		}
		if err := tx.SetCERequirement(ctx, certificationID, string(b)); err != nil {
			return err
		}
		return tx.Audit(ctx, actor, "ce.requirement_changed", "certification:"+strconv.FormatInt(certificationID, 10), "",
			[]portal.FieldChange{{Field: "requirement", Before: before, After: string(b)}})
	})
}

// ProgramConfig is a whole continuing-education configuration as a
// program publishes it: the options, a deadline after completion and an
// attestation applied to every activity type, and the requirement by
// certification level (Default for any level not listed).
type ProgramConfig struct {
	Name         string                 `json:"name"`
	Description  string                 `json:"description"`
	Options      Options                `json:"options"`
	DeadlineDays int                    `json:"deadline_days,omitempty"`
	Attestation  string                 `json:"attestation,omitempty"`
	Default      Requirement            `json:"default"`
	ByLevel      map[string]Requirement `json:"by_level,omitempty"`
}

// RequirementFor returns the requirement of a certification level.
func (c ProgramConfig) RequirementFor(level string) Requirement {
	if r, ok := c.ByLevel[level]; ok {
		return r
	}
	return c.Default
}

//go:embed examples/*.json
var examplesFS embed.FS

// Examples returns the documented example configurations by name
// (cisco_style, comptia_style, isc2_style).
func Examples() (map[string]ProgramConfig, error) {
	names, err := examplesFS.ReadDir("examples")
	if err != nil {
		return nil, err
	}
	out := map[string]ProgramConfig{}
	for _, n := range names {
		b, err := examplesFS.ReadFile("examples/" + n.Name())
		if err != nil {
			return nil, err
		}
		c, err := DecodeProgramConfig(b)
		if err != nil {
			return nil, err
		}
		out[strings.TrimSuffix(n.Name(), path.Ext(n.Name()))] = c
	}
	return out, nil
}

// ExampleNames lists the example configurations, sorted.
func ExampleNames() []string {
	ex, _ := Examples()
	var out []string
	for n := range ex {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// DecodeProgramConfig reads a configuration, refusing unknown fields, and
// validates every requirement in it.
func DecodeProgramConfig(b []byte) (ProgramConfig, error) {
	var c ProgramConfig
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, &portal.Error{Code: portal.EInvalid, Message: "credits.error.json", Data: map[string]any{"Detail": err.Error()}}
	}
	if err := c.Default.Validate(); err != nil {
		return c, err
	}
	for _, r := range c.ByLevel {
		if err := r.Validate(); err != nil {
			return c, err
		}
	}
	c.Options.fill()
	return c, nil
}

// ApplyProgramConfig applies a whole configuration, such as one of the
// Examples (portal.PermSettingsManage): the options, the requirement of
// every certification by its level, and the deadline after completion
// (where the configuration sets one) and the attestation of every activity
// type, each change a new version. The steps run one after another, each
// in its transaction and audited with before and after; applying the same
// configuration again changes nothing, so a step that failed is finished
// by applying it again.
func (s *Service) ApplyProgramConfig(ctx context.Context, actor portal.Actor, cfg ProgramConfig) error {
	if err := actor.Authorize(portal.PermSettingsManage); err != nil {
		return err
	}
	if err := cfg.Default.Validate(); err != nil {
		return err
	}
	for _, r := range cfg.ByLevel {
		if err := r.Validate(); err != nil {
			return err
		}
	}
	if cfg.DeadlineDays < 0 || cfg.DeadlineDays > MaxDeadlineDays {
		e := pathError("deadline_days", "credits.error.between")
		e.Data = map[string]any{"From": 1, "To": MaxDeadlineDays}
		e.Fields[0].Data = e.Data
		return e
	}
	cfg.Options.fill()
	cfg.Options.AttestationText = cfg.Attestation
	if _, err := s.SetOptions(ctx, actor, cfg.Options); err != nil {
		return err
	}
	certs, err := s.st.ListCertifications(ctx)
	if err != nil {
		return err
	}
	for _, c := range certs {
		if c.Microcredential() {
			continue
		}
		if err := s.SetRequirement(ctx, actor, c.ID, cfg.RequirementFor(c.Level)); err != nil {
			return err
		}
	}
	return s.st.Transact(ctx, func(tx *store.Tx) error {
		types, err := tx.ListCEActivityTypes(ctx)
		if err != nil {
			return err
		}
		for _, t := range types {
			next := *t
			if cfg.DeadlineDays > 0 {
				next.DeadlineDays = cfg.DeadlineDays
			}
			next.Attestation = cfg.Attestation != ""
			if err := ValidateActivityType(&next); err != nil {
				return err
			}
			if _, err := saveActivityType(ctx, tx, actor, next); err != nil {
				return err
			}
		}
		return tx.Audit(ctx, actor, "ce.program_config_applied", "ce:options", cfg.Name, nil)
	})
}
