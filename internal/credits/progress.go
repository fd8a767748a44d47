package credits

import (
	"context"
	"io"
	"slices"
	"strconv"
	"time"

	"example.org/certportal/internal/csvsafe"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// Progress is where a candidate stands on one certification's
// continuing education in its current cycle.
type Progress struct {
	UserCertificationID int64
	CertificationID     int64
	Code, Name          string
	IssuedOn, ExpiresOn string
	DaysLeft            int
	// Approved is the credits that count (after each type's maximum);
	// Pending the credits claimed by submissions waiting for a decision,
	// not counted yet; Needed what the requirement asks; Missing what is
	// still needed.
	Approved, Pending, Needed, Missing int
	Met                                bool
	// Percent is Approved of Needed, 0 to 100, for the progress bar.
	Percent int
	// ByType is the breakdown by activity type, for the chart and its
	// table, largest first.
	ByType []TypeCredits
	// Years is the yearly guidance when the requirement sets a target.
	YearlyTarget int
	Years        []YearCredits
}

// TypeCredits is one activity type's approved credits in a cycle.
type TypeCredits struct {
	Code, Name, Group string
	Credits           int
}

// YearCredits is one year of a cycle (from issue) with its credits.
type YearCredits struct {
	From, To string // YYYY-MM-DD, To inclusive
	Credits  int
	Target   int
}

// Progress lists, for each certification the candidate holds in force (not
// a microcredential), the standing of its current cycle, soonest expiry
// first. Names are in lang (falling back to English).
func (s *Service) Progress(ctx context.Context, actor portal.Actor, lang string) ([]Progress, error) {
	uid, err := subject(actor)
	if err != nil {
		return nil, err
	}
	return s.progressOf(ctx, uid, lang)
}

// progressOf is Progress for the candidate uid.
func (s *Service) progressOf(ctx context.Context, uid int64, lang string) ([]Progress, error) {
	certs, err := s.st.ListUserCertifications(ctx, store.UserCertificationFilter{UserID: uid})
	if err != nil {
		return nil, err
	}
	return s.progress(ctx, uid, certs, lang, s.clock.Now())
}

// inForce reports whether a certification takes continuing education
// now: held, not replaced, not a microcredential, not expired.
func inForce(c *portal.UserCertificationDetail, now time.Time) bool {
	return c.WithdrawnAt == nil && c.RevokedAt == nil && c.SupersededBy == nil && c.Kind != portal.CertKindMicrocredential && now.Before(c.ExpiresAt)
}

// progress is Progress of the candidate uid, whose certifications are
// certs, at now.
func (s *Service) progress(ctx context.Context, uid int64, certs []*portal.UserCertificationDetail, lang string, now time.Time) ([]Progress, error) {
	cal, err := s.calendar(ctx)
	if err != nil {
		return nil, err
	}
	totals, err := s.st.ListCECreditTotals(ctx, uid)
	if err != nil {
		return nil, err
	}
	open, err := s.st.ListCESubmissions(ctx, store.CESubmissionFilter{UserID: uid, States: []string{portal.CEPending, portal.CEInfo, portal.CEAppealed}})
	if err != nil {
		return nil, err
	}
	types, err := s.typeNames(ctx)
	if err != nil {
		return nil, err
	}
	versions := map[int64]*portal.CEActivityType{}
	version := func(id int64) (*portal.CEActivityType, error) {
		if v, ok := versions[id]; ok {
			return v, nil
		}
		v, err := s.st.GetCEActivityVersion(ctx, id)
		versions[id] = v
		return v, err
	}
	today := now.In(cal.Location()).Format(time.DateOnly)
	out := []Progress{}
	for _, c := range certs {
		if !inForce(c, now) {
			continue
		}
		p := Progress{UserCertificationID: c.ID, CertificationID: c.CertificationID, Code: c.Code, Name: c.Name,
			IssuedOn: c.IssuedOn, ExpiresOn: c.ExpiresOn, DaysLeft: daysBetween(today, c.ExpiresOn)}
		var rows []store.CECreditTotal
		net := map[int64]int{}
		for _, r := range totals {
			if r.UserCertificationID == c.ID {
				rows = append(rows, r)
				net[r.TypeID] += r.Credits
			}
		}
		tally := Tally{ByType: map[string]int{}, GroupOf: map[string]string{}}
		for id, n := range net {
			t := types[id]
			tally.ByType[t.Code] += n
			tally.GroupOf[t.Code] = t.Group
			p.ByType = append(p.ByType, TypeCredits{Code: t.Code, Name: t.Name(lang), Group: t.Group, Credits: n})
		}
		slices.SortFunc(p.ByType, func(a, b TypeCredits) int {
			if a.Credits != b.Credits {
				return b.Credits - a.Credits
			}
			return compareStrings(a.Code, b.Code)
		})
		req, err := s.requirement(ctx, c.CertificationID)
		if err != nil {
			return nil, err
		}
		st := Evaluate(req, tally)
		p.Approved, p.Needed, p.Missing, p.Met = st.Counted, st.Needed, st.Missing, st.Met
		if p.Needed > 0 {
			p.Percent = min(100, p.Approved*100/p.Needed)
		} else if p.Met {
			p.Percent = 100
		}
		for _, sub := range open {
			typ, err := version(sub.VersionID)
			if err != nil {
				return nil, err
			}
			if sub.CertificationID != nil && *sub.CertificationID != c.CertificationID {
				continue
			}
			if slices.ContainsFunc(eligibleOf([]*portal.UserCertificationDetail{c}, typ, sub.CompletedOn, time.Time{}),
				func(e *portal.UserCertificationDetail) bool { return e.ID == c.ID }) {
				p.Pending += sub.Claimed
			}
		}
		if req.YearlyTarget > 0 {
			p.YearlyTarget = req.YearlyTarget
			p.Years = years(c.IssuedOn, c.ExpiresOn, rows, req.YearlyTarget)
		}
		out = append(out, p)
	}
	slices.SortStableFunc(out, func(a, b Progress) int { return compareStrings(a.ExpiresOn, b.ExpiresOn) })
	return out, nil
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// requirement reads a certification's requirement, or the default.
func (s *Service) requirement(ctx context.Context, certificationID int64) (Requirement, error) {
	spec, err := s.st.GetCERequirement(ctx, certificationID)
	return decodeStoredRequirement(certificationID, spec, err)
}

// daysBetween counts days from one date to another (negative when to is
// before from).
func daysBetween(from, to string) int {
	a, err1 := time.Parse(time.DateOnly, from)
	b, err2 := time.Parse(time.DateOnly, to)
	if err1 != nil || err2 != nil {
		return 0
	}
	return int(b.Sub(a).Hours() / 24)
}

// years splits a cycle into years from its issue day, each with the
// credits of activities completed in it.
func years(issued, expires string, rows []store.CECreditTotal, target int) []YearCredits {
	start, err := time.Parse(time.DateOnly, issued)
	if err != nil {
		return nil
	}
	var out []YearCredits
	for i := 0; i < 20; i++ {
		from := start.AddDate(i, 0, 0).Format(time.DateOnly)
		if from > expires {
			break
		}
		to := start.AddDate(i+1, 0, -1).Format(time.DateOnly)
		last := start.AddDate(i+1, 0, 0).Format(time.DateOnly) >= expires
		if to > expires || last {
			// The cycle's last day (the anniversary when the expiry day is
			// named inclusively) belongs to its last year.
			to = expires
		}
		y := YearCredits{From: from, To: to, Target: target}
		for _, r := range rows {
			if r.CompletedOn >= from && r.CompletedOn <= to {
				y.Credits += r.Credits
			}
		}
		out = append(out, y)
		if last {
			break
		}
	}
	return out
}

// HistoryEntry is one of the candidate's submissions as their history
// shows it: the reviewer is named by role, never by name.
type HistoryEntry struct {
	ID           int64
	Title        string
	TypeName     string
	CompletedOn  string
	State        string
	Claimed      int
	Granted      int
	ReasonCode   string
	Reason       string
	ReviewerRole string // "reviewer", "admin" or "system"; empty before a decision
	TargetOn     string
	SubmittedAt  *time.Time
}

// History lists the candidate's submissions, newest first, with names in
// lang.
func (s *Service) History(ctx context.Context, actor portal.Actor, lang string) ([]HistoryEntry, error) {
	uid, err := subject(actor)
	if err != nil {
		return nil, err
	}
	subs, err := s.st.ListCESubmissions(ctx, store.CESubmissionFilter{UserID: uid})
	if err != nil {
		return nil, err
	}
	versions := map[int64]*portal.CEActivityType{}
	out := []HistoryEntry{}
	for _, sub := range subs {
		typ, ok := versions[sub.VersionID]
		if !ok {
			if typ, err = s.st.GetCEActivityVersion(ctx, sub.VersionID); err != nil {
				return nil, err
			}
			versions[sub.VersionID] = typ
		}
		h := HistoryEntry{ID: sub.ID, Title: sub.Title, TypeName: typ.Name(lang), CompletedOn: sub.CompletedOn, State: sub.State,
			Claimed: sub.Claimed, Granted: sub.Granted, ReasonCode: sub.ReasonCode, Reason: sub.ReasonText, SubmittedAt: sub.SubmittedAt}
		if sub.TargetOn != nil {
			h.TargetOn = *sub.TargetOn
		}
		h.ReviewerRole = sub.DecidedRole
		out = append(out, h)
	}
	return out, nil
}

// HistoryColumns are the message IDs of the history export's header, in
// order; the surface writes them in the candidate's language.
func HistoryColumns() []string {
	return []string{"credits.csv.id", "credits.csv.title", "credits.csv.type", "credits.csv.completed_on", "credits.csv.state",
		"credits.csv.claimed", "credits.csv.granted", "credits.csv.reason", "credits.csv.reviewer"}
}

// ExportHistory writes the candidate's history as CSV through csvsafe (a
// cell that a spreadsheet would read as a formula is neutralised): header
// holds the translated HistoryColumns, state and role the translation of
// a state or a role code.
func (s *Service) ExportHistory(ctx context.Context, actor portal.Actor, lang string, w io.Writer, header []string, label func(code string) string) error {
	list, err := s.History(ctx, actor, lang)
	if err != nil {
		return err
	}
	cw := csvsafe.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, h := range list {
		role := ""
		if h.ReviewerRole != "" {
			role = label("role." + h.ReviewerRole)
		}
		if err := cw.Write([]string{strconv.FormatInt(h.ID, 10), h.Title, h.TypeName, h.CompletedOn, label("state." + h.State),
			FormatCredits(h.Claimed), FormatCredits(h.Granted), h.Reason, role}); err != nil {
			return err
		}
	}
	return cw.Flush()
}
