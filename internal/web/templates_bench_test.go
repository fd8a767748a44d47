package web

import (
	"runtime"
	"testing"
)

// BenchmarkParseTemplates parses the site's templates as start-up does and
// reports the heap they keep (live-B, measured after a collection): most
// of what the server holds when idle (docs/benchmarks.md).
func BenchmarkParseTemplates(b *testing.B) {
	funcs := (&Server{}).funcs()
	var sections []templateSource
	for _, fsys := range sectionTemplates() {
		sections = append(sections, templateSource{fsys: fsys})
	}
	live := func() uint64 {
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	var kept uint64
	for b.Loop() {
		b.StopTimer()
		before := live()
		b.StartTimer()
		t, err := parseTemplates(funcs, false, sections)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		kept = live() - before
		runtime.KeepAlive(t)
		b.StartTimer()
	}
	b.ReportMetric(float64(kept), "live-B")
}
