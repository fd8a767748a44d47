package results

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// Import limits: a file of at most MaxImportRows data rows and
// MaxImportBytes bytes.
const (
	MaxImportRows  = 50_000
	MaxImportBytes = 20 << 20
)

// ImportColumns are the columns of a results file (CSV header names, JSON
// keys), besides the domain bands: CSV columns named DomainColumnPrefix
// followed by the domain's name, or a JSON object under "domains".
var ImportColumns = []string{FieldLogin, FieldEmail, FieldExam, FieldBooking, FieldTakenAt, FieldScore, FieldPassed}

// DomainColumnPrefix starts the CSV column of a domain's band.
const DomainColumnPrefix = "domain:"

// maxProblemValue is how much of a bad value a problem quotes.
const maxProblemValue = 100

// RowProblem is one problem of an import: the row (the CSV line, the
// JSON array's element counted from 1; 0 for the file itself), the
// column, the value as the file had it (cut short), and the reason as a
// catalog message ID with its placeholders.
type RowProblem struct {
	Row     int            `json:"row"`
	Column  string         `json:"column,omitempty"`
	Value   string         `json:"value,omitempty"`
	Message string         `json:"message"`
	Data    map[string]any `json:"data,omitempty"`
}

// stagedRow is a row as parsed: its cells by column, its domain bands in
// file order, and what was wrong with it already while parsing. It is
// stored as JSON and checked from there.
type stagedRow struct {
	Cells    map[string]string `json:"cells"`
	Domains  []DomainBand      `json:"domains,omitempty"`
	Problems []RowProblem      `json:"problems,omitempty"`
}

// parsedRow is a staged row and its number.
type parsedRow struct {
	num int
	row stagedRow
}

// fileProblem stops reading a file: a problem with the file as a whole
// (malformed, too large, too many rows, a bad header).
type fileProblem struct{ RowProblem }

func (p *fileProblem) Error() string { return "results: import file: " + p.Message }

func problemAt(row int, column, message string, data map[string]any) *fileProblem {
	return &fileProblem{RowProblem{Row: row, Column: column, Message: message, Data: data}}
}

// rowSource yields a file's rows one at a time; io.EOF at the end, a
// *fileProblem when the file cannot be read further, any other error
// when the upload itself failed.
type rowSource interface {
	next() (parsedRow, error)
}

// errTooLarge is returned by the limited reader past MaxImportBytes.
var errTooLarge = errors.New("results: import file too large")

// limitedReader fails with errTooLarge once more than n bytes were read.
type limitedReader struct {
	r io.Reader
	n int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n < 0 {
		return 0, errTooLarge
	}
	if int64(len(p)) > l.n+1 {
		p = p[:l.n+1]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	if l.n < 0 {
		return n, errTooLarge
	}
	return n, err
}

// readError turns a reader's error into a file problem where it is one.
func readError(err error, row int) error {
	if errors.Is(err, errTooLarge) {
		return problemAt(0, "", "results.import.too_large", map[string]any{"MaxMiB": MaxImportBytes >> 20})
	}
	return err
}

// cut shortens a quoted value to maxProblemValue runes, on a rune
// boundary, and replaces invalid UTF-8.
func cut(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) <= maxProblemValue {
		return s
	}
	r := []rune(s)
	return string(r[:maxProblemValue]) + "…"
}

// newRowSource reads a file of the format.
func newRowSource(format string, r io.Reader) (rowSource, error) {
	switch format {
	case "csv":
		return newCSVSource(r)
	case "json":
		return newJSONSource(r), nil
	}
	return nil, fmt.Errorf("results: import format %q", format)
}

// csvSource reads CSV: a header naming the columns in any order, then one
// result per record. Blank records are skipped.
type csvSource struct {
	cr      *csv.Reader
	header  []string // column of each field; "" for a domain column
	domains []string // domain name of each field, "" for others
	rows    int
	started bool
}

func newCSVSource(r io.Reader) (*csvSource, error) {
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte("\uFEFF")) {
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	return &csvSource{cr: cr}, nil
}

func (s *csvSource) readHeader() error {
	rec, err := s.cr.Read()
	if errors.Is(err, io.EOF) {
		return problemAt(0, "", "results.import.empty", nil)
	}
	if err != nil {
		return s.malformed(err)
	}
	seen := map[string]bool{}
	for _, raw := range rec {
		name := strings.ToLower(strings.TrimSpace(raw))
		name = strings.TrimPrefix(name, "\uFEFF")
		domain := ""
		switch {
		case strings.HasPrefix(name, DomainColumnPrefix):
			domain = strings.TrimSpace(raw[strings.Index(strings.ToLower(raw), DomainColumnPrefix)+len(DomainColumnPrefix):])
			if domain == "" {
				return problemAt(1, cut(raw), "results.import.unknown_column", map[string]any{"Column": cut(raw)})
			}
		case !slices.Contains(ImportColumns, name):
			return problemAt(1, cut(raw), "results.import.unknown_column", map[string]any{"Column": cut(raw)})
		}
		if seen[name] {
			return problemAt(1, cut(raw), "results.import.repeated_column", map[string]any{"Column": cut(raw)})
		}
		seen[name] = true
		if domain != "" {
			name = ""
		}
		s.header = append(s.header, name)
		s.domains = append(s.domains, domain)
	}
	for _, need := range [][]string{{FieldLogin, FieldEmail}, {FieldExam}, {FieldScore}, {FieldTakenAt, FieldBooking}} {
		if !slices.ContainsFunc(need, func(c string) bool { return seen[c] }) {
			return problemAt(1, need[0], "results.import.missing_column", map[string]any{"Column": strings.Join(need, " / ")})
		}
	}
	return nil
}

// malformed is the file problem of a CSV syntax error, at its line.
func (s *csvSource) malformed(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return problemAt(pe.StartLine, "", "results.import.malformed_csv", map[string]any{"Line": pe.Line})
	}
	return readError(err, 0)
}

func (s *csvSource) next() (parsedRow, error) {
	if !s.started {
		s.started = true
		if err := s.readHeader(); err != nil {
			return parsedRow{}, err
		}
	}
	for {
		rec, err := s.cr.Read()
		if errors.Is(err, io.EOF) {
			if s.rows == 0 {
				return parsedRow{}, problemAt(2, "", "results.import.no_rows", nil)
			}
			return parsedRow{}, io.EOF
		}
		if err != nil {
			return parsedRow{}, s.malformed(err)
		}
		line, _ := s.cr.FieldPos(0)
		if blankRecord(rec) {
			continue
		}
		s.rows++
		if s.rows > MaxImportRows {
			return parsedRow{}, problemAt(line, "", "results.import.too_many_rows", map[string]any{"Count": MaxImportRows})
		}
		row := stagedRow{Cells: map[string]string{}}
		if len(rec) != len(s.header) {
			row.Problems = append(row.Problems, RowProblem{Row: line, Message: "results.import.column_count",
				Data: map[string]any{"Count": len(rec), "Want": len(s.header)}})
			return parsedRow{num: line, row: row}, nil
		}
		for i, v := range rec {
			if d := s.domains[i]; d != "" {
				if v = strings.TrimSpace(v); v != "" {
					row.Domains = append(row.Domains, DomainBand{Name: d, Band: strings.ToLower(v)})
				}
				continue
			}
			if v = strings.TrimSpace(v); v != "" {
				row.Cells[s.header[i]] = v
			}
		}
		return parsedRow{num: line, row: row}, nil
	}
}

func blankRecord(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// jsonSource reads a JSON array of objects token by token: each element
// is decoded on its own, so memory holds one row at a time.
type jsonSource struct {
	dec     *json.Decoder
	rows    int
	started bool
	done    bool
}

func newJSONSource(r io.Reader) *jsonSource {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	return &jsonSource{dec: dec}
}

func (s *jsonSource) malformed(err error) error {
	if errors.Is(err, errTooLarge) {
		return readError(err, 0)
	}
	var se *json.SyntaxError
	var ue *json.UnmarshalTypeError
	if errors.As(err, &se) || errors.As(err, &ue) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return problemAt(s.rows+1, "", "results.import.malformed_json", map[string]any{"Offset": s.dec.InputOffset()})
	}
	return err
}

func (s *jsonSource) next() (parsedRow, error) {
	if s.done {
		return parsedRow{}, io.EOF
	}
	if !s.started {
		s.started = true
		tok, err := s.dec.Token()
		if errors.Is(err, io.EOF) {
			return parsedRow{}, problemAt(0, "", "results.import.empty", nil)
		}
		if err != nil {
			return parsedRow{}, s.malformed(err)
		}
		if d, ok := tok.(json.Delim); !ok || d != '[' {
			return parsedRow{}, problemAt(0, "", "results.import.not_array", nil)
		}
	}
	if !s.dec.More() {
		if _, err := s.dec.Token(); err != nil { // the closing bracket
			return parsedRow{}, s.malformed(err)
		}
		if _, err := s.dec.Token(); !errors.Is(err, io.EOF) {
			if err == nil {
				return parsedRow{}, problemAt(s.rows+1, "", "results.import.malformed_json", map[string]any{"Offset": s.dec.InputOffset()})
			}
			return parsedRow{}, s.malformed(err)
		}
		s.done = true
		if s.rows == 0 {
			return parsedRow{}, problemAt(1, "", "results.import.no_rows", nil)
		}
		return parsedRow{}, io.EOF
	}
	var raw json.RawMessage
	if err := s.dec.Decode(&raw); err != nil {
		return parsedRow{}, s.malformed(err)
	}
	s.rows++
	if s.rows > MaxImportRows {
		return parsedRow{}, problemAt(s.rows, "", "results.import.too_many_rows", map[string]any{"Count": MaxImportRows})
	}
	return parsedRow{num: s.rows, row: jsonRow(s.rows, raw)}, nil
}

// jsonRow reads one element: an object of the import's columns (strings,
// numbers, booleans or null) and "domains", an object of bands.
func jsonRow(num int, raw json.RawMessage) stagedRow {
	row := stagedRow{Cells: map[string]string{}}
	var obj map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil || obj == nil {
		row.Problems = append(row.Problems, RowProblem{Row: num, Value: cut(string(raw)), Message: "results.import.not_object"})
		return row
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := obj[k]
		if k == FieldDomains {
			row.Domains, row.Problems = jsonDomains(num, v, row.Problems)
			continue
		}
		if !slices.Contains(ImportColumns, k) {
			row.Problems = append(row.Problems, RowProblem{Row: num, Column: cut(k), Message: "results.import.unknown_column",
				Data: map[string]any{"Column": cut(k)}})
			continue
		}
		s, ok := jsonScalar(v)
		if !ok {
			row.Problems = append(row.Problems, RowProblem{Row: num, Column: k, Value: cut(string(v)), Message: "results.import.bad_value"})
			continue
		}
		if s = strings.TrimSpace(s); s != "" {
			row.Cells[k] = s
		}
	}
	return row
}

// jsonScalar is a string, number or boolean as its text; null is empty.
func jsonScalar(v json.RawMessage) (string, bool) {
	var x any
	dec := json.NewDecoder(bytes.NewReader(v))
	dec.UseNumber()
	if err := dec.Decode(&x); err != nil {
		return "", false
	}
	switch t := x.(type) {
	case nil:
		return "", true
	case string:
		return t, true
	case json.Number:
		return t.String(), true
	case bool:
		if t {
			return "true", true
		}
		return "false", true
	}
	return "", false
}

// jsonDomains reads {"<domain>": "<band>", ...} in name order.
func jsonDomains(num int, v json.RawMessage, problems []RowProblem) ([]DomainBand, []RowProblem) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(v, &m); err != nil {
		if string(bytes.TrimSpace(v)) == "null" {
			return nil, problems
		}
		return nil, append(problems, RowProblem{Row: num, Column: FieldDomains, Value: cut(string(v)), Message: "results.import.bad_value"})
	}
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	slices.Sort(names)
	var out []DomainBand
	for _, name := range names {
		band, ok := jsonScalar(m[name])
		if !ok {
			problems = append(problems, RowProblem{Row: num, Column: FieldDomains, Value: cut(name + ": " + string(m[name])),
				Message: "results.import.bad_value"})
			continue
		}
		if band = strings.ToLower(strings.TrimSpace(band)); band != "" {
			out = append(out, DomainBand{Name: name, Band: band})
		}
	}
	return out, problems
}
