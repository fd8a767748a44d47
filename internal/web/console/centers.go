package console

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"example.org/certportal/internal/centers"
	"example.org/certportal/internal/geo"
	"example.org/certportal/internal/i18n"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/web"
)

// Test centers in the console: the list for staff; creating, editing and
// importing them for staff with the permission (the centers service decides).

// importBodyLimit is the import upload's body limit: the largest file the
// service accepts plus room for the multipart envelope.
const importBodyLimit = centers.MaxImportBytes + 64<<10

type consoleCentersPage struct {
	web.BasePage
	Centers   []*portal.TestCenter
	Country   string
	Countries []web.Option // countries that have centers, for the filter
	CanManage bool
	names     map[string]string
}

// CountryName names a country in the page's language.
func (p *consoleCentersPage) CountryName(code string) string {
	if n, ok := p.names[code]; ok {
		return n
	}
	return code
}

// handleConsoleCenters lists the test centers, optionally of one country.
func (s *Pages) handleConsoleCenters(w http.ResponseWriter, r *http.Request) error {
	country := strings.ToUpper(strings.TrimSpace(r.URL.Query().Get("country")))
	all, err := s.Centers.Centers(r.Context(), centers.CenterFilter{})
	if err != nil {
		return err
	}
	p := &consoleCentersPage{Country: country, CanManage: s.Centers.MayManageCenters(web.Actor(r)) == nil}
	s.FillBase(r, &p.BasePage, "centers.title")
	p.names = countryNames(p.Lang)
	present := map[string]bool{}
	for _, c := range all {
		present[c.Country] = true
	}
	if country != "" {
		present[country] = true
	}
	for _, c := range geo.Countries(p.Lang) {
		if present[c.Code] {
			p.Countries = append(p.Countries, web.Option{Value: c.Code, Label: c.Name, Selected: c.Code == country})
		}
	}
	if country == "" {
		p.Centers = all
	} else if p.Centers, err = s.Centers.Centers(r.Context(), centers.CenterFilter{Country: country}); err != nil {
		return err
	}
	return s.Render(w, r, http.StatusOK, "console_centers", p)
}

func countryNames(lang string) map[string]string {
	out := map[string]string{}
	for _, c := range geo.Countries(lang) {
		out[c.Code] = c.Name
	}
	return out
}

type consoleCenterPage struct {
	web.BasePage
	Form      *web.Form
	Center    *portal.TestCenter // nil for a new center
	Countries []geo.Country
}

// CountryField is the form's country select.
func (p *consoleCenterPage) CountryField() web.Field {
	return centerCountryField(p.T, p.Form, p.Countries)
}

// Action is where the form posts.
func (p *consoleCenterPage) Action() string {
	if p.Center == nil {
		return "/console/centers"
	}
	return "/console/centers/" + strconv.FormatInt(p.Center.ID, 10)
}

func centerCountryField(t *i18n.Localizer, f *web.Form, countries []geo.Country) web.Field {
	fl := web.NewField(t, f, "country", "select", "centers.field.country", "placeholder=field.choose")
	for _, c := range countries {
		fl.Options = append(fl.Options, web.Option{Value: c.Code, Label: c.Name, Selected: strings.EqualFold(c.Code, fl.Value)})
	}
	return fl
}

var centerFields = []string{"code", "name", "address_line1", "address_line2", "city", "region", "postal_code", "country",
	"latitude", "longitude", "time_zone", "seats", "hours", "active"}

func (s *Pages) newCenterPage(r *http.Request, c *portal.TestCenter, f *web.Form) *consoleCenterPage {
	p := &consoleCenterPage{Form: f, Center: c}
	title := "centers.new_title"
	if c != nil {
		title = "centers.edit_title"
	}
	s.FillBase(r, &p.BasePage, title)
	p.Countries = geo.Countries(p.Lang)
	return p
}

// centerForm fills a form from a saved center.
func centerForm(c *portal.TestCenter) *web.Form {
	f := web.NewForm()
	for k, v := range map[string]string{
		"code": c.Code, "name": c.Name, "address_line1": c.AddressLine1, "address_line2": c.AddressLine2, "city": c.City,
		"region": c.Region, "postal_code": c.PostalCode, "country": c.Country,
		"latitude": strconv.FormatFloat(c.Latitude, 'f', -1, 64), "longitude": strconv.FormatFloat(c.Longitude, 'f', -1, 64),
		"time_zone": c.TimeZone, "seats": strconv.Itoa(c.Seats), "hours": c.Hours,
	} {
		f.Values[k] = v
	}
	if c.Active {
		f.Values["active"] = "on"
	}
	return f
}

// formCenter reads a center from a submitted form; numbers that do not
// parse become values the service refuses with a field error.
func formCenter(f *web.Form) portal.TestCenter {
	return portal.TestCenter{
		Code: f.Value("code"), Name: f.Value("name"), AddressLine1: f.Value("address_line1"),
		AddressLine2: f.Value("address_line2"), City: f.Value("city"), Region: f.Value("region"),
		PostalCode: f.Value("postal_code"), Country: f.Value("country"),
		Latitude: centers.ParseCoordinate(f.Value("latitude")), Longitude: centers.ParseCoordinate(f.Value("longitude")),
		TimeZone: f.Value("time_zone"), Seats: centers.ParseSeats(f.Value("seats")), Hours: f.Value("hours"),
		Active: f.Value("active") == "on",
	}
}

func (s *Pages) handleConsoleCenterNew(w http.ResponseWriter, r *http.Request) error {
	if err := s.Centers.MayManageCenters(web.Actor(r)); err != nil {
		return err
	}
	f := web.NewForm()
	f.Values["active"] = "on"
	return s.Render(w, r, http.StatusOK, "console_center", s.newCenterPage(r, nil, f))
}

func (s *Pages) handleConsoleCenterCreate(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(r); err != nil {
		return err
	}
	f := web.FormFrom(r, centerFields...)
	if _, err := s.Centers.CreateCenter(r.Context(), web.Actor(r), formCenter(f)); err != nil {
		p := s.newCenterPage(r, nil, f)
		if !s.ApplyError(&p.BasePage, f, err, "code") {
			return err
		}
		return s.Render(w, r, web.FormStatus(err), "console_center", p)
	}
	http.Redirect(w, r, web.WithNotice("/console/centers", noticeCenterSaved), http.StatusSeeOther)
	return nil
}

// centerID reads the {id} of the path; anything else is not found.
func centerID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, portal.ErrNotFound
	}
	return id, nil
}

func (s *Pages) handleConsoleCenterEdit(w http.ResponseWriter, r *http.Request) error {
	if err := s.Centers.MayManageCenters(web.Actor(r)); err != nil {
		return err
	}
	id, err := centerID(r)
	if err != nil {
		return err
	}
	c, err := s.Centers.Center(r.Context(), id)
	if err != nil {
		return err
	}
	return s.Render(w, r, http.StatusOK, "console_center", s.newCenterPage(r, c, centerForm(c)))
}

func (s *Pages) handleConsoleCenterUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := centerID(r)
	if err != nil {
		return err
	}
	if err := web.ParseForm(r); err != nil {
		return err
	}
	f := web.FormFrom(r, centerFields...)
	c := formCenter(f)
	c.ID = id
	if _, err := s.Centers.UpdateCenter(r.Context(), web.Actor(r), c); err != nil {
		cur, cerr := s.Centers.Center(r.Context(), id)
		if cerr != nil {
			return err
		}
		p := s.newCenterPage(r, cur, f)
		if !s.ApplyError(&p.BasePage, f, err, "name") {
			return err
		}
		return s.Render(w, r, web.FormStatus(err), "console_center", p)
	}
	http.Redirect(w, r, web.WithNotice("/console/centers", noticeCenterSaved), http.StatusSeeOther)
	return nil
}

type consoleCentersImportPage struct {
	web.BasePage
	Form     *web.Form
	Columns  []string
	Example  string
	Report   *centers.ImportReport
	Problems []importProblem
}

// importProblem is one line of the report table, translated.
type importProblem struct {
	Line    int
	Code    string
	Field   string
	Message string
}

func (s *Pages) newImportPage(r *http.Request) *consoleCentersImportPage {
	p := &consoleCentersImportPage{Form: web.NewForm(), Columns: centers.CenterColumns, Example: centers.ExampleCentersCSV}
	s.FillBase(r, &p.BasePage, "centers.import.title")
	return p
}

func (s *Pages) handleConsoleCentersImportForm(w http.ResponseWriter, r *http.Request) error {
	if err := s.Centers.MayManageCenters(web.Actor(r)); err != nil {
		return err
	}
	return s.Render(w, r, http.StatusOK, "console_centers_import", s.newImportPage(r))
}

// handleConsoleCentersImport reads the uploaded file (the route limits
// the body) and shows the service's report: the problems, or the counts.
func (s *Pages) handleConsoleCentersImport(w http.ResponseWriter, r *http.Request) error {
	if err := s.Centers.MayManageCenters(web.Actor(r)); err != nil {
		return err
	}
	p := s.newImportPage(r)
	err := r.ParseMultipartForm(centers.MaxImportBytes)
	var maxErr *http.MaxBytesError
	switch {
	case errors.As(err, &maxErr):
		p.Report = &centers.ImportReport{Errors: []centers.RowError{{Line: 1, Message: "centers.import.too_large",
			Data: map[string]any{"MaxMiB": centers.MaxImportBytes >> 20}}}}
		p.fillProblems()
		return s.Render(w, r, http.StatusRequestEntityTooLarge, "console_centers_import", p)
	case err != nil:
		return web.ErrBadRequest
	}
	defer func() { _ = r.MultipartForm.RemoveAll() }()
	file, _, err := r.FormFile("file")
	if errors.Is(err, http.ErrMissingFile) {
		p.Form.SetError("file", p.T.T("centers.import.no_file", nil))
		p.Errors = append(p.Errors, web.SummaryItem{Field: "file", Message: p.Form.Error("file")})
		return s.Render(w, r, http.StatusUnprocessableEntity, "console_centers_import", p)
	}
	if err != nil {
		return web.ErrBadRequest
	}
	defer func() { _ = file.Close() }()
	rep, err := s.Centers.ImportCenters(r.Context(), web.Actor(r), file)
	if err != nil {
		return err
	}
	p.Report = rep
	p.fillProblems()
	status := http.StatusOK
	if len(rep.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return s.Render(w, r, status, "console_centers_import", p)
}

func (p *consoleCentersImportPage) fillProblems() {
	for _, e := range p.Report.Errors {
		p.Problems = append(p.Problems, importProblem{Line: e.Line, Code: e.Code, Field: e.Field, Message: p.T.T(e.Message, e.Data)})
	}
}

// handleConsoleCentersExample downloads a two-row example import file.
func (s *Pages) handleConsoleCentersExample(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="test-centers-example.csv"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(centers.ExampleCentersCSV)))
	_, err := w.Write([]byte(centers.ExampleCentersCSV))
	return err
}
