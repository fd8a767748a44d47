// Package csvsafe writes CSV that spreadsheets open as data: a cell that
// starts with =, +, -, @, a tab or a carriage return gets a leading
// apostrophe, so it is shown as text instead of run as a formula. Every
// export writes through it.
package csvsafe

import (
	"encoding/csv"
	"io"
)

// Writer is an encoding/csv writer that neutralises formula cells.
type Writer struct {
	w *csv.Writer
}

// NewWriter returns a writer to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: csv.NewWriter(w)} }

// Write writes one record, neutralising each cell.
func (w *Writer) Write(record []string) error {
	out := make([]string, len(record))
	for i, c := range record {
		out[i] = Cell(c)
	}
	return w.w.Write(out)
}

// Flush writes buffered data and returns any error so far.
func (w *Writer) Flush() error {
	w.w.Flush()
	return w.w.Error()
}

// Cell is c as a spreadsheet will show it as text.
func Cell(c string) string {
	if c == "" {
		return c
	}
	switch c[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + c
	}
	return c
}
