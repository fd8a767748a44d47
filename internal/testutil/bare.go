package testutil

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// BarePageSize is the size of the bare handler's page, as in the baseline
// (../shared/bench/baseline, "http GET /").
const BarePageSize = 4096

// BarePage returns a fixed HTML page of exactly BarePageSize bytes: a table
// of exam dates, padded with a comment.
func BarePage() []byte {
	var b strings.Builder
	b.WriteString("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Exam dates</title>\n</head>\n<body>\n<main>\n<h1>Upcoming exam dates</h1>\n<table>\n")
	const tail = "</table>\n</main>\n</body>\n</html>\n"
	for i := 1; ; i++ {
		row := fmt.Sprintf("<tr><td>Exam %03d</td><td>2027-01-%02d 09:00</td><td>Test centre %d</td></tr>\n", i, 1+i%28, 100+i)
		if b.Len()+len(row)+len(tail)+len("<!---->\n") > BarePageSize {
			break
		}
		b.WriteString(row)
	}
	b.WriteString("<!--" + strings.Repeat(" ", BarePageSize-b.Len()-len(tail)-len("<!---->\n")) + "-->\n")
	b.WriteString(tail)
	return []byte(b.String())
}

// BareHandler is the ceiling of in-process page benchmarks: no routing, no middleware, no templates.
func BareHandler() http.Handler {
	page := BarePage()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Length", strconv.Itoa(len(page)))
		_, _ = w.Write(page)
	})
}
