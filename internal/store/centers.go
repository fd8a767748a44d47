package store

import (
	"context"
	"fmt"

	"example.org/certportal/internal/portal"
)

const centerColumns = `id, code, name, address_line1, address_line2, city, region, postal_code, country, latitude,
	longitude, time_zone, seats, hours, active, created_at, updated_at`

// CreateCenter inserts a test center. A duplicate code is portal.ErrConflict.
func (tx *Tx) CreateCenter(ctx context.Context, c portal.TestCenter) (*portal.TestCenter, error) {
	var out portal.TestCenter
	err := tx.get(ctx, &out, `INSERT INTO test_centers (code, name, address_line1, address_line2, city, region, postal_code,
		country, latitude, longitude, time_zone, seats, hours, active, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING `+centerColumns,
		c.Code, c.Name, c.AddressLine1, c.AddressLine2, c.City, c.Region, c.PostalCode, c.Country, c.Latitude,
		c.Longitude, c.TimeZone, c.Seats, c.Hours, c.Active, tx.now, tx.now)
	if err != nil {
		return nil, fmt.Errorf("store: create center %s: %w", c.Code, err)
	}
	return &out, nil
}

// UpdateCenter saves every field of c but its code and id.
func (tx *Tx) UpdateCenter(ctx context.Context, c portal.TestCenter) (*portal.TestCenter, error) {
	var out portal.TestCenter
	err := tx.get(ctx, &out, `UPDATE test_centers SET name = ?, address_line1 = ?, address_line2 = ?, city = ?, region = ?,
		postal_code = ?, country = ?, latitude = ?, longitude = ?, time_zone = ?, seats = ?, hours = ?, active = ?, updated_at = ?
		WHERE id = ? RETURNING `+centerColumns,
		c.Name, c.AddressLine1, c.AddressLine2, c.City, c.Region, c.PostalCode, c.Country, c.Latitude, c.Longitude,
		c.TimeZone, c.Seats, c.Hours, c.Active, tx.now, c.ID)
	if err != nil {
		return nil, fmt.Errorf("store: update center %d: %w", c.ID, err)
	}
	return &out, nil
}

// GetCenter returns one center, or portal.ErrNotFound.
func (s *Store) GetCenter(ctx context.Context, id int64) (*portal.TestCenter, error) {
	var c portal.TestCenter
	if err := s.get(ctx, &c, `SELECT `+centerColumns+` FROM test_centers WHERE id = ?`, id); err != nil {
		return nil, fmt.Errorf("store: find center %d: %w", id, err)
	}
	return &c, nil
}

// LockCenter returns one center, locked until the transaction ends on
// PostgreSQL, or portal.ErrNotFound.
func (tx *Tx) LockCenter(ctx context.Context, id int64) (*portal.TestCenter, error) {
	var c portal.TestCenter
	if err := tx.get(ctx, &c, `SELECT `+centerColumns+` FROM test_centers WHERE id = ?`+tx.forUpdate(""), id); err != nil {
		return nil, fmt.Errorf("store: lock center %d: %w", id, err)
	}
	return &c, nil
}

// FindCenterByCode returns the center with code inside the transaction, or
// portal.ErrNotFound.
func (tx *Tx) FindCenterByCode(ctx context.Context, code string) (*portal.TestCenter, error) {
	var c portal.TestCenter
	if err := tx.get(ctx, &c, `SELECT `+centerColumns+` FROM test_centers WHERE code = ?`, code); err != nil {
		return nil, fmt.Errorf("store: find center %s: %w", code, err)
	}
	return &c, nil
}

// CenterFilter selects centers.
type CenterFilter struct {
	Country    string // ISO code; empty for all
	ActiveOnly bool
}

// ListCenters returns centers ordered by country, city and name.
func (s *Store) ListCenters(ctx context.Context, f CenterFilter) ([]*portal.TestCenter, error) {
	where, args := "1 = 1", []any{}
	if f.Country != "" {
		where += " AND country = ?"
		args = append(args, f.Country)
	}
	if f.ActiveOnly {
		where += " AND active = ?"
		args = append(args, true)
	}
	var out []*portal.TestCenter
	if err := s.sel(ctx, &out, `SELECT `+centerColumns+` FROM test_centers WHERE `+where+` ORDER BY country, city, name`, args...); err != nil {
		return nil, fmt.Errorf("store: list centers: %w", err)
	}
	return out, nil
}

// Closure is a day a center is closed, in its local calendar.
type Closure struct {
	CenterID int64
	Day      string // YYYY-MM-DD
	Reason   string
}

// AddClosure records a closed day; a day already closed is kept as it is.
func (tx *Tx) AddClosure(ctx context.Context, c Closure) error {
	_, err := tx.exec(ctx, `INSERT INTO center_closures (center_id, day, reason, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT DO NOTHING`, c.CenterID, c.Day, c.Reason, tx.now)
	if err != nil {
		return fmt.Errorf("store: close center %d on %s: %w", c.CenterID, c.Day, err)
	}
	return nil
}

// ListClosures returns a center's closed days from fromDay on, in order.
func (s *Store) ListClosures(ctx context.Context, centerID int64, fromDay string) ([]Closure, error) {
	var out []Closure
	if err := s.sel(ctx, &out, `SELECT center_id, day, reason FROM center_closures WHERE center_id = ? AND day >= ? ORDER BY day`,
		centerID, fromDay); err != nil {
		return nil, fmt.Errorf("store: list closures of %d: %w", centerID, err)
	}
	return out, nil
}
