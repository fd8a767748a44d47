package results

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// readAll reads every row of a file; it fails the test on anything but
// the end of the file or a problem of the file, and on a row whose
// problems name no reason.
func readAll(t *testing.T, format, body string) {
	src, err := newRowSource(format, &limitedReader{r: strings.NewReader(body), n: MaxImportBytes})
	if err != nil {
		t.Fatal(err)
	}
	for range MaxImportRows + 2 {
		pr, err := src.next()
		if errors.Is(err, io.EOF) {
			return
		}
		var fp *fileProblem
		if errors.As(err, &fp) {
			if fp.Message == "" {
				t.Fatalf("a file problem without a reason: %+v", fp)
			}
			return
		}
		if err != nil {
			t.Fatalf("next: %v, want a row, a file problem or the end", err)
		}
		for _, p := range pr.row.Problems {
			if p.Message == "" || p.Row != pr.num {
				t.Fatalf("row %d: problem %+v", pr.num, p)
			}
		}
	}
	t.Fatal("more rows than the limit allows")
}

func FuzzImportCSV(f *testing.F) {
	f.Add("login_id,exam_code,delivered_at,score,passed,domain:Design\nCP1,SAA-C03,2026-11-30T10:00:00Z,750,pass,meets\n")
	f.Add("\uFEFFemail,exam_code,booking_reference,score\na@example.org,SAA-C03,B1,\"7\"\"50\"\n")
	f.Add("login_id,exam_code,score,delivered_at\n\"unterminated\n")
	f.Add("login_id,exam_code,score,delivered_at,domain:\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, body string) { readAll(t, "csv", body) })
}

func FuzzImportJSON(f *testing.F) {
	f.Add(`[{"login_id":"CP1","exam_code":"SAA-C03","delivered_at":"2026-11-30T10:00:00Z","score":750,"domains":{"Design":"meets"}}]`)
	f.Add(`[{"score":{"a":[1,2]}}, 3, null, "x", {"domains": []}]`)
	f.Add(`[{"login_id":"CP1"`)
	f.Add(`{"not":"an array"}`)
	f.Add(`[] trailing`)
	f.Fuzz(func(t *testing.T, body string) { readAll(t, "json", body) })
}

// TestImportRowLimit: the row after MaxImportRows is a problem of the file.
func TestImportRowLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString("login_id,exam_code,score,delivered_at\n")
	for range MaxImportRows + 1 {
		b.WriteString("CP1,SAA-C03,750,2026-11-30T10:00:00Z\n")
	}
	src, err := newRowSource("csv", strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		_, err := src.next()
		var fp *fileProblem
		if errors.As(err, &fp) {
			if fp.Message != "results.import.too_many_rows" || n != MaxImportRows {
				t.Fatalf("after %d rows: %+v", n, fp)
			}
			return
		}
		if err != nil {
			t.Fatalf("after %d rows: %v", n, err)
		}
		n++
	}
}

// TestImportSizeLimit: a file over MaxImportBytes is a problem of the
// file, whatever it holds.
func TestImportSizeLimit(t *testing.T) {
	body := "login_id,exam_code,score,delivered_at\n" + strings.Repeat("x", MaxImportBytes)
	src, err := newRowSource("csv", &limitedReader{r: strings.NewReader(body), n: MaxImportBytes})
	if err != nil {
		t.Fatal(err)
	}
	_, err = src.next()
	var fp *fileProblem
	if !errors.As(err, &fp) || fp.Message != "results.import.too_large" {
		t.Fatalf("next = %v, want results.import.too_large", err)
	}
}
