package candidate

import (
	"strings"

	"example.org/certportal/internal/geo"
	"example.org/certportal/internal/i18n"
	"example.org/certportal/internal/web"
)

// countryField is the country select of a form.
func countryField(t *i18n.Localizer, f *web.Form, countries []geo.Country) web.Field {
	fl := web.NewField(t, f, "country", "select", "field.country", "autocomplete=country", "placeholder=field.choose")
	for _, c := range countries {
		fl.Options = append(fl.Options, web.Option{Value: c.Code, Label: c.Name, Selected: strings.EqualFold(c.Code, fl.Value)})
	}
	return fl
}

// regionField is the state/region select for the form's country; a
// country without subdivisions has none (nil). A region the person is
// shown for the first time after a submit comes with a prompt, not an
// error.
func regionField(t *i18n.Localizer, f *web.Form, c regionChoice) *web.Field {
	if len(c.Regions) == 0 {
		return nil
	}
	fl := web.NewField(t, f, "region", "select", "field.region", "autocomplete=address-level1", "placeholder=field.choose")
	if c.Prompt && fl.Error == "" {
		fl.Hint = t.T("field.region_prompt", nil)
	}
	for _, r := range c.Regions {
		fl.Options = append(fl.Options, web.Option{Value: r.Code, Label: r.Name, Selected: strings.EqualFold(r.Code, fl.Value)})
	}
	return &fl
}

// languageField is the preferred-language select.
func languageField(t *i18n.Localizer, f *web.Form, langs []web.LanguageOption) web.Field {
	fl := web.NewField(t, f, "language", "select", "field.language", "hint=field.language_hint")
	for _, l := range langs {
		fl.Options = append(fl.Options, web.Option{Value: l.Code, Label: l.Name, Selected: l.Code == fl.Value})
	}
	return fl
}
