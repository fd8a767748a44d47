package candidate

// The state/region choice of the registration and profile forms. A
// country with subdivisions needs one (the accounts service's rule); these
// helpers make sure the person sees the choice for the country they picked
// before anything is said about it:
//
//   - the form opens with the region select of the country it already
//     knows (the profile's, ?country=, or the browser's language region);
//   - with script, region.js fetches GET /regions?country=XX when the
//     country changes and puts the field in place;
//   - without script, a "show the states or regions" button re-renders the
//     form for the new country without checking anything (update=region);
//   - the form says which country its region field was for (region_for);
//     a submit whose country's field was never shown gets the field with a
//     prompt, never an error.

import (
	"errors"
	"net/http"
	"strings"

	"golang.org/x/text/language"

	"example.org/certportal/internal/geo"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/web"
)

// regionUpdate is the value of the no-script button that re-renders a form
// for the chosen country.
const regionUpdate = "region"

// regionChoice is the region part of a form page.
type regionChoice struct {
	// Regions are the subdivisions of the form's country (nil: none).
	Regions []geo.Subdivision
	// For is the country whose regions are shown ("" when none are).
	For string
	// Prompt asks for a region the person has not been shown before.
	Prompt bool
}

func newRegionChoice(country string) regionChoice {
	country = strings.ToUpper(strings.TrimSpace(country))
	regions := geo.Subdivisions(country)
	if len(regions) == 0 {
		country = ""
	}
	return regionChoice{Regions: regions, For: country}
}

// regionUnseen reports whether a submitted form's country needs a region
// that the page did not show: its region field was for another country, or
// there was none.
func regionUnseen(r *http.Request) bool {
	country := strings.ToUpper(strings.TrimSpace(r.PostForm.Get("country")))
	return len(geo.Subdivisions(country)) > 0 && strings.ToUpper(r.PostForm.Get("region_for")) != country
}

// withoutRegionError drops the region's field error from a validation
// error; the result is nil when nothing else was wrong.
func withoutRegionError(err error) error {
	var pe *portal.Error
	if !errors.As(err, &pe) || len(pe.Fields) == 0 {
		return err
	}
	rest := *pe
	rest.Fields = nil
	for _, fe := range pe.Fields {
		if fe.Field != "region" {
			rest.Fields = append(rest.Fields, fe)
		}
	}
	if len(rest.Fields) == 0 {
		return nil
	}
	return &rest
}

// browserCountry is the country of the first language of Accept-Language
// that names one ("es-ES" → ES), or "".
func browserCountry(r *http.Request) string {
	tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if err != nil {
		return ""
	}
	for _, t := range tags {
		if reg, conf := t.Region(); conf == language.Exact {
			if c, ok := geo.CountryByCode(reg.String()); ok {
				return c.Code
			}
		}
	}
	return ""
}

// regionsPage is the region field alone, for region.js.
type regionsPage struct {
	web.BasePage
	Form   *web.Form
	Region regionChoice
}

func (p *regionsPage) RegionField() *web.Field { return regionField(p.T, p.Form, p.Region) }

// handleRegions renders the region field for ?country= (empty for a
// country without subdivisions), for script to put into a form.
func (s *Pages) handleRegions(w http.ResponseWriter, r *http.Request) error {
	p := &regionsPage{Form: web.NewForm(), Region: newRegionChoice(r.URL.Query().Get("country"))}
	s.FillBase(r, &p.BasePage, "field.region")
	return s.RenderPart(w, r, "regions", p)
}
