package store

import (
	"strings"
	"unicode"

	"github.com/jmoiron/sqlx"
	"github.com/jmoiron/sqlx/reflectx"
)

// useSnakeCase lets the domain types in portal scan straight from rows
// without struct tags: field LoginID reads column login_id.
func useSnakeCase(db *sqlx.DB) {
	db.Mapper = reflectx.NewMapperFunc("db", snakeCase)
}

// snakeCase turns a Go field name into a column name, keeping initialisms
// together: ID -> id, LoginID -> login_id, EmailVerifiedAt ->
// email_verified_at, IP -> ip.
func snakeCase(name string) string {
	rs := []rune(name)
	var b strings.Builder
	for i, r := range rs {
		if unicode.IsUpper(r) {
			prevLower := i > 0 && unicode.IsLower(rs[i-1])
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			prevUpper := i > 0 && unicode.IsUpper(rs[i-1])
			if i > 0 && (prevLower || (prevUpper && nextLower)) {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// likePattern escapes a user's search text for LIKE … ESCAPE '\'.
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}
