package candidate

import (
	"net/url"
	"strings"
	"testing"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/results"
	"example.org/certportal/internal/web/webtest"
)

// TestLinkedInAddURL: the Add-to-Profile link carries exactly the
// certification, the organization, issue and expiry year and month, the
// verification page and the credential ID.
func TestLinkedInAddURL(t *testing.T) {
	id := portal.CredentialID("7KQ30M2XABCDEFGHJKMNPQRSTV1")
	for _, c := range []struct {
		orgID string
		want  url.Values
	}{
		{"", url.Values{"startTask": {"CERTIFICATION_NAME"}, "name": {"Solutions Architect – Associate"}, "organizationName": {"Example & Co"},
			"issueYear": {"2026"}, "issueMonth": {"11"}, "expirationYear": {"2029"}, "expirationMonth": {"2"},
			"certUrl": {"https://certs.example.org/credentials/" + string(id)}, "certId": {"7KQ3-0M2X-ABCD-EFGH-JKMN-PQRS-TV1"}}},
		{"12345", url.Values{"startTask": {"CERTIFICATION_NAME"}, "name": {"Solutions Architect – Associate"}, "organizationId": {"12345"},
			"issueYear": {"2026"}, "issueMonth": {"11"}, "expirationYear": {"2029"}, "expirationMonth": {"2"},
			"certUrl": {"https://certs.example.org/credentials/" + string(id)}, "certId": {"7KQ3-0M2X-ABCD-EFGH-JKMN-PQRS-TV1"}}},
	} {
		raw := linkedInAddURL("Solutions Architect – Associate", c.orgID, "Example & Co", "2026-11-02", "2029-02-28",
			"https://certs.example.org/credentials/"+string(id), id)
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if u.Scheme != "https" || u.Host != "www.linkedin.com" || u.Path != "/profile/add" {
			t.Errorf("link %s", raw)
		}
		got := u.Query()
		if len(got) != len(c.want) {
			t.Errorf("parameters %v, want %v", got, c.want)
		}
		for k, v := range c.want {
			if g := got[k]; len(g) != 1 || g[0] != v[0] {
				t.Errorf("%s = %q, want %q", k, g, v[0])
			}
		}
	}
}

// TestCertificationsPageBadgeAndLinkedIn: with a signed credential the
// page links the badge in both formats and the LinkedIn link, which names
// neither the holder nor their email address.
func TestCertificationsPageBadgeAndLinkedIn(t *testing.T) {
	s := newTestServer(t)
	view := results.CertificationView{Status: portal.CertActive, UserCertificationDetail: portal.UserCertificationDetail{
		Code: "AAA", Name: "Cert AAA", UserCertification: portal.UserCertification{ID: 7, IssuedOn: "2026-11-02", ExpiresOn: "2029-11-02"}}}
	link := linkedInAddURL("Cert AAA", "", "Program", "2026-11-02", "2029-11-02", "https://x/credentials/ABC", "ABC")
	p := &certificationsPage{Certifications: []results.CertificationView{view},
		Credentials: map[int64]certCredential{7: {Page: "/credentials/ABC", LinkedIn: link}}}
	for _, lang := range []string{"en", "es"} {
		doc := webtest.RenderAs(t, s.Server, "/certifications", lang, "certifications", "certifications.title", p, webtest.MayNone)
		hrefs := doc.Values(".cert-badge a", "href")
		if strings.Join(hrefs, " ") != "/certifications/7/badge.png /certifications/7/badge.svg" {
			t.Errorf("%s: badge links %v", lang, hrefs)
		}
		if got := doc.Values(".cert-linkedin", "href"); len(got) != 1 || got[0] != link {
			t.Errorf("%s: LinkedIn link %v", lang, got)
		}
	}
}
