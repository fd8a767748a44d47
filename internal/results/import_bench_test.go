package results_test

import (
	"fmt"
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
			b.ResetTimer()
			for i := range b.N {
				// Each round a distinct file (a comment-free change: the
				// delivery second), so the hash does not make it a no-op.
				src := strings.ReplaceAll(file, delivered, importNow.Add(-time.Duration(i+2)*time.Hour).Format(time.RFC3339))
				imp, err := f.svc.StartImport(f.ctx, f.officer, results.ImportUpload{Format: portal.ImportCSV, Body: strings.NewReader(src)})
				if err != nil {
					b.Fatal(err)
				}
				if err := f.svc.RunImport(f.ctx, imp.ID, false); err != nil {
					b.Fatal(err)
				}
				if _, err := f.svc.ApplyImport(f.ctx, f.officer2, imp.ID); err != nil {
					b.Fatal(err)
				}
				if err := f.svc.RunImport(f.ctx, imp.ID, false); err != nil {
					b.Fatal(err)
				}
				st := f.status(imp.ID)
				if st.State != portal.ImportApplied || st.RowsApplied != rows {
					b.Fatalf("import %+v", st.ResultImport)
				}
			}
		})
	}
}
