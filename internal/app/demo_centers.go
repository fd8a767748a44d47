package app

import (
	"context"
	"fmt"

	"example.org/certportal/internal/booking"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// demoCenters are test centers in several countries and time zones.
func demoCenters() []portal.TestCenter {
	weekdays := "mon-fri 08:00-21:00; sat 09:00-17:00"
	return []portal.TestCenter{
		{Code: "US-SEA01", Name: "Pioneer Square Testing Center", AddressLine1: "600 1st Ave", City: "Seattle", Region: "US-WA", PostalCode: "98104", Country: "US", Latitude: 47.6019, Longitude: -122.3343, TimeZone: "America/Los_Angeles", Seats: 12, Hours: weekdays},
		{Code: "US-SEA02", Name: "Bellevue Learning Hub", AddressLine1: "10500 NE 8th St", City: "Bellevue", Region: "US-WA", PostalCode: "98004", Country: "US", Latitude: 47.6168, Longitude: -122.2013, TimeZone: "America/Los_Angeles", Seats: 8, Hours: weekdays},
		{Code: "US-TAC01", Name: "Tacoma Exam Rooms", AddressLine1: "1102 A St", City: "Tacoma", Region: "US-WA", PostalCode: "98402", Country: "US", Latitude: 47.2529, Longitude: -122.4443, TimeZone: "America/Los_Angeles", Seats: 6, Hours: "mon-fri 08:00-18:00"},
		{Code: "US-PDX01", Name: "Pearl District Test Site", AddressLine1: "1120 NW Couch St", City: "Portland", Region: "US-OR", PostalCode: "97209", Country: "US", Latitude: 45.5236, Longitude: -122.6826, TimeZone: "America/Los_Angeles", Seats: 10, Hours: weekdays},
		{Code: "US-NYC01", Name: "Midtown Testing Center", AddressLine1: "350 5th Ave", City: "New York", Region: "US-NY", PostalCode: "10118", Country: "US", Latitude: 40.7484, Longitude: -73.9857, TimeZone: "America/New_York", Seats: 20, Hours: "mon-sun 08:00-21:00"},
		{Code: "US-CHI01", Name: "Loop Exam Center", AddressLine1: "233 S Wacker Dr", City: "Chicago", Region: "US-IL", PostalCode: "60606", Country: "US", Latitude: 41.8789, Longitude: -87.6359, TimeZone: "America/Chicago", Seats: 14, Hours: weekdays},
		{Code: "GB-LON01", Name: "Holborn Test Centre", AddressLine1: "1 Kingsway", City: "London", PostalCode: "WC2B 6AN", Country: "GB", Latitude: 51.5145, Longitude: -0.1194, TimeZone: "Europe/London", Seats: 16, Hours: weekdays},
		{Code: "DE-BER01", Name: "Prüfungszentrum Mitte", AddressLine1: "Friedrichstraße 68", City: "Berlin", PostalCode: "10117", Country: "DE", Latitude: 52.5106, Longitude: 13.3889, TimeZone: "Europe/Berlin", Seats: 10, Hours: weekdays},
		{Code: "ES-MAD01", Name: "Centro de Exámenes Castellana", AddressLine1: "Paseo de la Castellana 95", City: "Madrid", Region: "ES-M", PostalCode: "28046", Country: "ES", Latitude: 40.4507, Longitude: -3.6920, TimeZone: "Europe/Madrid", Seats: 10, Hours: weekdays},
		{Code: "IN-BLR01", Name: "Koramangala Test Centre", AddressLine1: "80 Feet Rd, Koramangala", City: "Bengaluru", PostalCode: "560034", Country: "IN", Latitude: 12.9352, Longitude: 77.6245, TimeZone: "Asia/Kolkata", Seats: 24, Hours: "mon-sat 08:00-21:00"},
		{Code: "JP-TYO01", Name: "Shinjuku Exam Center", AddressLine1: "2-8-1 Nishi-Shinjuku", City: "Tokyo", PostalCode: "163-8001", Country: "JP", Latitude: 35.6896, Longitude: 139.6921, TimeZone: "Asia/Tokyo", Seats: 18, Hours: weekdays},
		{Code: "AU-SYD01", Name: "Sydney CBD Testing", AddressLine1: "1 Martin Pl", City: "Sydney", Region: "AU-NSW", PostalCode: "2000", Country: "AU", Latitude: -33.8678, Longitude: 151.2073, TimeZone: "Australia/Sydney", Seats: 12, Hours: weekdays},
		{Code: "BR-SAO01", Name: "Centro de Provas Paulista", AddressLine1: "Av. Paulista 1578", City: "São Paulo", Region: "BR-SP", PostalCode: "01310-200", Country: "BR", Latitude: -23.5614, Longitude: -46.6559, TimeZone: "America/Sao_Paulo", Seats: 12, Hours: weekdays},
	}
}

// loadDemoScheduling creates the demo centers, their slots and two
// vouchers. The nearest weeks are fully booked by other programs sharing
// the centers (their seats are not offered: capacity 0), so the first
// free dates are three to four weeks out, as candidates know them.
func loadDemoScheduling(ctx context.Context, sys *system) ([]string, error) {
	system := portal.SystemActor("demo")
	now := sys.clock.Now()
	for i, c := range demoCenters() {
		c.Active = true
		created, err := sys.centers.CreateCenter(ctx, system, c)
		if err != nil {
			return nil, fmt.Errorf("center %s: %w", c.Code, err)
		}
		busyUntil := now.AddDate(0, 0, 21+i%8)
		err = sys.store.Transact(ctx, func(tx *store.Tx) error {
			_, err := tx.SetCapacityBetween(ctx, created.ID, now, busyUntil, 0)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	if _, err := sys.centers.GenerateSlots(ctx); err != nil {
		return nil, err
	}
	expires := now.AddDate(1, 0, 0)
	vouchers := []booking.VoucherRequest{
		{Code: "DEMO-HALF", Percent: 50, MaxUses: 1000, ExpiresAt: expires, Note: "demo: half price on any exam"},
		{Code: "DEMO-FREE-SAA", Percent: 100, ExamCodes: []string{"SAA-C03"}, MaxUses: 1, ExpiresAt: expires, Note: "demo: one free SAA-C03 exam"},
	}
	var codes []string
	for _, v := range vouchers {
		created, err := sys.booking.CreateVoucher(ctx, system, v)
		if err != nil {
			return nil, fmt.Errorf("voucher %s: %w", v.Code, err)
		}
		codes = append(codes, created.Code+" ("+v.Note[len("demo: "):]+")")
	}
	return codes, nil
}
