package credits

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// CatalogueFormat names the export's format and version.
const CatalogueFormat = "certportal.ce-catalogue/1"

// MaxCatalogueBytes bounds an import file.
const MaxCatalogueBytes = 1 << 20

// CatalogueFile is the catalogue as JSON: credits are decimal numbers of
// credits (0.25), dates YYYY-MM-DD, lists arrays.
type CatalogueFile struct {
	Format string     `json:"format"`
	Types  []TypeJSON `json:"types"`
}

// TypeJSON is one activity type in the file.
type TypeJSON struct {
	Code           string                   `json:"code"`
	Group          string                   `json:"group"`
	Texts          map[string]portal.CEText `json:"texts"`
	Rule           string                   `json:"rule"`
	UnitMinutes    int                      `json:"unit_minutes,omitempty"`
	PerUnit        json.Number              `json:"per_unit,omitempty"`
	MinCredits     json.Number              `json:"min_credits,omitempty"`
	MaxCredits     json.Number              `json:"max_credits,omitempty"`
	CapActivity    json.Number              `json:"cap_activity,omitempty"`
	CapCycle       json.Number              `json:"cap_cycle,omitempty"`
	RequiredFields []string                 `json:"required_fields,omitempty"`
	MinEvidence    int                      `json:"min_evidence"`
	Attestation    bool                     `json:"attestation,omitempty"`
	CountsFor      string                   `json:"counts_for"`
	CountsList     []string                 `json:"counts_list,omitempty"`
	ActiveFrom     string                   `json:"active_from,omitempty"`
	ActiveUntil    string                   `json:"active_until,omitempty"`
	DeadlineDays   int                      `json:"deadline_days"`
}

func creditsJSON(c int) json.Number {
	if c == 0 {
		return ""
	}
	return json.Number(FormatCredits(c))
}

// TypeToJSON is a type as the catalogue file writes it.
func TypeToJSON(t *portal.CEActivityType) TypeJSON {
	j := TypeJSON{Code: t.Code, Group: t.Group, Texts: t.Texts, Rule: t.Rule, UnitMinutes: t.UnitMinutes, PerUnit: creditsJSON(t.PerUnit),
		MinCredits: creditsJSON(t.MinCredits), MaxCredits: creditsJSON(t.MaxCredits), CapActivity: creditsJSON(t.CapActivity),
		CapCycle: creditsJSON(t.CapCycle), RequiredFields: splitFields(t.RequiredFields), MinEvidence: t.MinEvidence,
		Attestation: t.Attestation, CountsFor: t.CountsFor, CountsList: splitFields(t.CountsList), DeadlineDays: t.DeadlineDays}
	if t.ActiveFrom != nil {
		j.ActiveFrom = *t.ActiveFrom
	}
	if t.ActiveUntil != nil {
		j.ActiveUntil = *t.ActiveUntil
	}
	return j
}

// ExportCatalogue writes the current catalogue as JSON
// (portal.PermSettingsManage).
func (s *Service) ExportCatalogue(ctx context.Context, actor portal.Actor) ([]byte, error) {
	if err := actor.Authorize(portal.PermSettingsManage); err != nil {
		return nil, err
	}
	list, err := s.st.ListCEActivityTypes(ctx)
	if err != nil {
		return nil, err
	}
	return encodeCatalogue(list)
}

func encodeCatalogue(list []*portal.CEActivityType) ([]byte, error) {
	f := CatalogueFile{Format: CatalogueFormat, Types: []TypeJSON{}}
	for _, t := range list {
		f.Types = append(f.Types, TypeToJSON(t))
	}
	return json.MarshalIndent(f, "", "  ")
}

// DecodeCatalogue reads and validates a catalogue file: unknown fields,
// another format, a repeated code and every invalid value are refused, each
// problem named by its path (types[2].per_unit).
func DecodeCatalogue(b []byte) ([]portal.CEActivityType, error) {
	if len(b) > MaxCatalogueBytes {
		return nil, &portal.Error{Code: portal.EInvalid, Message: "credits.error.import_too_large", Data: map[string]any{"Count": MaxCatalogueBytes >> 10}}
	}
	var f CatalogueFile
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, &portal.Error{Code: portal.EInvalid, Message: "credits.error.json", Data: map[string]any{"Detail": err.Error()}}
	}
	if dec.More() {
		return nil, &portal.Error{Code: portal.EInvalid, Message: "credits.error.json", Data: map[string]any{"Detail": "trailing data"}}
	}
	var v portal.Validation
	if f.Format != CatalogueFormat {
		v.Add("format", "credits.error.import_format", map[string]any{"Format": CatalogueFormat})
		return nil, v.Err()
	}
	if len(f.Types) == 0 {
		v.Add("types", "credits.error.requirement_empty", nil)
	}
	seen := map[string]bool{}
	var out []portal.CEActivityType
	for i, j := range f.Types {
		p := fmt.Sprintf("types[%d]", i)
		t := portal.CEActivityType{Code: j.Code, Group: j.Group, Texts: j.Texts, Rule: j.Rule, UnitMinutes: j.UnitMinutes,
			RequiredFields: strings.Join(j.RequiredFields, ","), MinEvidence: j.MinEvidence, Attestation: j.Attestation,
			CountsFor: j.CountsFor, CountsList: strings.Join(j.CountsList, ","), DeadlineDays: j.DeadlineDays}
		for _, n := range []struct {
			field string
			in    json.Number
			out   *int
		}{{FieldPerUnit, j.PerUnit, &t.PerUnit}, {FieldMinCredits, j.MinCredits, &t.MinCredits}, {FieldMaxCredits, j.MaxCredits, &t.MaxCredits},
			{FieldCapActivity, j.CapActivity, &t.CapActivity}, {FieldCapCycle, j.CapCycle, &t.CapCycle}} {
			if n.in == "" {
				continue
			}
			c, err := ParseCredits(string(n.in))
			if err != nil {
				v.Add(p+"."+n.field, "credits.error.credits_format", nil)
			}
			*n.out = c
		}
		if j.ActiveFrom != "" {
			t.ActiveFrom = &j.ActiveFrom
		}
		if j.ActiveUntil != "" {
			t.ActiveUntil = &j.ActiveUntil
		}
		if err := ValidateActivityType(&t); err != nil {
			if pe, ok := err.(*portal.Error); ok {
				for _, fe := range pe.Fields {
					v.Add(p+"."+fe.Field, fe.Message, fe.Data)
				}
			} else {
				return nil, err
			}
		}
		if seen[t.Code] {
			v.Add(p+"."+FieldCode, "credits.error.import_repeated", map[string]any{"Code": t.Code})
		}
		seen[t.Code] = true
		out = append(out, t)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// ImportPreview is what an import would change, for the page to show
// before it applies: the types it adds, those whose rules it changes
// (each a new version) with their field changes, and those it leaves as
// they are. Types of the catalogue the file does not name stay. Base
// identifies the catalogue the preview was made against.
type ImportPreview struct {
	Added     []string
	Changed   []TypeChange
	Unchanged []string
	Base      string
}

// TypeChange is one type an import changes.
type TypeChange struct {
	Code    string
	Changes []portal.FieldChange
}

// PreviewImport validates a catalogue file and computes its differences
// from the current catalogue, changing nothing (portal.PermSettingsManage).
func (s *Service) PreviewImport(ctx context.Context, actor portal.Actor, b []byte) (*ImportPreview, error) {
	if err := actor.Authorize(portal.PermSettingsManage); err != nil {
		return nil, err
	}
	types, err := DecodeCatalogue(b)
	if err != nil {
		return nil, err
	}
	current, err := s.st.ListCEActivityTypes(ctx)
	if err != nil {
		return nil, err
	}
	return preview(types, current)
}

func preview(types []portal.CEActivityType, current []*portal.CEActivityType) (*ImportPreview, error) {
	base, err := catalogueDigest(current)
	if err != nil {
		return nil, err
	}
	byCode := map[string]*portal.CEActivityType{}
	for _, c := range current {
		byCode[c.Code] = c
	}
	p := &ImportPreview{Base: base}
	for _, t := range types {
		cur, ok := byCode[t.Code]
		switch {
		case !ok:
			p.Added = append(p.Added, t.Code)
		case sameRules(cur, &t):
			p.Unchanged = append(p.Unchanged, t.Code)
		default:
			a, b := *cur, t
			a.TextsJSON, b.TextsJSON = textsText(a.Texts), textsText(b.Texts)
			a.Version, b.Version = 0, 0
			p.Changed = append(p.Changed, TypeChange{Code: t.Code, Changes: portal.Diff(&a, &b)})
		}
	}
	return p, nil
}

func textsText(t map[string]portal.CEText) string {
	b, _ := json.Marshal(t)
	return string(b)
}

// catalogueDigest identifies a catalogue's current versions.
func catalogueDigest(list []*portal.CEActivityType) (string, error) {
	h := sha256.New()
	for _, t := range list {
		fmt.Fprintf(h, "%s:%d\n", t.Code, t.VersionID)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// ApplyImport applies a catalogue file previewed against base, in one
// transaction (portal.PermSettingsManage): each added or changed type is
// written (a new version) and audited with before and after, and the
// import itself is audited. A catalogue changed since the preview is a
// conflict (credits.error.catalogue_changed): preview again.
func (s *Service) ApplyImport(ctx context.Context, actor portal.Actor, b []byte, base string) (*ImportPreview, error) {
	if err := actor.Authorize(portal.PermSettingsManage); err != nil {
		return nil, err
	}
	types, err := DecodeCatalogue(b)
	if err != nil {
		return nil, err
	}
	var p *ImportPreview
	err = s.st.Transact(ctx, func(tx *store.Tx) error {
		if _, err := tx.LockSetting(ctx, "ce.catalogue_installed", ""); err != nil {
			return err
		}
		current, err := tx.ListCEActivityTypes(ctx)
		if err != nil {
			return err
		}
		if p, err = preview(types, current); err != nil {
			return err
		}
		if p.Base != base {
			return &portal.Error{Code: portal.EConflict, Message: "credits.error.catalogue_changed"}
		}
		for _, t := range types {
			if _, err := saveActivityType(ctx, tx, actor, t); err != nil {
				return err
			}
		}
		sum := sha256.Sum256(b)
		return tx.Audit(ctx, actor, "ce.catalogue_imported", "ce:catalogue",
			fmt.Sprintf("sha256 %s: %d added, %d changed, %d unchanged", hex.EncodeToString(sum[:]), len(p.Added), len(p.Changed), len(p.Unchanged)), nil)
	})
	return p, err
}
