package results

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"example.org/certportal/internal/jobs"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// rowChecker checks the rows of one import in order, with the recording
// path's own checks (prepare), and remembers what earlier rows named so a
// file cannot hold the same result twice.
type rowChecker struct {
	s     *Service
	cal   Calendar
	imp   *portal.ResultImport
	actor portal.Actor
	seen  map[string]int // result key -> first row
	cat   *catalogCache  // the exams rows named, in the current transaction
	// users are the candidates the current batch names by login ID, read
	// at once in its transaction (usersTx).
	users   map[string]*portal.User
	usersTx *store.Tx
	// later gathers the publications and mails of the rows an apply
	// records, written a batch at a time (nil: each at once).
	later *jobs.Deferred
}

func newRowChecker(s *Service, cal Calendar, imp *portal.ResultImport) *rowChecker {
	return &rowChecker{s: s, cal: cal, imp: imp, actor: creator(imp), seen: map[string]int{}}
}

// check finds the row's candidate and checks its result. With apply set
// and no problem, it records the result (or parks the row for an email no
// account has) in tx. It returns the email a row is parked for and, once
// recorded, its attempt.
func (c *rowChecker) check(ctx context.Context, tx *store.Tx, num int, row stagedRow, apply bool) (string, *portal.Attempt, []RowProblem, error) {
	problems := append([]RowProblem(nil), row.Problems...)
	for _, p := range problems {
		if p.Column == "" { // not a row of results at all: nothing more to say
			return "", nil, problems, nil
		}
	}
	add := func(column, message string, data map[string]any) {
		for _, p := range problems {
			if column != "" && p.Column == column {
				return // one problem per column
			}
		}
		problems = append(problems, RowProblem{Row: num, Column: column, Value: cut(row.Cells[column]), Message: message, Data: data})
	}
	in := Result{ExamCode: row.Cells[FieldExam], BookingRef: row.Cells[FieldBooking], Domains: row.Domains}

	// The candidate: login ID first, else a verified email; an email no
	// account has verified parks the row.
	park, known := "", true
	var user *portal.User
	switch login, email := row.Cells[FieldLogin], row.Cells[FieldEmail]; {
	case login != "":
		u, err := c.userByLoginID(ctx, tx, login)
		if errors.Is(err, portal.ErrNotFound) {
			u, err = tx.FindUserByLoginID(ctx, strings.ToUpper(login))
		}
		switch {
		case errors.Is(err, portal.ErrNotFound):
			add(FieldLogin, "results.import.unknown_login", nil)
			known = false
		case err != nil:
			return "", nil, nil, err
		default:
			in.UserID, user = u.ID, u
		}
	case email != "":
		norm, ok := portal.NormalizeEmail(email)
		if !ok {
			add(FieldEmail, "results.import.bad_email", nil)
			known = false
			break
		}
		u, err := tx.FindUserByEmail(ctx, norm)
		switch {
		case errors.Is(err, portal.ErrNotFound) || (err == nil && u.EmailVerifiedAt == nil):
			park = norm
		case err != nil:
			return "", nil, nil, err
		default:
			in.UserID, user = u.ID, u
		}
	default:
		add(FieldLogin, "results.import.no_candidate", nil)
		known = false
	}

	if v := row.Cells[FieldTakenAt]; v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			add(FieldTakenAt, "results.import.bad_time", nil)
		} else {
			in.TakenAt = t
		}
	}
	if v := row.Cells[FieldScore]; v == "" {
		add(FieldScore, "results.import.required", nil)
	} else if n, err := strconv.Atoi(v); err != nil {
		add(FieldScore, "results.error.score_range", map[string]any{"Min": portal.MinScore, "Count": portal.MaxScore})
	} else {
		in.Score = n
	}
	if v := row.Cells[FieldPassed]; v != "" {
		switch strings.ToLower(v) {
		case "true", "pass", "passed":
			in.Passed = ptr(true)
		case "false", "fail", "failed":
			in.Passed = ptr(false)
		default:
			add(FieldPassed, "results.import.bad_passed", nil)
		}
	}
	if row.Cells[FieldExam] == "" {
		add(FieldExam, "results.import.required", nil)
	}

	// The recording path's checks. A problem already found in a column
	// is not repeated.
	has := map[string]bool{}
	for _, p := range problems {
		has[p.Column] = true
	}
	how := recording{source: portal.SourceImport, importID: &c.imp.ID}
	c.cat = c.cat.forTx(tx)
	a, err := prepare(ctx, tx, c.actor, c.cal, in, how, c.cat)
	var pe *portal.Error
	switch {
	case errors.As(err, &pe):
		for _, f := range pe.Fields {
			col := f.Field
			if has[col] || (!known && col == FieldBooking) || (col == FieldTakenAt && has[FieldBooking]) {
				continue
			}
			if col == FieldDomains {
				name, _ := f.Data["Domain"].(string)
				problems = append(problems, RowProblem{Row: num, Column: FieldDomains, Value: cut(name + ": " + bandOf(row.Domains, name)),
					Message: f.Message, Data: f.Data})
				continue
			}
			add(col, f.Message, f.Data)
		}
		if len(pe.Fields) == 0 {
			add("", pe.Message, pe.Data)
		}
	case err != nil:
		return "", nil, nil, err
	}
	if len(problems) > 0 {
		return park, nil, problems, nil
	}

	// The same result twice in the file.
	who := "u" + strconv.FormatInt(in.UserID, 10)
	if park != "" {
		who = "e" + park
	}
	keys := []string{fmt.Sprintf("%s|%d|%d", who, a.ExamID, a.TakenAt.UnixNano())}
	if a.BookingID != nil {
		keys = append(keys, "b"+strconv.FormatInt(*a.BookingID, 10))
	}
	for _, k := range keys {
		if first, ok := c.seen[k]; ok {
			col := FieldTakenAt
			if k[0] == 'b' {
				col = FieldBooking
			}
			add(col, "results.import.duplicate_row", map[string]any{"Row": first})
			return park, nil, problems, nil
		}
	}
	for _, k := range keys {
		c.seen[k] = num
	}
	if !apply {
		return park, nil, nil, nil
	}
	if park != "" {
		data, err := json.Marshal(row)
		if err != nil {
			return "", nil, nil, err
		}
		_, err = tx.InsertParkedResult(ctx, portal.ParkedResult{ImportID: c.imp.ID, RowNumber: num, Email: park, Data: string(data)})
		return park, nil, nil, err
	}
	// prepare checked it in this transaction: write what it prepared.
	e, err := c.cat.exam(ctx, tx, a.ExamCode)
	if err != nil {
		return "", nil, nil, err
	}
	out, err := c.s.write(ctx, tx, c.actor, c.cal, a, &candidate{user: user, examName: e.Name, later: c.later})
	if errors.As(err, &pe) {
		add("", pe.Message, pe.Data)
		return park, nil, problems, nil
	}
	return park, out, nil, err
}

// readUsers reads at once, in tx, the candidates rows name by login ID
// and their stored attempts, for check.
func (c *rowChecker) readUsers(ctx context.Context, tx *store.Tx, rows []store.ResultImportRow) error {
	var ids []string
	for _, r := range rows {
		var row stagedRow
		if err := json.Unmarshal([]byte(r.Data), &row); err != nil {
			continue // check reports it
		}
		if login := row.Cells[FieldLogin]; login != "" {
			ids = append(ids, login)
		}
	}
	list, err := tx.ListUsersByLoginIDs(ctx, ids)
	if err != nil {
		return err
	}
	c.users, c.usersTx = make(map[string]*portal.User, len(list)), tx
	userIDs := make([]int64, 0, len(list))
	for _, u := range list {
		c.users[u.LoginID] = u
		userIDs = append(userIDs, u.ID)
	}
	c.cat = c.cat.forTx(tx)
	return c.cat.readAttempts(ctx, tx, userIDs)
}

// userByLoginID is tx.FindUserByLoginID, answered from the batch's read
// when it has the user.
func (c *rowChecker) userByLoginID(ctx context.Context, tx *store.Tx, login string) (*portal.User, error) {
	if c.usersTx == tx {
		if u, ok := c.users[login]; ok {
			return u, nil
		}
	}
	return tx.FindUserByLoginID(ctx, login)
}

func ptr[T any](v T) *T { return &v }

// bandOf is the band a row gives a domain, for the problem's value.
func bandOf(domains []DomainBand, name string) string {
	for _, d := range domains {
		if strings.EqualFold(strings.TrimSpace(d.Name), name) {
			return d.Band
		}
	}
	return ""
}

// AttachParked turns parked rows into attempts once an account with a
// verified address matches their email: the periodic sweep. Each row is
// recorded through the recording path, as its import's officer, in its
// own transaction; a row that no longer passes stays parked and is
// logged. It returns how many attached.
func (s *Service) AttachParked(ctx context.Context) (int, error) {
	list, err := s.st.ListParkedResultsClaimable(ctx, 200)
	if err != nil || len(list) == 0 {
		return 0, err
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, p := range list {
		var problems []RowProblem
		err := s.st.Transact(ctx, func(tx *store.Tx) error {
			problems = nil
			cur, err := tx.LockParkedResult(ctx, p.ID)
			if err != nil || cur.AttemptID != nil {
				return err
			}
			imp, err := tx.GetResultImport(ctx, cur.ImportID)
			if err != nil {
				return err
			}
			var row stagedRow
			if err := json.Unmarshal([]byte(cur.Data), &row); err != nil {
				return fmt.Errorf("results: parked result %d: %w", cur.ID, err)
			}
			c := newRowChecker(s, cal, imp)
			in, ps, err := c.attach(ctx, tx, cur, row)
			if err != nil || len(ps) > 0 {
				problems = ps
				return err
			}
			if err := tx.AttachParkedResult(ctx, cur.ID, in.ID); err != nil {
				return err
			}
			n++
			return nil
		})
		if err != nil {
			return n, err
		}
		if len(problems) > 0 {
			s.log.WarnContext(ctx, "results: a parked result does not pass for its account", "parked_result", p.ID,
				"import", p.ImportID, "row", p.RowNumber, "problem", problems[0].Message)
		}
	}
	if n > 0 {
		s.kick()
	}
	return n, nil
}

// attach records a parked row for the account that now has its address:
// the row, naming that account, takes the recording path.
func (c *rowChecker) attach(ctx context.Context, tx *store.Tx, p *portal.ParkedResult, row stagedRow) (*portal.Attempt, []RowProblem, error) {
	u, err := tx.FindUserByEmail(ctx, p.Email)
	if err != nil {
		return nil, nil, err
	}
	if u.EmailVerifiedAt == nil {
		return nil, []RowProblem{{Row: p.RowNumber, Column: FieldEmail, Message: "results.import.unverified"}}, nil
	}
	row.Cells[FieldLogin], row.Cells[FieldEmail] = u.LoginID, ""
	_, a, ps, err := c.check(ctx, tx, p.RowNumber, row, true)
	return a, ps, err
}
