package candidate

import (
	"net/http"
	"net/url"
	"strings"

	"example.org/certportal/internal/portal"
)

// linkedInAddURL is LinkedIn's Add-to-Profile link for a certification:
// its name, the issuing organization (by LinkedIn organization ID when
// the program has one, else by name), the year and month of issue and of
// expiry (from YYYY-MM-DD days), the public verification page and the
// credential ID. It never carries the holder's name or email address.
func linkedInAddURL(certName, orgID, orgName, issuedOn, expiresOn, certURL string, id portal.CredentialID) string {
	q := url.Values{}
	q.Set("startTask", "CERTIFICATION_NAME")
	q.Set("name", certName)
	if orgID != "" {
		q.Set("organizationId", orgID)
	} else {
		q.Set("organizationName", orgName)
	}
	if y, m, ok := yearMonth(issuedOn); ok {
		q.Set("issueYear", y)
		q.Set("issueMonth", m)
	}
	if y, m, ok := yearMonth(expiresOn); ok {
		q.Set("expirationYear", y)
		q.Set("expirationMonth", m)
	}
	q.Set("certUrl", certURL)
	q.Set("certId", id.String())
	return "https://www.linkedin.com/profile/add?" + q.Encode()
}

// yearMonth splits a YYYY-MM-DD day into its year and its month without a
// leading zero.
func yearMonth(day string) (string, string, bool) {
	parts := strings.Split(day, "-")
	if len(parts) != 3 || len(parts[0]) != 4 || len(parts[1]) != 2 {
		return "", "", false
	}
	return parts[0], strings.TrimPrefix(parts[1], "0"), true
}

// linkedInOrganizationID is the program's LinkedIn organization ID from
// the program settings, "" when none is set.
func (s *Pages) linkedInOrganizationID(r *http.Request) (string, error) {
	set, err := s.ProgramSettings(r)
	if err != nil {
		return "", err
	}
	return set.LinkedInOrganizationID, nil
}
