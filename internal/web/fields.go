package web

import (
	"strings"

	"example.org/certportal/internal/geo"
	"example.org/certportal/internal/i18n"
)

// Field is what the "text-field" and "select-field" templates render.
type Field struct {
	Name         string
	Type         string
	Label        string
	Hint         string
	Error        string
	Value        string
	Autocomplete string
	Maxlength    int
	Optional     bool
	OptionalText string
	Placeholder  string
	Options      []Option
}

// Option is one choice of a select field.
type Option struct {
	Value    string
	Label    string
	Selected bool
}

// Describedby lists the hint and error IDs for aria-describedby.
func (f Field) Describedby() string {
	var ids []string
	if f.Hint != "" {
		ids = append(ids, f.Name+"-hint")
	}
	if f.Error != "" {
		ids = append(ids, f.Name+"-error")
	}
	return strings.Join(ids, " ")
}

// NewField builds a Field from a form: name, input type, label message ID,
// then optional settings as "key=value" strings: hint=ID,
// autocomplete=TOKEN, max=N, optional.
func NewField(t *i18n.Localizer, f *Form, name, typ, label string, opts ...string) Field {
	fl := Field{Name: name, Type: typ, Label: t.T(label, nil), Value: f.Value(name), Error: f.Error(name)}
	for _, o := range opts {
		k, v, _ := strings.Cut(o, "=")
		switch k {
		case "hint":
			fl.Hint = t.T(v, nil)
		case "autocomplete":
			fl.Autocomplete = v
		case "max":
			for _, c := range v {
				fl.Maxlength = fl.Maxlength*10 + int(c-'0')
			}
		case "optional":
			fl.Optional, fl.OptionalText = true, t.T("form.optional", nil)
		case "placeholder":
			fl.Placeholder = t.T(v, nil)
		}
	}
	return fl
}

// countryField is the country select of a form.
func countryField(t *i18n.Localizer, f *Form, countries []geo.Country) Field {
	fl := NewField(t, f, "country", "select", "field.country", "autocomplete=country", "placeholder=field.choose")
	for _, c := range countries {
		fl.Options = append(fl.Options, Option{Value: c.Code, Label: c.Name, Selected: strings.EqualFold(c.Code, fl.Value)})
	}
	return fl
}

// regionField is the state/region select for the form's country; a
// country without subdivisions has none (nil). A region the person is
// shown for the first time after a submit comes with a prompt, not an
// error.
func regionField(t *i18n.Localizer, f *Form, c regionChoice) *Field {
	if len(c.Regions) == 0 {
		return nil
	}
	fl := NewField(t, f, "region", "select", "field.region", "autocomplete=address-level1", "placeholder=field.choose")
	if c.Prompt && fl.Error == "" {
		fl.Hint = t.T("field.region_prompt", nil)
	}
	for _, r := range c.Regions {
		fl.Options = append(fl.Options, Option{Value: r.Code, Label: r.Name, Selected: strings.EqualFold(r.Code, fl.Value)})
	}
	return &fl
}

// languageField is the preferred-language select.
func languageField(t *i18n.Localizer, f *Form, langs []LanguageOption) Field {
	fl := NewField(t, f, "language", "select", "field.language", "hint=field.language_hint")
	for _, l := range langs {
		fl.Options = append(fl.Options, Option{Value: l.Code, Label: l.Name, Selected: l.Code == fl.Value})
	}
	return fl
}

// Checkbox builds a checkbox Field; data, when given, fills the label's
// {{.Version}} placeholder.
func Checkbox(t *i18n.Localizer, f *Form, name, label string, version ...string) Field {
	fl := Field{Name: name, Type: "checkbox", Value: f.Value(name), Error: f.Error(name)}
	data := map[string]any{}
	if len(version) > 0 {
		data["Version"] = version[0]
	}
	fl.Label = t.T(label, data)
	return fl
}
