package centers

import (
	"context"
	"errors"
	"fmt"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// onlineStep is the spacing of online proctored starts.
const onlineStep = 30 * time.Minute

// GenerateSlots creates every slot from today to the horizon that does not
// exist yet: each active center's sessions on its open, not closed days,
// and online starts every 30 minutes around the clock. Existing slots are
// left alone (a center's new seat count applies to slots created after the
// change; staff change single slots in the roster). It runs daily and
// after a center is created, and returns the number of slots created.
func (s *Service) GenerateSlots(ctx context.Context) (int, error) {
	now := s.clock.Now()
	until := now.Add(s.cfg.Horizon + 24*time.Hour)
	centers, err := s.st.ListCenters(ctx, store.CenterFilter{ActiveOnly: true})
	if err != nil {
		return 0, err
	}
	created := 0
	for _, c := range centers {
		n, err := s.generateCenterSlots(ctx, c, now, until)
		created += n
		if err != nil {
			return created, err
		}
	}
	n, err := s.generateOnlineSlots(ctx, now, until)
	return created + n, err
}

func (s *Service) generateCenterSlots(ctx context.Context, c *portal.TestCenter, now, until time.Time) (int, error) {
	hours, err := ParseHours(c.Hours)
	if err != nil {
		return 0, fmt.Errorf("centers: center %s has unreadable hours: %w", c.Code, err)
	}
	loc := c.Location()
	first := now.In(loc)
	closures, err := s.st.ListClosures(ctx, c.ID, first.Format(time.DateOnly))
	if err != nil {
		return 0, err
	}
	closed := map[string]bool{}
	for _, cl := range closures {
		closed[cl.Day] = true
	}
	var starts []sessionStart
	for day := time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, loc); day.Before(until); day = day.AddDate(0, 0, 1) {
		if !closed[day.Format(time.DateOnly)] {
			starts = append(starts, hours.sessionsOn(day, loc)...)
		}
	}
	created := 0
	err = s.st.Transact(ctx, func(tx *store.Tx) error {
		created = 0
		for _, st := range starts {
			if st.At.Before(now) {
				continue
			}
			ok, err := tx.EnsureSlot(ctx, &c.ID, st.At, st.Session, c.Seats)
			if err != nil {
				return err
			}
			if ok {
				created++
			}
		}
		return nil
	})
	return created, err
}

func (s *Service) generateOnlineSlots(ctx context.Context, now, until time.Time) (int, error) {
	created := 0
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		created = 0
		for at := now.Truncate(onlineStep).Add(onlineStep); at.Before(until); at = at.Add(onlineStep) {
			ok, err := tx.EnsureSlot(ctx, nil, at, portal.SessionOnline, s.cfg.OnlineCapacity)
			if err != nil {
				return err
			}
			if ok {
				created++
			}
		}
		return nil
	})
	return created, err
}

// Day is one local date with its bookable slots.
type Day struct {
	Date  time.Time // local midnight
	Slots []*portal.Slot
}

// Key is the date as YYYY-MM-DD.
func (d Day) Key() string { return d.Date.Format(time.DateOnly) }

// Bookable returns the window in which starts can be booked now: from the
// minimum lead time to the horizon.
func (s *Service) Bookable() (from, to time.Time) {
	now := s.clock.Now()
	return now.Add(s.cfg.MinLead), now.Add(s.cfg.Horizon)
}

// CenterAvailability returns the center's days with at least one free
// seat in the bookable window, in the center's time zone.
func (s *Service) CenterAvailability(ctx context.Context, centerID int64) (*portal.TestCenter, []Day, error) {
	c, err := s.st.GetCenter(ctx, centerID)
	if err != nil {
		return nil, nil, err
	}
	if !c.Active {
		return nil, nil, portal.ErrNotFound
	}
	from, to := s.Bookable()
	slots, err := s.st.ListSlots(ctx, store.SlotFilter{CenterID: &c.ID, From: from, To: to, OpenOnly: true})
	if err != nil {
		return nil, nil, err
	}
	return c, groupByDay(slots, c.Location()), nil
}

// OnlineAvailability returns the days with free online starts in the
// bookable window, in loc (the candidate's time zone).
func (s *Service) OnlineAvailability(ctx context.Context, loc *time.Location) ([]Day, error) {
	from, to := s.Bookable()
	slots, err := s.st.ListSlots(ctx, store.SlotFilter{Online: true, From: from, To: to, OpenOnly: true})
	if err != nil {
		return nil, err
	}
	return groupByDay(slots, loc), nil
}

func groupByDay(slots []*portal.Slot, loc *time.Location) []Day {
	var days []Day
	for _, sl := range slots {
		local := sl.StartsAt.In(loc)
		date := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
		if n := len(days); n == 0 || !days[n-1].Date.Equal(date) {
			days = append(days, Day{Date: date})
		}
		days[len(days)-1].Slots = append(days[len(days)-1].Slots, sl)
	}
	return days
}

// SlotAt returns a slot and its test center (nil for an online start), to
// show a time a booking may move to.
func (s *Service) SlotAt(ctx context.Context, id int64) (*portal.Slot, *portal.TestCenter, error) {
	sl, err := s.st.GetSlot(ctx, id)
	if err != nil || sl.CenterID == nil {
		return sl, nil, err
	}
	c, err := s.st.GetCenter(ctx, *sl.CenterID)
	return sl, c, err
}

// SetCapacity changes a slot's seats; never below the seats taken. Needs
// PermSessionsManage.
func (s *Service) SetCapacity(ctx context.Context, actor portal.Actor, slotID int64, capacity int) error {
	if err := actor.Authorize(portal.PermSessionsManage); err != nil {
		return err
	}
	if capacity < 0 || capacity > 500 {
		return &portal.Error{Code: portal.EInvalid, Message: "schedule.staff.capacity_invalid", Fields: []portal.FieldError{{Field: "capacity", Message: "schedule.staff.capacity_invalid"}}}
	}
	return s.st.Transact(ctx, func(tx *store.Tx) error {
		sl, err := tx.GetSlot(ctx, slotID)
		if err != nil {
			return err
		}
		if err := tx.SetSlotCapacity(ctx, slotID, capacity); errors.Is(err, portal.ErrNotFound) {
			return &portal.Error{Code: portal.EConflict, Message: "schedule.staff.capacity_below_taken",
				Data: map[string]any{"Count": sl.Taken}, Fields: []portal.FieldError{{Field: "capacity", Message: "schedule.staff.capacity_below_taken", Data: map[string]any{"Count": sl.Taken}}}}
		} else if err != nil {
			return err
		}
		return audit(ctx, tx, actor, "scheduling.capacity_changed", fmt.Sprintf("slot:%d", slotID), fmt.Sprintf("%d -> %d", sl.Capacity, capacity))
	})
}
