package web

import (
	"strings"

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

// selected reports whether an option value is the form's value, for
// templates.
func selected(value, option string) bool { return strings.EqualFold(value, option) }
