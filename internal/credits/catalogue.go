package credits

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// Activity type form fields, as the console names them.
const (
	FieldCode           = "code"
	FieldGroup          = "group"
	FieldNameEN         = "name.en"
	FieldRule           = "rule"
	FieldUnitMinutes    = "unit_minutes"
	FieldPerUnit        = "per_unit"
	FieldMinCredits     = "min_credits"
	FieldMaxCredits     = "max_credits"
	FieldCapActivity    = "cap_activity"
	FieldCapCycle       = "cap_cycle"
	FieldRequiredFields = "required_fields"
	FieldMinEvidence    = "min_evidence"
	FieldCountsFor      = "counts_for"
	FieldCountsList     = "counts_list"
	FieldActiveFrom     = "active_from"
	FieldActiveUntil    = "active_until"
	FieldDeadlineDays   = "deadline_days"
)

// Limits of the catalogue.
const (
	DefaultDeadlineDays = 365
	MaxDeadlineDays     = 3650
	MaxNameChars        = 200
	MaxDescriptionChars = 2000
	MaxEvidence         = 5
)

// Languages the catalogue texts may be written in.
var catalogueLanguages = []string{"en", "es"}

var typeCode = regexp.MustCompile(`^[a-z][a-z0-9_]{1,39}$`)

// ActivityTypes lists the current version of every activity type. Anyone
// may read the catalogue.
func (s *Service) ActivityTypes(ctx context.Context) ([]*portal.CEActivityType, error) {
	return s.st.ListCEActivityTypes(ctx)
}

// ActivityType returns the current version of one type, or
// portal.ErrNotFound.
func (s *Service) ActivityType(ctx context.Context, code string) (*portal.CEActivityType, error) {
	return s.st.FindCEActivityTypeByCode(ctx, code)
}

// SaveActivityType creates a type (a code not in the catalogue) or writes
// a new version of it (portal.PermSettingsManage). Submissions keep the
// version they were made under. Audited with before and after.
func (s *Service) SaveActivityType(ctx context.Context, actor portal.Actor, t portal.CEActivityType) (*portal.CEActivityType, error) {
	if err := actor.Authorize(portal.PermSettingsManage); err != nil {
		return nil, err
	}
	if err := ValidateActivityType(&t); err != nil {
		return nil, err
	}
	var out *portal.CEActivityType
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		var err error
		out, err = saveActivityType(ctx, tx, actor, t)
		return err
	})
	return out, err
}

// CreateActivityType adds a type to the catalogue as version 1
// (portal.PermSettingsManage); a code already in the catalogue is refused
// (credits.error.type_exists on FieldCode). Audited.
func (s *Service) CreateActivityType(ctx context.Context, actor portal.Actor, t portal.CEActivityType) (*portal.CEActivityType, error) {
	if err := actor.Authorize(portal.PermSettingsManage); err != nil {
		return nil, err
	}
	if err := ValidateActivityType(&t); err != nil {
		return nil, err
	}
	var out *portal.CEActivityType
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		_, err := tx.LockCEActivityType(ctx, t.Code)
		switch {
		case err == nil:
			var v portal.Validation
			v.Add(FieldCode, "credits.error.type_exists", map[string]any{"Code": t.Code})
			return v.Err()
		case !isNotFound(err):
			return err
		}
		out, err = saveActivityType(ctx, tx, actor, t)
		return err
	})
	return out, err
}

// saveActivityType writes t (validated) as a new type or a new version of
// the type with its code, audited; an unchanged type is left as it is.
func saveActivityType(ctx context.Context, tx *store.Tx, actor portal.Actor, t portal.CEActivityType) (*portal.CEActivityType, error) {
	before, err := tx.LockCEActivityType(ctx, t.Code)
	switch {
	case isNotFound(err):
		before = &portal.CEActivityType{}
		t.TypeID, t.Version = 0, 1
	case err != nil:
		return nil, err
	default:
		if sameRules(before, &t) {
			return before, nil
		}
		t.TypeID, t.Version = before.TypeID, before.Version+1
	}
	if actor.UserID != 0 {
		id := actor.UserID
		t.CreatedBy = &id
	}
	out, err := tx.InsertCEActivityVersion(ctx, t)
	if err != nil {
		return nil, err
	}
	action := "ce.activity_type_changed"
	if out.Version == 1 {
		action = "ce.activity_type_created"
	}
	return out, tx.Audit(ctx, actor, action, "ce_activity_type:"+out.Code, "", portal.Diff(before, out))
}

// sameRules reports whether two versions say the same.
func sameRules(a, b *portal.CEActivityType) bool {
	x, y := *a, *b
	for _, v := range []*portal.CEActivityType{&x, &y} {
		v.TypeID, v.VersionID, v.Version, v.CreatedBy, v.CreatedAt, v.TextsJSON = 0, 0, 0, nil, time.Time{}, ""
	}
	return len(portal.Diff(&x, &y)) == 0 && textsEqual(a.Texts, b.Texts)
}

func textsEqual(a, b map[string]portal.CEText) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// ValidateActivityType normalises t (trims, drops empty translations,
// fills the deadline) and checks every field.
func ValidateActivityType(t *portal.CEActivityType) error {
	var v portal.Validation
	t.Code = strings.TrimSpace(t.Code)
	if !typeCode.MatchString(t.Code) {
		v.Add(FieldCode, "credits.error.type_code", nil)
	}
	if !slices.Contains(portal.CEGroups(), t.Group) {
		v.Add(FieldGroup, "credits.error.unknown_group", nil)
	}
	texts := map[string]portal.CEText{}
	for lang, x := range t.Texts {
		x.Name, x.Description = strings.TrimSpace(x.Name), strings.TrimSpace(x.Description)
		if x.Name == "" && x.Description == "" {
			continue
		}
		if !slices.Contains(catalogueLanguages, lang) {
			v.Add("name."+lang, "credits.error.unknown_language", map[string]any{"Lang": lang})
			continue
		}
		if x.Name == "" || utf8.RuneCountInString(x.Name) > MaxNameChars {
			v.Add("name."+lang, "credits.error.name", map[string]any{"Count": MaxNameChars})
		}
		if utf8.RuneCountInString(x.Description) > MaxDescriptionChars {
			v.Add("description."+lang, "credits.error.description", map[string]any{"Count": MaxDescriptionChars})
		}
		texts[lang] = x
	}
	t.Texts = texts
	if texts["en"].Name == "" && !v.Has(FieldNameEN) {
		v.Add(FieldNameEN, "credits.error.name_en_required", nil)
	}
	switch t.Rule {
	case portal.CERulePerUnit:
		if t.UnitMinutes != 60 && t.UnitMinutes != 15 {
			v.Add(FieldUnitMinutes, "credits.error.unit_minutes", nil)
		}
		if t.PerUnit <= 0 || t.PerUnit > maxCredits {
			v.Add(FieldPerUnit, "credits.error.positive", nil)
		}
		t.MinCredits, t.MaxCredits = 0, 0
		if !hasField(t.RequiredFields, portal.CEFieldDuration) {
			t.RequiredFields = joinFields(append(splitFields(t.RequiredFields), portal.CEFieldDuration))
		}
	case portal.CERuleRange, portal.CERuleFixed:
		t.UnitMinutes, t.PerUnit = 0, 0
		if t.Rule == portal.CERuleFixed {
			t.MaxCredits = t.MinCredits
		}
		if t.MinCredits <= 0 || t.MinCredits > maxCredits {
			v.Add(FieldMinCredits, "credits.error.positive", nil)
		}
		if t.MaxCredits < t.MinCredits || t.MaxCredits > maxCredits {
			v.Add(FieldMaxCredits, "credits.error.max_below_min", nil)
		}
	default:
		v.Add(FieldRule, "credits.error.unknown_rule", nil)
	}
	if t.CapActivity < 0 || t.CapActivity > maxCredits {
		v.Add(FieldCapActivity, "credits.error.not_negative", nil)
	}
	if t.CapCycle < 0 || t.CapCycle > maxCredits {
		v.Add(FieldCapCycle, "credits.error.not_negative", nil)
	}
	fields := splitFields(t.RequiredFields)
	for _, f := range fields {
		if !slices.Contains([]string{portal.CEFieldProvider, portal.CEFieldURL, portal.CEFieldDuration, portal.CEFieldNotes}, f) {
			v.Add(FieldRequiredFields, "credits.error.unknown_field", map[string]any{"Field": f})
		}
	}
	t.RequiredFields = joinFields(fields)
	if t.MinEvidence < 0 || t.MinEvidence > MaxEvidence {
		v.Add(FieldMinEvidence, "credits.error.between", map[string]any{"From": 0, "To": MaxEvidence})
	}
	list := splitFields(t.CountsList)
	switch t.CountsFor {
	case portal.CECountsAll:
		list = nil
	case portal.CECountsLevels:
		for _, l := range list {
			if !slices.Contains([]string{portal.LevelFoundational, portal.LevelAssociate, portal.LevelProfessional, portal.LevelSpecialty}, l) {
				v.Add(FieldCountsList, "credits.error.unknown_level", map[string]any{"Level": l})
			}
		}
		fallthrough
	case portal.CECountsList:
		if len(list) == 0 {
			v.Add(FieldCountsList, "credits.error.counts_list_empty", nil)
		}
	default:
		v.Add(FieldCountsFor, "credits.error.counts_for", nil)
	}
	if t.CountsFor == portal.CECountsList {
		for i := range list {
			list[i] = strings.ToUpper(list[i])
		}
	}
	t.CountsList = joinFields(list)
	for _, d := range []struct {
		field string
		p     **string
	}{{FieldActiveFrom, &t.ActiveFrom}, {FieldActiveUntil, &t.ActiveUntil}} {
		if *d.p == nil || strings.TrimSpace(**d.p) == "" {
			*d.p = nil
			continue
		}
		s := strings.TrimSpace(**d.p)
		if _, err := time.Parse(time.DateOnly, s); err != nil {
			v.Add(d.field, "credits.error.date", nil)
		}
		*d.p = &s
	}
	if t.ActiveFrom != nil && t.ActiveUntil != nil && *t.ActiveUntil < *t.ActiveFrom {
		v.Add(FieldActiveUntil, "credits.error.until_before_from", nil)
	}
	if t.DeadlineDays == 0 {
		t.DeadlineDays = DefaultDeadlineDays
	}
	if t.DeadlineDays < 1 || t.DeadlineDays > MaxDeadlineDays {
		v.Add(FieldDeadlineDays, "credits.error.between", map[string]any{"From": 1, "To": MaxDeadlineDays})
	}
	return v.Err()
}

func splitFields(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

func joinFields(fs []string) string {
	fs = slices.Clone(fs)
	slices.Sort(fs)
	return strings.Join(slices.Compact(fs), ",")
}

func hasField(list, f string) bool { return slices.Contains(splitFields(list), f) }

// activeOn reports whether the type accepts activities completed on day
// (YYYY-MM-DD).
func activeOn(t *portal.CEActivityType, day string) bool {
	return (t.ActiveFrom == nil || day >= *t.ActiveFrom) && (t.ActiveUntil == nil || day <= *t.ActiveUntil)
}

// countsFor reports whether an activity of type t counts toward a
// certification of the given code and level.
func countsFor(t *portal.CEActivityType, code, level string) bool {
	switch t.CountsFor {
	case portal.CECountsAll:
		return true
	case portal.CECountsLevels:
		return hasField(t.CountsList, level)
	case portal.CECountsList:
		return hasField(t.CountsList, code)
	}
	return false
}

// DefaultCatalogue is the catalogue a new program starts with.
func DefaultCatalogue() []portal.CEActivityType {
	perHour := func(code, group, en, es string) portal.CEActivityType {
		return portal.CEActivityType{Code: code, Group: group, Rule: portal.CERulePerUnit, UnitMinutes: 60, PerUnit: Credit,
			Texts: map[string]portal.CEText{"en": {Name: en}, "es": {Name: es}}}
	}
	rng := func(code, group, en, es string, lo, hi int) portal.CEActivityType {
		return portal.CEActivityType{Code: code, Group: group, Rule: portal.CERuleRange, MinCredits: lo * Credit, MaxCredits: hi * Credit,
			Texts: map[string]portal.CEText{"en": {Name: en}, "es": {Name: es}}}
	}
	list := []portal.CEActivityType{
		perHour("official_online_course", portal.CEGroupOfficial, "Official online course", "Curso en línea oficial"),
		rng("official_workshop", portal.CEGroupOfficial, "Official workshop or event", "Taller o evento oficial", 4, 8),
		perHour("exam_prep_course", portal.CEGroupOfficial, "Exam preparation course", "Curso de preparación de examen"),
		perHour("partner_training", portal.CEGroupRecognised, "Partner training", "Formación de un socio"),
		rng("community_event", portal.CEGroupRecognised, "Community event", "Evento de la comunidad", 4, 8),
		{Code: "documentation_review", Group: portal.CEGroupRecognised, Rule: portal.CERulePerUnit, UnitMinutes: 15, PerUnit: 25,
			CapActivity: 4 * Credit, Texts: map[string]portal.CEText{"en": {Name: "Whitepaper or documentation review"},
				"es": {Name: "Revisión de documentación técnica o whitepapers"}}},
		rng("other_certification", portal.CEGroupRecognised, "Another technical certification", "Otra certificación técnica", 25, 50),
		rng("published_article", portal.CEGroupOther, "Published article", "Artículo publicado", 25, 50),
		rng("conference_talk", portal.CEGroupOther, "Conference talk", "Ponencia en una conferencia", 25, 50),
		rng("teaching_course", portal.CEGroupOther, "Teaching a course", "Impartir un curso", 50, 100),
	}
	for i := range list {
		list[i].CountsFor, list[i].MinEvidence, list[i].DeadlineDays = portal.CECountsAll, 1, DefaultDeadlineDays
	}
	return list
}

// InstallDefaultCatalogue writes the default catalogue into an empty one,
// once: the app calls it at start, and a catalogue that holds any type
// (installed before, or the program's own) is left alone.
func (s *Service) InstallDefaultCatalogue(ctx context.Context) error {
	return s.st.Transact(ctx, func(tx *store.Tx) error {
		if _, err := tx.LockSetting(ctx, "ce.catalogue_installed", ""); err != nil {
			return err
		}
		have, err := tx.ListCEActivityTypes(ctx)
		if err != nil || len(have) > 0 {
			return err
		}
		for _, t := range DefaultCatalogue() {
			if err := ValidateActivityType(&t); err != nil {
				return errors.Join(errors.New("credits: default catalogue"), err)
			}
			if _, err := saveActivityType(ctx, tx, portal.SystemActor("ce.install"), t); err != nil {
				return err
			}
		}
		return tx.SetSetting(ctx, "ce.catalogue_installed", tx.Now().Format(time.RFC3339))
	})
}

// ActivityTypeVersions lists every version of a type, newest first
// (portal.PermSettingsManage), or portal.ErrNotFound for a code not in the
// catalogue.
func (s *Service) ActivityTypeVersions(ctx context.Context, actor portal.Actor, code string) ([]*portal.CEActivityType, error) {
	if err := actor.Authorize(portal.PermSettingsManage); err != nil {
		return nil, err
	}
	list, err := s.st.ListCEActivityVersions(ctx, code)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, portal.ErrNotFound
	}
	return list, nil
}
