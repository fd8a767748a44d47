package credits

import (
	"context"

	"example.org/certportal/internal/portal"
)

// SubmissionVersion returns a submission with the activity type version it
// was made under (the rule, range and caps its decision is held to), to
// those Submission shows it to; portal.ErrNotFound to anyone else.
func (s *Service) SubmissionVersion(ctx context.Context, actor portal.Actor, id int64) (*portal.CESubmission, *portal.CEActivityType, error) {
	sub, err := s.Submission(ctx, actor, id)
	if err != nil {
		return nil, nil, err
	}
	typ, err := s.st.GetCEActivityVersion(ctx, sub.VersionID)
	if err != nil {
		return nil, nil, err
	}
	return sub, typ, nil
}
