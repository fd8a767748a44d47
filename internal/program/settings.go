package program

import (
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"example.org/certportal/internal/portal"
)

// PaperSize is the default paper size of certificates.
type PaperSize string

const (
	PaperA4     PaperSize = "A4"
	PaperLetter PaperSize = "Letter"
)

// PaperSizes lists the sizes in the order forms show them.
func PaperSizes() []PaperSize { return []PaperSize{PaperA4, PaperLetter} }

// Valid reports whether p is a known size.
func (p PaperSize) Valid() bool { return p == PaperA4 || p == PaperLetter }

// MaxSupportURL is the longest support address accepted.
const MaxSupportURL = 500

// Settings are the program's shared settings as every caller sees them.
// The audit log records the tagged fields before and after each change.
type Settings struct {
	// SupportEmail and SupportURL are the support contact; either may be
	// empty.
	SupportEmail string `audit:"support_email"`
	SupportURL   string `audit:"support_url"`
	// SupportFromConfig is true until an admin saves the support contact:
	// then it is the start-up configuration's.
	SupportFromConfig bool      `audit:"support_from_config"`
	PaperSize         PaperSize `audit:"paper_size"`
	// LinkedInOrganizationID is the program's organization ID on LinkedIn
	// (digits), which the Add-to-Profile link names instead of the
	// program's name; empty for none.
	LinkedInOrganizationID string `audit:"linkedin_organization_id"`
	// Logo describes the stored logo; its ETag is empty when there is
	// none.
	Logo Logo `audit:"logo"`
}

// Logo describes the stored logo, a PNG.
type Logo struct {
	ETag          string // hex SHA-256 prefix of the PNG, a cache validator
	Width, Height int
	Bytes         int
}

// String describes the logo for the audit log: empty when there is none.
func (l Logo) String() string {
	if l.ETag == "" {
		return ""
	}
	return fmt.Sprintf("%d×%d PNG, %d bytes, %s", l.Width, l.Height, l.Bytes, l.ETag)
}

// HasLogo reports whether a logo is stored.
func (s Settings) HasLogo() bool { return s.Logo.ETag != "" }

// Defaults are the start-up configuration's values, used until an admin
// saves settings.
type Defaults struct {
	SupportEmail string
	SupportURL   string
}

// Update is a change of the settings edited as one form.
type Update struct {
	SupportEmail           string
	SupportURL             string
	PaperSize              PaperSize
	LinkedInOrganizationID string
}

// MaxLinkedInOrganizationID is the most digits a LinkedIn organization ID
// may have.
const MaxLinkedInOrganizationID = 19

// normalize trims the update and checks it; problems are field errors.
func (u *Update) normalize() error {
	var fields []portal.FieldError
	u.SupportEmail = strings.TrimSpace(u.SupportEmail)
	if u.SupportEmail != "" {
		e, ok := portal.NormalizeEmail(u.SupportEmail)
		if !ok {
			fields = append(fields, portal.FieldError{Field: "support_email", Message: "program.error.support_email"})
		} else {
			u.SupportEmail = e
		}
	}
	u.SupportURL = strings.TrimSpace(u.SupportURL)
	if u.SupportURL != "" && !validURL(u.SupportURL) {
		fields = append(fields, portal.FieldError{Field: "support_url", Message: "program.error.support_url",
			Data: map[string]any{"Count": MaxSupportURL}})
	}
	u.PaperSize = PaperSize(strings.TrimSpace(string(u.PaperSize)))
	if !u.PaperSize.Valid() {
		fields = append(fields, portal.FieldError{Field: "paper_size", Message: "program.error.paper_size"})
	}
	u.LinkedInOrganizationID = strings.TrimSpace(u.LinkedInOrganizationID)
	if id := u.LinkedInOrganizationID; id != "" && (len(id) > MaxLinkedInOrganizationID || strings.Trim(id, "0123456789") != "" || strings.Trim(id, "0") == "") {
		fields = append(fields, portal.FieldError{Field: "linkedin_organization_id", Message: "program.error.linkedin_organization_id",
			Data: map[string]any{"Count": MaxLinkedInOrganizationID}})
	}
	if len(fields) > 0 {
		return &portal.Error{Code: portal.EInvalid, Message: "error.form_invalid", Fields: fields}
	}
	return nil
}

// validURL accepts an absolute http or https address with a host, no
// credentials and no control characters, of at most MaxSupportURL bytes.
func validURL(raw string) bool {
	if len(raw) > MaxSupportURL || !utf8.ValidString(raw) || strings.ContainsFunc(raw, func(r rune) bool {
		return r < 0x20 || r == 0x7f || r == ' '
	}) {
		return false
	}
	p, err := url.Parse(raw)
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" || p.User != nil || p.Opaque != "" {
		return false
	}
	return p.Hostname() != ""
}

func invalidLogo(msg string, data map[string]any) error {
	return &portal.Error{Code: portal.EInvalid, Message: "error.form_invalid",
		Fields: []portal.FieldError{{Field: "logo", Message: msg, Data: data}}}
}
