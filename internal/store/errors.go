package store

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"example.org/certportal/internal/portal"
)

// translate maps driver errors to portable portal errors, by code, never by
// message. The original error stays in the chain for logs.
func translate(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w (%w)", portal.ErrNotFound, err)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w (%w)", portal.ErrConflict, err)
		case sqlite3.SQLITE_CONSTRAINT_CHECK:
			return fmt.Errorf("%w (%w)", errCheck, err)
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return fmt.Errorf("%w (%w)", errForeignKey, err)
		}
		return err
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return fmt.Errorf("%w (%w)", portal.ErrConflict, err)
		case "23514":
			return fmt.Errorf("%w (%w)", errCheck, err)
		case "23503":
			return fmt.Errorf("%w (%w)", errForeignKey, err)
		}
	}
	return err
}

// errCheck and errForeignKey are constraint failures that the code above the
// store treats as conflicts with the current state.
var (
	errCheck      = &portal.Error{Code: portal.EConflict, Message: "error.conflict_check"}
	errForeignKey = &portal.Error{Code: portal.EConflict, Message: "error.conflict_reference"}
)

// isRetryable reports a PostgreSQL serialization failure or deadlock, which
// the whole transaction may simply run again.
func isRetryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

func isNotFound(err error) bool { return errors.Is(err, portal.ErrNotFound) }
