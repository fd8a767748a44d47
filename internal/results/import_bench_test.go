package results_test

import (
	"fmt"
	"runtime"
	"runtime/metrics"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/results"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

// BenchmarkImport50000 imports a CSV file of 50,000 results (one per
// candidate) on each engine: the dry run (upload, staging and check) and
// the apply. Run it with
//
//	CERTPORTAL_TEST_POSTGRES_URL=... go test ./internal/results/ -run '^$' -bench Import50000 -benchtime 1x -benchmem -timeout 60m
func BenchmarkImport50000(b *testing.B) {
	const rows = results.MaxImportRows
	for _, engine := range testutil.Engines(b) {
		b.Run(engine, func(b *testing.B) {
			f := newImportFixture(b, engine)
			var body strings.Builder
			body.WriteString(csvHeader)
			err := f.st.Transact(f.ctx, func(tx *store.Tx) error {
				for i := range rows {
					u, err := tx.CreateUser(f.ctx, store.UserCreate{LoginID: fmt.Sprintf("BX%08d", i), Email: fmt.Sprintf("bench%d@example.org", i),
						FirstName: "Casey", LastName: "Bench", Role: portal.RoleCandidate, Language: "en", Country: "US"})
					if err != nil {
						return err
					}
					body.WriteString(u.LoginID + ",,SAA-C03,," + delivered + ",750,,meets,meets\n")
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			file := body.String()
			b.ReportAllocs()
			runtime.GC()
			peak := watchHeap()
			var dry, apply time.Duration
			b.ResetTimer()
			for i := range b.N {
				// Each round a distinct file (a comment-free change: the
				// delivery second), so the hash does not make it a no-op.
				src := strings.ReplaceAll(file, delivered, importNow.Add(-time.Duration(i+2)*time.Hour).Format(time.RFC3339))
				start := time.Now()
				imp, err := f.svc.StartImport(f.ctx, f.officer, results.ImportUpload{Format: portal.ImportCSV, Body: strings.NewReader(src)})
				if err != nil {
					b.Fatal(err)
				}
				if err := f.svc.RunImport(f.ctx, imp.ID, false); err != nil {
					b.Fatal(err)
				}
				dry += time.Since(start)
				start = time.Now()
				if _, err := f.svc.ApplyImport(f.ctx, f.officer2, imp.ID); err != nil {
					b.Fatal(err)
				}
				if err := f.svc.RunImport(f.ctx, imp.ID, false); err != nil {
					b.Fatal(err)
				}
				apply += time.Since(start)
				st := f.status(imp.ID)
				if st.State != portal.ImportApplied || st.RowsApplied != rows {
					b.Fatalf("import %+v", st.ResultImport)
				}
			}
			b.StopTimer()
			b.ReportMetric(dry.Seconds()/float64(b.N), "dry-run-s/op")
			b.ReportMetric(apply.Seconds()/float64(b.N), "apply-s/op")
			b.ReportMetric(float64(peak())/(1<<20), "peak-heap-MiB")
		})
	}
}

// watchHeap samples the live heap every 10 ms until the returned function
// is called, which returns the largest sample in bytes: the memory the
// import held at once, as opposed to what it allocated in total.
func watchHeap() func() uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	stop, done := make(chan struct{}), make(chan uint64)
	go func() {
		var peak uint64
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-stop:
				done <- peak
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 { close(stop); return <-done }
}
