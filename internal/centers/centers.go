package centers

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"example.org/certportal/internal/geo"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// Test centers: reading them is open to anyone (the search lists them);
// creating, editing and importing them needs PermCentersManage (the
// system always may), and anyone else is refused by Actor.Authorize. Invalid input is an invalid
// *portal.Error whose Fields name the form fields (the CSV columns).

// CenterFilter selects centers; an alias so that callers above the store
// (web, api) need not import it.
type CenterFilter = store.CenterFilter

// MayManageCenters refuses unless actor may create, edit and import
// centers (PermCentersManage; the system always may). Pages call it to
// refuse before showing a form; the methods that change centers check it
// themselves.
func (s *Service) MayManageCenters(actor portal.Actor) error {
	return actor.Authorize(portal.PermCentersManage)
}

// Centers lists test centers ordered by country, city and name.
func (s *Service) Centers(ctx context.Context, f store.CenterFilter) ([]*portal.TestCenter, error) {
	f.Country = strings.ToUpper(strings.TrimSpace(f.Country))
	return s.st.ListCenters(ctx, f)
}

// Center returns one test center, or portal.ErrNotFound.
func (s *Service) Center(ctx context.Context, id int64) (*portal.TestCenter, error) {
	return s.st.GetCenter(ctx, id)
}

// CreateCenter adds a test center (PermCentersManage). A code already in use is a
// conflict with a field error on code.
func (s *Service) CreateCenter(ctx context.Context, actor portal.Actor, c portal.TestCenter) (*portal.TestCenter, error) {
	if err := s.MayManageCenters(actor); err != nil {
		return nil, err
	}
	if err := ValidateCenter(&c); err != nil {
		return nil, err
	}
	var out *portal.TestCenter
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		var err error
		if out, err = tx.CreateCenter(ctx, c); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "scheduling.center_created", centerSubject(c.Code), "")
	})
	if errors.Is(err, portal.ErrConflict) {
		return nil, errCodeTaken
	}
	if err != nil {
		return nil, err
	}
	// Offer the new center's sessions at once rather than at the next
	// periodic run.
	if out.Active {
		now := s.clock.Now()
		if _, err := s.generateCenterSlots(ctx, out, now, now.Add(s.cfg.Horizon+24*time.Hour)); err != nil {
			return out, err
		}
	}
	return out, nil
}

var errCodeTaken = &portal.Error{Code: portal.EConflict, Message: "centers.code_taken",
	Fields: []portal.FieldError{{Field: "code", Message: "centers.code_taken"}}}

// UpdateCenter saves every field of the center c.ID names but its code,
// which never changes (slots and bookings refer to the center by it in
// mails and reports). Needs PermCentersManage.
func (s *Service) UpdateCenter(ctx context.Context, actor portal.Actor, c portal.TestCenter) (*portal.TestCenter, error) {
	if err := s.MayManageCenters(actor); err != nil {
		return nil, err
	}
	cur, err := s.st.GetCenter(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	c.Code = cur.Code
	if err := ValidateCenter(&c); err != nil {
		return nil, err
	}
	var out *portal.TestCenter
	err = s.st.Transact(ctx, func(tx *store.Tx) error {
		before, err := tx.LockCenter(ctx, c.ID)
		if err != nil {
			return err
		}
		if out, err = tx.UpdateCenter(ctx, c); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "scheduling.center_updated", centerSubject(c.Code), "", portal.Diff(before, out)...)
	})
	return out, err
}

func centerSubject(code string) string { return "center:" + code }

var centerCode = regexp.MustCompile(`^[A-Z0-9]{2,10}(-[A-Z0-9]{1,10})?$`)

// Length limits of a center's text fields, in characters.
const (
	maxCenterName    = 200
	maxCenterAddress = 200
	maxCenterCity    = 100
	maxCenterPostal  = 20
	maxCenterHours   = 200
	minCenterSeats   = 1
	maxCenterSeats   = 500
)

// ValidateCenter normalises c (trims every text, upper-cases the code,
// country and region) and checks it. It returns nil or an invalid
// *portal.Error with one field error per bad field, named like the form
// fields and the CSV columns.
func ValidateCenter(c *portal.TestCenter) error {
	var v portal.Validation
	c.Code = strings.ToUpper(strings.TrimSpace(c.Code))
	c.Name = strings.TrimSpace(c.Name)
	c.AddressLine1 = strings.TrimSpace(c.AddressLine1)
	c.AddressLine2 = strings.TrimSpace(c.AddressLine2)
	c.City = strings.TrimSpace(c.City)
	c.Region = strings.ToUpper(strings.TrimSpace(c.Region))
	c.PostalCode = strings.TrimSpace(c.PostalCode)
	c.Country = strings.ToUpper(strings.TrimSpace(c.Country))
	c.TimeZone = strings.TrimSpace(c.TimeZone)
	c.Hours = strings.TrimSpace(c.Hours)

	if !centerCode.MatchString(c.Code) {
		v.Add("code", "centers.invalid_code", nil)
	}
	if n := utf8.RuneCountInString(c.Name); n == 0 || n > maxCenterName {
		v.Add("name", "centers.invalid_name", map[string]any{"Count": maxCenterName})
	}
	if c.AddressLine1 == "" {
		v.Add("address_line1", "centers.address_required", nil)
	}
	tooLong := func(field, value string, max int) {
		if !v.Has(field) && utf8.RuneCountInString(value) > max {
			v.Add(field, "centers.too_long", map[string]any{"Count": max})
		}
	}
	tooLong("address_line1", c.AddressLine1, maxCenterAddress)
	tooLong("address_line2", c.AddressLine2, maxCenterAddress)
	if c.City == "" {
		v.Add("city", "centers.city_required", nil)
	}
	tooLong("city", c.City, maxCenterCity)
	tooLong("postal_code", c.PostalCode, maxCenterPostal)
	if _, ok := geo.CountryByCode(c.Country); !ok {
		v.Add("country", "centers.invalid_country", nil)
	} else if c.Region != "" && !geo.ValidRegion(c.Country, c.Region) {
		v.Add("region", "centers.invalid_region", nil)
	}
	if math.IsNaN(c.Latitude) || c.Latitude < -90 || c.Latitude > 90 {
		v.Add("latitude", "centers.invalid_latitude", nil)
	}
	if math.IsNaN(c.Longitude) || c.Longitude < -180 || c.Longitude > 180 {
		v.Add("longitude", "centers.invalid_longitude", nil)
	}
	if !validTimeZone(c.TimeZone) {
		v.Add("time_zone", "centers.invalid_time_zone", nil)
	}
	if c.Seats < minCenterSeats || c.Seats > maxCenterSeats {
		v.Add("seats", "centers.invalid_seats", map[string]any{"Min": minCenterSeats, "Count": maxCenterSeats})
	}
	if len(c.Hours) > maxCenterHours {
		v.Add("hours", "centers.too_long", map[string]any{"Count": maxCenterHours})
	} else if _, err := ParseHours(c.Hours); err != nil {
		v.Add("hours", "centers.invalid_hours", map[string]any{"Detail": err.Error()})
	}
	return v.Err()
}

// validTimeZone accepts "UTC" and IANA zone names of the Area/Location
// form the time zone database knows; it refuses "Local" and abbreviations
// such as "EST", whose meaning depends on the server.
func validTimeZone(name string) bool {
	if name != "UTC" && !strings.Contains(name, "/") {
		return false
	}
	if len(name) > 64 {
		return false
	}
	_, err := time.LoadLocation(name)
	return err == nil
}

// Import limits. The web handler refuses larger uploads before reading
// them; ImportCenters refuses them too, for any other caller.
const (
	MaxImportBytes = 2 << 20
	MaxImportRows  = 5000
)

// CenterColumns are the columns of a center import, in the order the
// example file uses. OptionalCenterColumns may be left out of the header.
var (
	CenterColumns = []string{"code", "name", "address_line1", "address_line2", "city", "region", "postal_code",
		"country", "latitude", "longitude", "time_zone", "seats", "hours", "active"}
	OptionalCenterColumns = []string{"address_line2", "region", "postal_code", "active"}
)

// ImportReport is the outcome of a center import. When Errors is not
// empty nothing was saved and Created and Updated are zero.
type ImportReport struct {
	Rows             int // data rows read, the header not counted
	Created, Updated int
	Errors           []RowError
}

// RowError is one problem of an import, at a line of the file (the header
// is line 1). Code is the row's center code and Field its column, when
// known. Message is a catalog message ID and Data its placeholders.
type RowError struct {
	Line    int
	Code    string
	Field   string
	Message string
	Data    map[string]any
}

// importRow is a validated row and what it becomes.
type importRow struct {
	line   int
	center portal.TestCenter
	exists bool // the code is taken: the row updates that center
}

// ImportCenters reads a CSV file of centers (UTF-8, a header naming the
// columns in any order; see CenterColumns) and creates the centers whose
// code is new and updates the others. It is all or nothing: every row is
// checked first, and if any has a problem the report lists them all and
// nothing is saved; otherwise every row is saved, and audited, in one
// transaction. Problems with the file itself (too large, too many rows,
// malformed CSV, a bad header) are report errors too; the error return is
// for forbidden and internal errors only.
//
// When updating, a column left out of the header keeps the center's
// current value; an empty cell clears an optional text field. An empty or
// absent active is true for a new center and unchanged for an existing
// one.
func (s *Service) ImportCenters(ctx context.Context, actor portal.Actor, r io.Reader) (*ImportReport, error) {
	if err := s.MayManageCenters(actor); err != nil {
		return nil, err
	}
	rep := &ImportReport{}
	data, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return nil, fmt.Errorf("centers: read center import: %w", err)
	}
	if len(data) > MaxImportBytes {
		rep.Errors = append(rep.Errors, RowError{Line: 1, Message: "centers.import.too_large", Data: map[string]any{"MaxMiB": MaxImportBytes >> 20}})
		return rep, nil
	}
	existing, err := s.st.ListCenters(ctx, store.CenterFilter{})
	if err != nil {
		return nil, err
	}
	byCode := make(map[string]*portal.TestCenter, len(existing))
	for _, c := range existing {
		byCode[c.Code] = c
	}
	rows := readCenterRows(data, byCode, rep)
	if len(rep.Errors) > 0 {
		return rep, nil
	}

	err = s.st.Transact(ctx, func(tx *store.Tx) error {
		rep.Created, rep.Updated = 0, 0
		for _, row := range rows {
			cur, err := tx.FindCenterByCode(ctx, row.center.Code)
			switch {
			case errors.Is(err, portal.ErrNotFound):
				if row.exists {
					return errImportRace
				}
				if _, err := tx.CreateCenter(ctx, row.center); err != nil {
					return err
				}
				rep.Created++
				if err := audit(ctx, tx, actor, "scheduling.center_created", centerSubject(row.center.Code), "import"); err != nil {
					return err
				}
			case err != nil:
				return err
			default:
				if !row.exists {
					return errImportRace
				}
				c := row.center
				c.ID = cur.ID
				before, err := tx.LockCenter(ctx, cur.ID)
				if err != nil {
					return err
				}
				after, err := tx.UpdateCenter(ctx, c)
				if err != nil {
					return err
				}
				rep.Updated++
				if err := audit(ctx, tx, actor, "scheduling.center_updated", centerSubject(row.center.Code), "import", portal.Diff(before, after)...); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if errors.Is(err, errImportRace) || errors.Is(err, portal.ErrConflict) {
		return nil, errImportRace
	}
	if err != nil {
		rep.Created, rep.Updated = 0, 0
		return nil, err
	}
	if rep.Created > 0 {
		if _, err := s.GenerateSlots(ctx); err != nil {
			s.log.WarnContext(ctx, "generate slots after import", "err", err)
		}
	}
	return rep, nil
}

// errImportRace: a center the file names was created by someone else while
// the file was being checked; nothing was saved.
var errImportRace = &portal.Error{Code: portal.EConflict, Message: "centers.import.changed"}

// readCenterRows parses and checks the file, adding every problem to
// rep.Errors. It returns the rows ready to save.
func readCenterRows(data []byte, byCode map[string]*portal.TestCenter, rep *ImportReport) []importRow {
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1 // counted below, per row, with a clearer message

	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		rep.Errors = append(rep.Errors, RowError{Line: 1, Message: "centers.import.empty"})
		return nil
	}
	if err != nil {
		rep.Errors = append(rep.Errors, malformed(err))
		return nil
	}
	cols, herr := readHeader(header)
	if herr != nil {
		rep.Errors = append(rep.Errors, *herr)
		return nil
	}

	var rows []importRow
	seen := map[string]int{} // code -> first line
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			rep.Errors = append(rep.Errors, malformed(err))
			return nil
		}
		line, _ := cr.FieldPos(0)
		if blank(rec) {
			continue // spreadsheets export empty rows as ",,,"
		}
		rep.Rows++
		if rep.Rows > MaxImportRows {
			rep.Rows--
			rep.Errors = []RowError{{Line: line, Message: "centers.import.too_many_rows", Data: map[string]any{"Count": MaxImportRows}}}
			return nil
		}
		if len(rec) != len(header) {
			rep.Errors = append(rep.Errors, RowError{Line: line, Message: "centers.import.column_count",
				Data: map[string]any{"Count": len(rec), "Want": len(header)}})
			continue
		}
		row, errs := readCenterRow(line, rec, cols, byCode)
		if code := row.center.Code; code != "" {
			if first, dup := seen[code]; dup {
				errs = append(errs, RowError{Line: line, Code: code, Field: "code", Message: "centers.import.duplicate_code",
					Data: map[string]any{"Line": first}})
			} else {
				seen[code] = line
			}
		}
		if len(errs) > 0 {
			rep.Errors = append(rep.Errors, errs...)
			continue
		}
		rows = append(rows, row)
	}
	if rep.Rows == 0 && len(rep.Errors) == 0 {
		rep.Errors = append(rep.Errors, RowError{Line: 2, Message: "centers.import.no_rows"})
	}
	return rows
}

// readHeader maps column names to their index, or returns the one error
// that names every missing, unknown and repeated column.
func readHeader(header []string) (map[string]int, *RowError) {
	known := map[string]bool{}
	for _, c := range CenterColumns {
		known[c] = true
	}
	cols := map[string]int{}
	var unknown, repeated []string
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		switch {
		case !known[name]:
			if name == "" {
				name = `""`
			}
			unknown = append(unknown, name)
		case hasKey(cols, name):
			repeated = append(repeated, name)
		default:
			cols[name] = i
		}
	}
	var missing []string
	for _, c := range CenterColumns {
		if !hasKey(cols, c) && !isOptionalColumn(c) {
			missing = append(missing, c)
		}
	}
	if len(missing)+len(unknown)+len(repeated) == 0 {
		return cols, nil
	}
	return nil, &RowError{Line: 1, Message: "centers.import.bad_header", Data: map[string]any{
		"Missing": strings.Join(missing, ", "), "Unknown": strings.Join(unknown, ", "), "Repeated": strings.Join(repeated, ", "),
	}}
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

func hasKey(m map[string]int, k string) bool { _, ok := m[k]; return ok }

func isOptionalColumn(c string) bool {
	for _, o := range OptionalCenterColumns {
		if o == c {
			return true
		}
	}
	return false
}

// readCenterRow turns one record into a center, merged with the current
// center of the same code, and validates it.
func readCenterRow(line int, rec []string, cols map[string]int, byCode map[string]*portal.TestCenter) (importRow, []RowError) {
	var errs []RowError
	for _, name := range CenterColumns {
		i, ok := cols[name]
		if ok && !utf8.ValidString(rec[i]) {
			errs = append(errs, RowError{Line: line, Field: name, Message: "centers.import.not_utf8"})
			rec[i] = strings.ToValidUTF8(rec[i], "\uFFFD")
		}
	}
	get := func(name string) (string, bool) {
		i, ok := cols[name]
		if !ok {
			return "", false
		}
		return strings.TrimSpace(rec[i]), true
	}
	code, _ := get("code")
	row := importRow{line: line}
	c := portal.TestCenter{Active: true}
	if cur, ok := byCode[strings.ToUpper(code)]; ok {
		c, row.exists = *cur, true
	}
	set := func(dst *string, name string) {
		if v, ok := get(name); ok {
			*dst = v
		}
	}
	set(&c.Code, "code")
	set(&c.Name, "name")
	set(&c.AddressLine1, "address_line1")
	set(&c.AddressLine2, "address_line2")
	set(&c.City, "city")
	set(&c.Region, "region")
	set(&c.PostalCode, "postal_code")
	set(&c.Country, "country")
	set(&c.TimeZone, "time_zone")
	set(&c.Hours, "hours")
	lat, _ := get("latitude")
	lon, _ := get("longitude")
	c.Latitude, c.Longitude = ParseCoordinate(lat), ParseCoordinate(lon)
	seats, _ := get("seats")
	c.Seats = ParseSeats(seats)
	var activeErr *RowError
	if v, _ := get("active"); v != "" {
		active, ok := ParseActive(v)
		if ok {
			c.Active = active
		} else {
			activeErr = &RowError{Line: line, Field: "active", Message: "centers.import.invalid_active", Data: map[string]any{"Value": v}}
		}
	}
	err := ValidateCenter(&c)
	row.center = c
	var pe *portal.Error
	if errors.As(err, &pe) {
		for _, fe := range pe.Fields {
			errs = append(errs, RowError{Line: line, Code: c.Code, Field: fe.Field, Message: fe.Message, Data: fe.Data})
		}
	}
	if activeErr != nil {
		errs = append(errs, *activeErr)
	}
	for i := range errs {
		errs[i].Code = c.Code
	}
	return row, errs
}

// malformed reports a CSV syntax error at its line.
func malformed(err error) RowError {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return RowError{Line: pe.Line, Message: "centers.import.malformed", Data: map[string]any{"Detail": pe.Err.Error()}}
	}
	return RowError{Line: 1, Message: "centers.import.malformed", Data: map[string]any{"Detail": err.Error()}}
}

// ParseCoordinate reads a latitude or longitude with a decimal point; text
// that is not a number is NaN, which ValidateCenter refuses.
func ParseCoordinate(s string) float64 {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return math.NaN()
	}
	return f
}

// ParseSeats reads a seat count; text that is not a whole number is 0,
// which ValidateCenter refuses.
func ParseSeats(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0
	}
	return n
}

// ParseActive reads true/false, yes/no or 1/0 in any case.
func ParseActive(s string) (active, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "1":
		return true, true
	case "false", "no", "0":
		return false, true
	}
	return false, false
}

// ExampleCentersCSV is a two-row sample import file.
const ExampleCentersCSV = `code,name,address_line1,address_line2,city,region,postal_code,country,latitude,longitude,time_zone,seats,hours,active
SEA-01,Seattle Downtown Test Center,1200 5th Ave,Suite 400,Seattle,US-WA,98101,US,47.6085,-122.3331,America/Los_Angeles,24,mon-fri 08:00-21:00; sat 09:00-17:00,true
MAD-01,Centro de Exámenes Madrid,Calle de Alcalá 45,,Madrid,ES-M,28014,ES,40.4189,-3.6969,Europe/Madrid,16,mon-fri 09:00-20:00,yes
`
