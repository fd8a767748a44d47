package centers_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"example.org/certportal/internal/centers"
	"example.org/certportal/internal/geo"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

// The center search benchmark of docs/benchmarks.md ("Test-center search"),
// on every engine testutil.Engines names:
//
//	go test ./internal/centers -run '^$' -bench SearchCenters -benchmem -count 3

// benchNow is the frozen clock of the benchmark.
var benchNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// benchEngines runs fn as a sub-benchmark per engine.
func benchEngines(b *testing.B, fn func(b *testing.B, engine string)) {
	for _, engine := range testutil.Engines(b) {
		b.Run(engine, func(b *testing.B) { fn(b, engine) })
	}
}

// gazetteerOnce times the first geo.Resolve of the process, which loads
// the embedded gazetteer.
var gazetteerOnce sync.Once

// benchCities are the places of BenchmarkSearchCenters' 50 centers: the
// largest US cities.
var benchCities = []string{
	"New York City", "Los Angeles", "Chicago", "Houston", "Phoenix", "Philadelphia", "San Antonio", "San Diego", "Dallas",
	"Jacksonville", "Austin", "Fort Worth", "San Jose", "Columbus", "Charlotte", "Indianapolis", "San Francisco",
	"Seattle", "Denver", "Oklahoma City", "Nashville", "Washington, DC", "El Paso", "Las Vegas", "Boston", "Detroit",
	"Portland", "Louisville", "Memphis", "Baltimore", "Milwaukee", "Albuquerque", "Tucson", "Fresno", "Sacramento",
	"Mesa", "Atlanta", "Kansas City", "Colorado Springs", "Omaha", "Raleigh", "Miami", "Virginia Beach",
	"Long Beach", "Oakland", "Minneapolis", "Bakersfield", "Tulsa", "Tampa", "Arlington",
}

// BenchmarkSearchCenters: Service.SearchCenters (resolve the place in the
// embedded gazetteer, list the active centers of the country, distance to
// each, sort) over 50 active US centers, one near each of the largest US
// cities, alternating a city name and a ZIP code, radius 100 miles. The
// gazetteer is loaded before timing; its load time is logged once per
// process.
func BenchmarkSearchCenters(b *testing.B) {
	benchEngines(b, func(b *testing.B, engine string) {
		gazetteerOnce.Do(func() {
			t0 := time.Now()
			if _, err := geo.Resolve("US", "Chicago"); err != nil {
				b.Fatal(err)
			}
			b.Logf("first geo.Resolve of the process (loads the gazetteer): %v", time.Since(t0).Round(time.Millisecond))
		})
		ctx := context.Background()
		clock := testutil.NewClock(benchNow)
		st := testutil.MustOpenStore(b, engine, clock)
		svc := centers.New(st, clock, slog.New(slog.DiscardHandler), centers.Config{})
		err := st.Transact(ctx, func(tx *store.Tx) error {
			for i, city := range benchCities {
				p, err := geo.Resolve("US", city)
				if err != nil {
					return err
				}
				if _, err := tx.CreateCenter(ctx, portal.TestCenter{
					Code: fmt.Sprintf("BEN-%02d", i), Name: city + " Test Center", AddressLine1: "1 Main St",
					City: p.Name, Region: "US-" + p.Region, PostalCode: "00000", Country: "US",
					Latitude: p.Lat + 0.05, Longitude: p.Lon + 0.05, TimeZone: "America/Chicago",
					Seats: 10, Hours: "mon-fri 08:00-18:00", Active: true,
				}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatalf("create centers: %v", err)
		}
		queries := []centers.Search{
			{Country: "US", Near: "Denver", Radius: 100, Unit: "mi"},
			{Country: "US", Near: "60601", Radius: 100, Unit: "mi"},
		}
		found := 0
		i := 0
		for b.Loop() {
			res, err := svc.SearchCenters(ctx, queries[i%len(queries)])
			if err != nil {
				b.Fatalf("search %+v: %v", queries[i%len(queries)], err)
			}
			found += len(res.Centers)
			i++
		}
		b.ReportMetric(float64(found)/float64(i), "centers/op")
	})
}
