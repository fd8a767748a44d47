package credits

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// QueueFilter selects the review queue. Zero fields do not filter.
type QueueFilter struct {
	TypeCode        string
	CertificationID int64
	OlderThanDays   int // submitted at least this many days ago
	Flagged         bool
	AssigneeID      int64
	Unassigned      bool
	Cursor          string // NextCursor of the previous page
	Limit           int    // default 50
}

// QueueItem is one open submission in the queue.
type QueueItem struct {
	*portal.CESubmission
	TypeCode   string
	TypeName   string
	AgeDays    int
	PastTarget bool // the expected decision date has passed
	// Candidate names who sent the submission (reviewers see it).
	Candidate Candidate
}

// Candidate is the person a submission is from, as reviewers see them:
// their legal name and permanent login ID.
type Candidate struct {
	ID      int64
	Name    string
	LoginID string
}

// QueuePage is one page of the queue, oldest submission first.
type QueuePage struct {
	Items      []QueueItem
	NextCursor string // empty on the last page
	// Total counts what the filter selects on every page, PastTarget
	// those of them past their expected decision date.
	Total, PastTarget int
}

var errBadCursor = &portal.Error{Code: portal.EInvalid, Message: "credits.error.cursor"}

// Queue lists open submissions (pending, waiting for information, under
// appeal), oldest first, a page at a time by keyset (portal.PermCEReview).
// Items past their expected decision date are marked.
func (s *Service) Queue(ctx context.Context, actor portal.Actor, f QueueFilter) (*QueuePage, error) {
	if err := actor.Authorize(portal.PermCEReview); err != nil {
		return nil, err
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	sf := store.CEQueueFilter{CertificationID: f.CertificationID, Flagged: f.Flagged, AssigneeID: f.AssigneeID,
		Unassigned: f.Unassigned, Limit: f.Limit}
	if sf.Limit <= 0 || sf.Limit > 200 {
		sf.Limit = 50
	}
	if f.TypeCode != "" {
		t, err := s.st.FindCEActivityTypeByCode(ctx, f.TypeCode)
		if isNotFound(err) {
			return &QueuePage{}, nil
		} else if err != nil {
			return nil, err
		}
		sf.TypeID = t.TypeID
	}
	if f.OlderThanDays > 0 {
		sf.SubmittedBefore = now.AddDate(0, 0, -f.OlderThanDays)
	}
	if f.Cursor != "" {
		at, id, ok := strings.Cut(f.Cursor, "-")
		ns, err1 := strconv.ParseInt(at, 10, 64)
		n, err2 := strconv.ParseInt(id, 10, 64)
		if !ok || err1 != nil || err2 != nil || n <= 0 {
			return nil, errBadCursor
		}
		sf.AfterAt, sf.AfterID = time.Unix(0, ns).UTC(), n
	}
	rows, err := s.st.ListCEQueue(ctx, sf)
	if err != nil {
		return nil, err
	}
	types, err := s.typeNames(ctx)
	if err != nil {
		return nil, err
	}
	today := now.In(cal.Location()).Format(time.DateOnly)
	totals, err := s.st.CountCEQueue(ctx, sf, today)
	if err != nil {
		return nil, err
	}
	people, err := s.candidates(ctx, rows)
	if err != nil {
		return nil, err
	}
	page := &QueuePage{Total: totals.Total, PastTarget: totals.PastTarget}
	for _, r := range rows {
		it := QueueItem{CESubmission: r, TypeCode: types[r.TypeID].Code, TypeName: types[r.TypeID].Name("en"), Candidate: people[r.UserID]}
		if r.SubmittedAt != nil {
			it.AgeDays = int(now.Sub(*r.SubmittedAt).Hours() / 24)
		}
		it.PastTarget = r.State != portal.CEInfo && r.TargetOn != nil && *r.TargetOn < today
		page.Items = append(page.Items, it)
	}
	if len(rows) == sf.Limit {
		last := rows[len(rows)-1]
		page.NextCursor = fmt.Sprintf("%d-%d", last.SubmittedAt.UnixNano(), last.ID)
	}
	return page, nil
}

// candidates names the candidates of the submissions.
func (s *Service) candidates(ctx context.Context, subs []*portal.CESubmission) (map[int64]Candidate, error) {
	var ids []int64
	for _, r := range subs {
		ids = append(ids, r.UserID)
	}
	users, err := s.st.ListUsersByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := map[int64]Candidate{}
	for _, u := range users {
		out[u.ID] = Candidate{ID: u.ID, Name: u.FullName(), LoginID: u.LoginID}
	}
	return out, nil
}

// SubmissionCandidate names the candidate of a submission to a reviewer
// (portal.PermCEReview) who may see it (Submission).
func (s *Service) SubmissionCandidate(ctx context.Context, actor portal.Actor, id int64) (Candidate, error) {
	if err := actor.Authorize(portal.PermCEReview); err != nil {
		return Candidate{}, err
	}
	sub, err := s.Submission(ctx, actor, id)
	if err != nil {
		return Candidate{}, err
	}
	people, err := s.candidates(ctx, []*portal.CESubmission{sub})
	if err != nil {
		return Candidate{}, err
	}
	c, ok := people[sub.UserID]
	if !ok {
		return Candidate{}, portal.ErrNotFound
	}
	return c, nil
}

// Reviewer is a staff member a submission may be assigned to.
type Reviewer struct {
	ID   int64
	Name string
}

// reviewerSets are the permission sets that grant portal.PermCEReview.
func reviewerSets() []portal.PermissionSet {
	var out []portal.PermissionSet
	for _, set := range portal.PermissionSets() {
		if set.Permissions().Has(portal.PermCEReview) {
			out = append(out, set)
		}
	}
	return out
}

// Reviewers lists the enabled staff who hold portal.PermCEReview, by name,
// to a reviewer (portal.PermCEReview) choosing whom to assign a
// submission to.
func (s *Service) Reviewers(ctx context.Context, actor portal.Actor) ([]Reviewer, error) {
	if err := actor.Authorize(portal.PermCEReview); err != nil {
		return nil, err
	}
	users, err := s.st.ListStaffWithSets(ctx, reviewerSets())
	if err != nil {
		return nil, err
	}
	out := make([]Reviewer, 0, len(users))
	for _, u := range users {
		out = append(out, Reviewer{ID: u.ID, Name: u.FullName()})
	}
	return out, nil
}

// typeNames maps type IDs to their current versions.
func (s *Service) typeNames(ctx context.Context) (map[int64]*portal.CEActivityType, error) {
	list, err := s.st.ListCEActivityTypes(ctx)
	if err != nil {
		return nil, err
	}
	out := map[int64]*portal.CEActivityType{}
	for _, t := range list {
		out[t.TypeID] = t
	}
	return out, nil
}

// Submission returns one submission: to its candidate (Actor.Owns), or to
// a reviewer (portal.PermCEReview) once sent; portal.ErrNotFound to anyone
// else.
func (s *Service) Submission(ctx context.Context, actor portal.Actor, id int64) (*portal.CESubmission, error) {
	sub, err := s.st.GetCESubmission(ctx, id)
	if err != nil {
		return nil, err
	}
	if actor.Owns(sub.UserID) {
		return sub, nil
	}
	if actor.Can(portal.PermCEReview) && sub.State != portal.CEDraft {
		return sub, nil
	}
	return nil, portal.ErrNotFound
}
