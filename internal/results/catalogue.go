package results

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"unicode/utf8"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// Limits of a catalogue entry's fields.
const (
	MaxCertificationNameChars        = 200
	MaxCertificationDescriptionChars = 2000
	MaxBenefitsChars                 = 2000
	MinCertificationValidityMonths   = 1
	MaxCertificationValidityMonths   = 120
)

// Catalogue form fields, as the console names them.
const (
	FieldCode        = "code"
	FieldName        = "name"
	FieldDescription = "description"
	FieldLevel       = "level"
	FieldKind        = "kind"
	FieldValidity    = "validity_months"
	FieldBenefits    = "benefits"
	FieldEarnedBy    = "earned_by"
	FieldRenewedBy   = "renewed_by"
)

var certificationCode = regexp.MustCompile(`^[A-Z0-9]{2,10}(-[A-Z0-9]{1,10}){0,2}$`)

// Catalogue lists the certification catalogue, active entries and
// retired ones, with the exams that earn and renew each, by level and
// code. Anyone may read it.
func (s *Service) Catalogue(ctx context.Context) ([]*portal.Certification, error) {
	return s.st.ListCertifications(ctx)
}

// Certification returns one catalogue entry with its exams, or
// portal.ErrNotFound. Staff with portal.PermExamsRead.
func (s *Service) Certification(ctx context.Context, actor portal.Actor, id int64) (*portal.Certification, error) {
	if err := actor.Authorize(portal.PermExamsRead); err != nil {
		return nil, err
	}
	return s.st.GetCertification(ctx, id)
}

// CreateCertification adds an entry to the catalogue (portal.PermExamsManage).
// A zero validity takes the kind's default (36 months, 12 for a
// microcredential). Problems are an invalid *portal.Error naming the
// fields; a code in use is a conflict on the code field.
func (s *Service) CreateCertification(ctx context.Context, actor portal.Actor, c portal.Certification) (*portal.Certification, error) {
	if err := actor.Authorize(portal.PermExamsManage); err != nil {
		return nil, err
	}
	c.ID = 0
	var out *portal.Certification
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		if err := validateCertification(ctx, tx, &c); err != nil {
			return err
		}
		var err error
		if out, err = tx.CreateCertification(ctx, c); err != nil {
			return err
		}
		return auditCertification(ctx, tx, actor, "catalog.certification_created", out.Code, "",
			portal.Diff(&portal.Certification{EarnedBy: []string{}, RenewedBy: []string{}}, out)...)
	})
	if errors.Is(err, portal.ErrConflict) {
		return nil, refused(portal.EConflict, "results.certification.code_taken", FieldCode)
	}
	return out, err
}

// UpdateCertification saves every field of the entry c.ID names, its
// exams included (they are replaced), except its code, which never
// changes (portal.PermExamsManage). Earned certifications keep the kind
// and validity they were issued with.
func (s *Service) UpdateCertification(ctx context.Context, actor portal.Actor, c portal.Certification) (*portal.Certification, error) {
	if err := actor.Authorize(portal.PermExamsManage); err != nil {
		return nil, err
	}
	var out *portal.Certification
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		before, err := tx.LockCertification(ctx, c.ID)
		if err != nil {
			return err
		}
		c.Code = before.Code
		if err := validateCertification(ctx, tx, &c); err != nil {
			return err
		}
		if out, err = tx.UpdateCertification(ctx, c); err != nil {
			return err
		}
		changes := portal.Diff(before, out)
		detail := ""
		if len(changes) == 0 {
			detail = "no changes"
		}
		return auditCertification(ctx, tx, actor, "catalog.certification_updated", before.Code, detail, changes...)
	})
	return out, err
}

func auditCertification(ctx context.Context, tx *store.Tx, actor portal.Actor, action, code, detail string, changes ...portal.FieldChange) error {
	return tx.Audit(ctx, actor, action, "certification:"+code, detail, changes)
}

// validateCertification normalises c (trims the texts, upper-cases the
// code and the exam codes, drops empty and repeated exam codes, fills the
// default validity) and checks every field against the catalogue.
func validateCertification(ctx context.Context, tx *store.Tx, c *portal.Certification) error {
	var v portal.Validation
	c.Code = strings.ToUpper(strings.TrimSpace(c.Code))
	c.Name = strings.TrimSpace(c.Name)
	c.Description = strings.TrimSpace(c.Description)
	c.Benefits = strings.TrimSpace(strings.ReplaceAll(c.Benefits, "\r\n", "\n"))
	if !certificationCode.MatchString(c.Code) {
		v.Add(FieldCode, "results.certification.invalid_code", nil)
	}
	if n := utf8.RuneCountInString(c.Name); n == 0 || n > MaxCertificationNameChars {
		v.Add(FieldName, "results.certification.invalid_name", map[string]any{"Count": MaxCertificationNameChars})
	}
	if utf8.RuneCountInString(c.Description) > MaxCertificationDescriptionChars {
		v.Add(FieldDescription, "results.certification.description_too_long", map[string]any{"Count": MaxCertificationDescriptionChars})
	}
	if utf8.RuneCountInString(c.Benefits) > MaxBenefitsChars {
		v.Add(FieldBenefits, "results.certification.benefits_too_long", map[string]any{"Count": MaxBenefitsChars})
	}
	switch c.Level {
	case portal.LevelFoundational, portal.LevelAssociate, portal.LevelProfessional, portal.LevelSpecialty:
	default:
		v.Add(FieldLevel, "results.certification.invalid_level", nil)
	}
	switch c.Kind {
	case portal.CertKindCertification:
		if c.ValidityMonths == 0 {
			c.ValidityMonths = portal.DefaultValidityMonths
		}
	case portal.CertKindMicrocredential:
		if c.ValidityMonths == 0 {
			c.ValidityMonths = portal.DefaultMicrocredentialValidityMonths
		}
	default:
		v.Add(FieldKind, "results.certification.invalid_kind", nil)
	}
	if c.ValidityMonths < MinCertificationValidityMonths || c.ValidityMonths > MaxCertificationValidityMonths {
		v.Add(FieldValidity, "results.certification.invalid_validity",
			map[string]any{"Min": MinCertificationValidityMonths, "Count": MaxCertificationValidityMonths})
	}
	c.EarnedBy = examCodes(c.EarnedBy)
	c.RenewedBy = examCodes(c.RenewedBy)
	for _, code := range c.EarnedBy {
		e, err := tx.FindExamByCode(ctx, code)
		if errors.Is(err, portal.ErrNotFound) {
			v.Add(FieldEarnedBy, "results.certification.unknown_exam", map[string]any{"Exam": code})
			continue
		}
		if err != nil {
			return err
		}
		other, err := tx.FindCertificationByExam(ctx, e.ID)
		switch {
		case err == nil && other.ID != c.ID:
			v.Add(FieldEarnedBy, "results.certification.exam_earns_other", map[string]any{"Exam": code, "Certification": other.Code})
		case err != nil && !errors.Is(err, portal.ErrNotFound):
			return err
		}
	}
	for _, code := range c.RenewedBy {
		if _, err := tx.FindExamByCode(ctx, code); errors.Is(err, portal.ErrNotFound) {
			v.Add(FieldRenewedBy, "results.certification.unknown_exam", map[string]any{"Exam": code})
		} else if err != nil {
			return err
		}
	}
	return v.Err()
}

// examCodes trims and upper-cases exam codes, dropping empty and repeated
// ones.
func examCodes(in []string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, c := range in {
		c = strings.ToUpper(strings.TrimSpace(c))
		if c != "" && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}
