package exams

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/language"

	"example.org/certportal/internal/portal"
)

// Limits of an exam's fields. Money is in minor units of the exam's
// currency.
const (
	MaxNameChars        = 200
	MaxDescriptionChars = 2000
	MinDurationMinutes  = 1
	MaxDurationMinutes  = 600
	MaxLanguages        = 30
	MaxPriceMinor       = 10_000_000
	MinPassingScore     = 100
	MaxPassingScore     = 1000
	MaxRetakeWaitDays   = 365
	// MaxResultsDelayDays bounds the processing delay of a result, in
	// business days.
	MaxResultsDelayDays = 60
	MaxRescheduleLimit  = 10
	MinValidityMonths   = 1
	MaxValidityMonths   = 120
	MaxDomains          = 20
	MaxDomainNameChars  = 200
	MinDomainWeight     = 1
	MaxDomainWeight     = 100
	domainWeightsTotal  = 100
)

var (
	examCode = regexp.MustCompile(`^[A-Z0-9]{2,6}(-[A-Z0-9]{2,6}){0,2}$`)
	// languageTag is the part of BCP 47 the catalog uses: a language, an
	// optional script and an optional region (en, es, pt-BR, zh-Hant-TW,
	// es-419), in any case.
	languageTag  = regexp.MustCompile(`^([A-Za-z]{2,3})(?:-([A-Za-z]{4}))?(?:-([A-Za-z]{2}|[0-9]{3}))?$`)
	currencyCode = regexp.MustCompile(`^[A-Z]{3}$`)
)

// validateExam normalises e (trims the texts, upper-cases the code and the
// currency, writes languages and delivery methods in their canonical form,
// trims the domain names and numbers the domains) and checks every field.
// It returns nil or an invalid *portal.Error with one field error per
// problem, named like the console form's fields.
func validateExam(e *portal.Exam) error {
	var v portal.Validation
	e.Code = strings.ToUpper(strings.TrimSpace(e.Code))
	e.Name = strings.TrimSpace(e.Name)
	e.Description = strings.TrimSpace(e.Description)
	e.Currency = strings.ToUpper(strings.TrimSpace(e.Currency))

	if !examCode.MatchString(e.Code) {
		v.Add("code", "exams.invalid_code", nil)
	}
	if n := utf8.RuneCountInString(e.Name); n == 0 || n > MaxNameChars {
		v.Add("name", "exams.invalid_name", nil)
	}
	if utf8.RuneCountInString(e.Description) > MaxDescriptionChars {
		v.Add("description", "exams.description_too_long", map[string]any{"Count": MaxDescriptionChars})
	}
	switch e.Level {
	case portal.LevelFoundational, portal.LevelAssociate, portal.LevelProfessional, portal.LevelSpecialty:
	default:
		v.Add("level", "exams.invalid_level", nil)
	}
	switch e.Kind {
	case portal.KindExam, portal.KindMicrocredential:
	default:
		v.Add("kind", "exams.invalid_kind", nil)
	}
	if e.DurationMinutes < MinDurationMinutes || e.DurationMinutes > MaxDurationMinutes {
		v.Add("duration_minutes", "exams.invalid_duration", nil)
	}
	validateLanguages(e, &v)
	validateDelivery(e, &v)

	currencyOK := false
	switch {
	case !currencyCode.MatchString(e.Currency):
		v.Add("currency", "exams.invalid_currency", nil)
	default:
		if !IsCurrency(e.Currency) {
			v.Add("currency", "exams.unknown_currency", map[string]any{"Currency": e.Currency})
		} else {
			currencyOK = true
		}
	}
	// Amounts in messages are shown as the form takes them, in the
	// exam's currency when it is valid.
	unit := e.Currency
	if !currencyOK {
		unit = ""
	}
	priceOK := e.PriceMinor >= 0 && e.PriceMinor <= MaxPriceMinor
	if !priceOK {
		v.Add("price", "exams.invalid_price_range", map[string]any{"Max": FormatAmount(MaxPriceMinor, unit), "Currency": unit})
	}
	feeMax := int64(MaxPriceMinor)
	if priceOK {
		feeMax = e.PriceMinor
	}
	if e.RescheduleFeeMinor < 0 || e.RescheduleFeeMinor > feeMax {
		v.Add("reschedule_fee", "exams.invalid_reschedule_fee", map[string]any{"Max": FormatAmount(feeMax, unit), "Currency": unit})
	}

	if e.PassingScore < MinPassingScore || e.PassingScore > MaxPassingScore {
		v.Add("passing_score", "exams.invalid_passing_score", nil)
	}
	if e.RetakeWaitDays < 0 || e.RetakeWaitDays > MaxRetakeWaitDays {
		v.Add("retake_wait_days", "exams.invalid_retake_wait", map[string]any{"Count": MaxRetakeWaitDays})
	}
	if e.ResultsDelayDays < 0 || e.ResultsDelayDays > MaxResultsDelayDays {
		v.Add("results_delay_days", "exams.invalid_results_delay", map[string]any{"Count": MaxResultsDelayDays})
	}
	if e.MaxReschedules < 0 || e.MaxReschedules > MaxRescheduleLimit {
		v.Add("max_reschedules", "exams.invalid_max_reschedules", map[string]any{"Count": MaxRescheduleLimit})
	}
	if e.ValidityMonths < MinValidityMonths || e.ValidityMonths > MaxValidityMonths {
		v.Add("validity_months", "exams.invalid_validity", map[string]any{"Min": MinValidityMonths, "Count": MaxValidityMonths})
	}
	validateDomains(e, &v)
	return v.Err()
}

// validateLanguages checks the comma-separated language tags and writes
// them back canonically: "EN, pt-br,en" becomes "en,pt-BR". Empty items
// are dropped and repeated tags kept once.
func validateLanguages(e *portal.Exam, v *portal.Validation) {
	var tags []string
	seen := map[string]bool{}
	for _, item := range strings.Split(e.Languages, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		tag, ok := canonicalLanguage(item)
		if !ok {
			v.Add("languages", "exams.invalid_language_tag", map[string]any{"Tag": item})
			return
		}
		if !seen[tag] {
			seen[tag] = true
			tags = append(tags, tag)
		}
	}
	switch {
	case len(tags) == 0:
		v.Add("languages", "exams.languages_required", nil)
	case len(tags) > MaxLanguages:
		v.Add("languages", "exams.too_many_languages", map[string]any{"Count": MaxLanguages})
	default:
		e.Languages = strings.Join(tags, ",")
	}
}

// validateDelivery checks the comma-separated delivery methods and writes
// them back in the canonical order: test_center before online.
func validateDelivery(e *portal.Exam, v *portal.Validation) {
	has := map[string]bool{}
	for _, item := range strings.Split(e.Delivery, ",") {
		item = strings.TrimSpace(item)
		switch item {
		case "":
		case portal.DeliveryTestCenter, portal.DeliveryOnline:
			has[item] = true
		default:
			v.Add("delivery", "exams.invalid_delivery", nil)
			return
		}
	}
	var methods []string
	for _, m := range []string{portal.DeliveryTestCenter, portal.DeliveryOnline} {
		if has[m] {
			methods = append(methods, m)
		}
	}
	if len(methods) == 0 {
		v.Add("delivery", "exams.invalid_delivery", nil)
		return
	}
	e.Delivery = strings.Join(methods, ",")
}

// validateDomains checks the count, each domain's name and weight, and
// that the weights add up to 100. All problems are on the "domains" field;
// Position numbers the domain from 1.
func validateDomains(e *portal.Exam, v *portal.Validation) {
	if len(e.Domains) == 0 || len(e.Domains) > MaxDomains {
		v.Add("domains", "exams.domain_count", map[string]any{"Max": MaxDomains, "Count": len(e.Domains)})
		if len(e.Domains) == 0 {
			return
		}
	}
	total, weightsOK := 0, true
	for i := range e.Domains {
		d := &e.Domains[i]
		d.Position = i + 1
		d.Name = strings.TrimSpace(d.Name)
		if n := utf8.RuneCountInString(d.Name); n == 0 || n > MaxDomainNameChars {
			v.Add("domains", "exams.invalid_domain_name", map[string]any{"Position": d.Position, "Count": MaxDomainNameChars})
		}
		if d.WeightPercent < MinDomainWeight || d.WeightPercent > MaxDomainWeight {
			v.Add("domains", "exams.invalid_domain_weight", map[string]any{"Position": d.Position})
			weightsOK = false
		}
		total += d.WeightPercent
	}
	if weightsOK && total != domainWeightsTotal {
		v.Add("domains", "exams.domain_weights", map[string]any{"Total": total})
	}
}

// canonicalLanguage checks a BCP 47 tag of the shape the catalog uses
// (languageTag) and returns its canonical form ("pt-br" is "pt-BR", "eng"
// is "en"). The language must be a known one, not a private-use code
// (qaa–qtz) or a special one (und, mul, mis, zxx); a script or region, when
// given, must be known too.
func canonicalLanguage(s string) (string, bool) {
	m := languageTag.FindStringSubmatch(s)
	if m == nil {
		return "", false
	}
	tag, err := language.Parse(s)
	if err != nil {
		return "", false
	}
	base, conf := tag.Base()
	if conf != language.Exact {
		return "", false
	}
	switch b := base.String(); {
	case b == "und" || b == "mul" || b == "mis" || b == "zxx":
		return "", false
	case len(b) == 3 && b >= "qaa" && b <= "qtz":
		return "", false
	}
	if m[2] != "" {
		if sc, err := language.ParseScript(m[2]); err != nil || sc.String() == "Zzzz" {
			return "", false
		}
	}
	if m[3] != "" {
		r, err := language.ParseRegion(m[3])
		if err != nil || !(r.IsCountry() || r.IsGroup()) {
			return "", false
		}
	}
	return tag.String(), true
}
