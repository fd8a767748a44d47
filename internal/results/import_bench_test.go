package results_test

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/metrics"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/jobs"
	"example.org/certportal/internal/mail"
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
			body := benchCandidates(b, f, rows)
			file := body
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

// benchCandidates creates n verified candidates and returns a CSV file
// with a pass of the fixture's exam for each, delivered a day before the
// fixture's now.
func benchCandidates(b *testing.B, f *importFixture, n int) string {
	var body strings.Builder
	body.WriteString(csvHeader)
	err := f.st.Transact(f.ctx, func(tx *store.Tx) error {
		for i := range n {
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
	return body.String()
}

// BenchmarkPublish50000 publishes 50,000 results due at the same instant
// on each engine, as the portal does: their import schedules each
// publication, the clock moves to the official instant, and a job runner
// (River, ten workers) sweeps the due work and runs the publication jobs;
// the time runs from the sweep until every result is official, its
// certification and voucher issued and its mail queued (in the same
// transaction). Mail jobs run with a handler that sends nothing. Run it with
//
//	CERTPORTAL_TEST_POSTGRES_URL=... go test ./internal/results/ -run '^$' -bench Publish50000 -benchtime 1x -timeout 60m
func BenchmarkPublish50000(b *testing.B) {
	const rows = 50000
	for _, engine := range testutil.Engines(b) {
		b.Run(engine, func(b *testing.B) {
			var total time.Duration
			for range b.N {
				f := newImportFixture(b, engine)
				admin := f.staff(portal.SetAdmin)
				if _, err := f.svc.CreateCertification(f.ctx, admin, portal.Certification{Code: "SAA", Name: "Solutions Architect",
					Level: portal.LevelAssociate, Kind: portal.CertKindCertification, Active: true, EarnedBy: []string{"SAA-C03"}}); err != nil {
					b.Fatal(err)
				}
				imp, err := f.svc.StartImport(f.ctx, f.officer, results.ImportUpload{Format: portal.ImportCSV,
					Body: strings.NewReader(benchCandidates(b, f, rows)), Apply: true})
				if err != nil {
					b.Fatal(err)
				}
				if err := f.svc.RunImport(f.ctx, imp.ID, true); err != nil {
					b.Fatal(err)
				}
				if st := f.status(imp.ID); st.State != portal.ImportApplied || st.RowsApplied != rows {
					b.Fatalf("import %+v", st.ResultImport)
				}
				var at time.Time
				if err := f.st.DB().QueryRowContext(f.ctx, `SELECT official_at FROM exam_attempts ORDER BY official_at DESC LIMIT 1`).Scan(&at); err != nil {
					b.Fatal(err)
				}
				// What the import queued is not part of the publication.
				if _, err := f.st.DB().ExecContext(f.ctx, testutil.Rebind(engine, `UPDATE job_outbox SET forwarded_at = ?`), importNow); err != nil {
					b.Fatal(err)
				}
				if err := jobs.Migrate(f.ctx, f.st); err != nil {
					b.Fatal(err)
				}
				runner, err := jobs.New(f.st, jobs.Config{Clock: f.clock, DueInterval: time.Hour})
				if err != nil {
					b.Fatal(err)
				}
				runner.Handle(results.KindPublish, f.svc.HandlePublishJob)
				runner.Handle(mail.KindSend, func(context.Context, json.RawMessage) error { return nil })
				f.clock.Set(at)

				b.ResetTimer()
				start := time.Now()
				if err := runner.Start(f.ctx); err != nil {
					b.Fatal(err)
				}
				if _, err := runner.SweepDue(f.ctx); err != nil {
					b.Fatal(err)
				}
				for f.db.Count(b, `SELECT COUNT(*) FROM exam_attempts WHERE state = ?`, portal.AttemptOfficial) < rows {
					if time.Since(start) > 30*time.Minute {
						b.Fatal("publication not done after 30 minutes")
					}
					time.Sleep(100 * time.Millisecond)
				}
				total += time.Since(start)
				b.StopTimer()
				if err := runner.Stop(f.ctx); err != nil {
					b.Fatal(err)
				}
				for name, q := range map[string]string{
					"certifications": `SELECT COUNT(*) FROM user_certifications`,
					"vouchers":       `SELECT COUNT(*) FROM certification_vouchers`,
					"published":      `SELECT COUNT(*) FROM events WHERE type = 'result.published'`,
					"official mails": `SELECT COUNT(*) FROM job_outbox WHERE unique_key LIKE 'mail.results:official:%'`,
					"issued mails":   `SELECT COUNT(*) FROM job_outbox WHERE unique_key LIKE 'mail.results:issued:%'`,
				} {
					if n := f.db.Count(b, q); n != rows {
						b.Fatalf("%s: %d, want %d", name, n, rows)
					}
				}
				if v, err := f.st.CheckInvariants(f.ctx); err != nil || len(v) > 0 {
					b.Fatalf("invariants: %v %v", err, v)
				}
			}
			b.ReportMetric(total.Seconds()/float64(b.N), "publish-s/op")
			b.ReportMetric(float64(rows)*float64(b.N)/total.Seconds(), "results/s")
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
