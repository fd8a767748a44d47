// Package loadgen fills an empty certportal database with a program of a
// given size, for load tests, benchmarks and query plans: candidates with
// legal names across scripts (a few with a second factor), staff, three
// bookings per candidate over three years with their payments and refunds,
// one and a half attempts per candidate with domain results, one earned
// certification per candidate with its pass voucher and its credential on
// the status lists, the reminders of expiry that fell due (recorded as
// sent, as a program running all along sent them), and the events and
// audit rows those leave. Everything
// but the signing key and the signatures follows from the seed.
//
// It writes through store.BulkInsert (COPY on PostgreSQL, large
// transactions on SQLite) between store.StartBulk and Bulk.Finish, with
// every id chosen in advance, and the rows satisfy the store's invariant
// checker.
//
// Credentials: signing one credential's two proofs takes milliseconds, a
// million of them hours. The first credential of each certification is
// signed for real through the credentials service (a template); every
// other credential of that certification stores the template's documents,
// so it counts as signed and its row has the size of a real one, but its
// downloads carry the template's ID and holder and do not verify as its
// own. The templates' IDs are in the Report.
package loadgen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"example.org/certportal/internal/booking"
	"example.org/certportal/internal/calendar"
	"example.org/certportal/internal/credentials"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// Config says what to generate.
type Config struct {
	// Candidates is how many candidates to create (default 1,000,000).
	Candidates int
	// Seed makes the data: the same seed gives the same rows.
	Seed uint64
	// Now is the program's present: bookings run from three years before
	// it to three months after. Default: the store's clock, to the second.
	Now time.Time
	// PasswordHash is the one password hash every generated account
	// shares (hash once, reuse); empty leaves accounts without a password.
	PasswordHash string
	// LoginIDPrefix prefixes login IDs (default CP).
	LoginIDPrefix string
	// Credentials signs the template credentials.
	Credentials *credentials.Service
	// Batch is how many candidates are written at a time (default 5,000).
	Batch int
	// Progress, when set, is called after each batch.
	Progress func(done, total int)
}

// Report counts what was written.
type Report struct {
	Candidates, Staff, Bookings, Payments, Refunds, Attempts, Certifications int
	Credentials, Revoked, StatusEntries, Events, Audit, Slots, WithMFA       int
	// Reminders counts the reminders of expiry and expiry notices
	// recorded as sent: every one that fell due before Now.
	Reminders int
	// Templates are the credentials signed for real, one per
	// certification: their downloads verify.
	Templates []portal.CredentialID
	// Candidate is a sample candidate's email (the first generated), and
	// Credential a sample credential that is not a template.
	Candidate  string
	Credential portal.CredentialID
}

// Generate fills st, which must hold no accounts yet, and returns what it
// wrote.
func Generate(ctx context.Context, st *store.Store, cfg Config) (*Report, error) {
	if cfg.Candidates == 0 {
		cfg.Candidates = 1_000_000
	}
	if cfg.Candidates < 0 {
		return nil, errors.New("loadgen: the number of candidates cannot be negative")
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 5000
	}
	if cfg.LoginIDPrefix == "" {
		cfg.LoginIDPrefix = "CP"
	}
	if cfg.Credentials == nil {
		return nil, errors.New("loadgen: a credentials service is needed to sign the templates")
	}
	if cfg.Now.IsZero() {
		cfg.Now = st.Clock().Now()
	}
	cfg.Now = cfg.Now.UTC().Truncate(time.Second)
	users, err := st.CountUsers(ctx)
	if err != nil {
		return nil, err
	}
	if users > 0 {
		return nil, fmt.Errorf("loadgen: the database already has %d accounts; generate into an empty one", users)
	}
	g := newGen(st, cfg)
	// Reminders fall due by the program's calendar, as the database holds
	// it (the default until an admin saves another).
	cal, err := calendar.NewService(st).Calendar(ctx)
	if err != nil {
		return nil, fmt.Errorf("loadgen: calendar: %w", err)
	}
	g.loc = cal.Location()
	if g.bulk, err = st.StartBulk(ctx); err != nil {
		return nil, fmt.Errorf("loadgen: %w", err)
	}
	if err := g.catalogue(ctx); err != nil {
		return nil, fmt.Errorf("loadgen: catalogue: %w", err)
	}
	if err := g.slots(ctx); err != nil {
		return nil, fmt.Errorf("loadgen: slots: %w", err)
	}
	if err := g.staffAccounts(ctx); err != nil {
		return nil, fmt.Errorf("loadgen: staff: %w", err)
	}
	for done := 0; done < cfg.Candidates; {
		n := min(cfg.Batch, cfg.Candidates-done)
		b := &batch{}
		for range n {
			g.candidate(b)
		}
		if err := g.flush(ctx, b); err != nil {
			return nil, fmt.Errorf("loadgen: candidates %d to %d: %w", done+1, done+n, err)
		}
		done += n
		if cfg.Progress != nil {
			cfg.Progress(done, cfg.Candidates)
		}
	}
	if err := g.finish(ctx); err != nil {
		return nil, fmt.Errorf("loadgen: finish: %w", err)
	}
	return &g.report, nil
}

// gen holds the state of one generation.
type gen struct {
	st    *store.Store
	cfg   Config
	rng   *rand.Rand
	now   time.Time
	start time.Time      // three years before now
	loc   *time.Location // the program's time zone
	bulk  *store.Bulk    // the load in progress

	exams     []*portal.Exam
	certOf    map[int64]*portal.Certification // by exam
	policy    map[int64]string                // refund policy by exam
	tracks    []track
	slotCap   map[int64]int
	slotTaken map[int64]int
	keyID     int64
	lists     map[string][]*portal.StatusList
	listBits  map[int64][]byte // revocation bits set by the generator
	officers  []int64          // results officers: who enters and who confirms
	credStaff int64            // the credential officer who revokes

	next      ids
	templates map[int64][2]string // documents by certification
	report    Report
}

// ids are the next id of each table the generator writes.
type ids struct {
	user, booking, payment, refund, attempt, cert, voucher, cred, event, audit int64
}

// track is one series of slots: a center's sessions or the online starts.
type track struct {
	firstID int64
	starts  []time.Time
}

func newGen(st *store.Store, cfg Config) *gen {
	g := &gen{st: st, cfg: cfg, now: cfg.Now, rng: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)),
		certOf: map[int64]*portal.Certification{}, policy: map[int64]string{}, slotCap: map[int64]int{},
		slotTaken: map[int64]int{}, lists: map[string][]*portal.StatusList{}, listBits: map[int64][]byte{},
		templates: map[int64][2]string{}}
	g.start = g.now.AddDate(-3, 0, 0)
	g.next = ids{user: 1, booking: 1, payment: 1, refund: 1, attempt: 1, cert: 1, voucher: 1, cred: 1, event: 1, audit: 1}
	return g
}

// catalogue creates the exams, certifications, test centers, signing key
// and status lists through the store's ordinary writes.
func (g *gen) catalogue(ctx context.Context) error {
	perList := credentials.StatusListSize
	lists := max(1, (g.cfg.Candidates+perList-1)/perList)
	return g.st.Transact(ctx, func(tx *store.Tx) error {
		for _, e := range exams() {
			created, err := tx.CreateExam(ctx, e)
			if err != nil {
				return err
			}
			g.exams = append(g.exams, created)
			pol := booking.DefaultPolicy
			pol.RescheduleFeeMinor = created.RescheduleFeeMinor
			g.policy[created.ID] = pol.Encode()
			c, err := tx.CreateCertification(ctx, portal.Certification{Code: created.Code[:3], Name: created.Name[len("Certified "):],
				Description: created.Description, Level: created.Level, Kind: portal.CertKindCertification,
				ValidityMonths: portal.DefaultValidityMonths, Active: true, EarnedBy: []string{created.Code}})
			if err != nil {
				return err
			}
			g.certOf[created.ID] = c
		}
		for _, c := range centers() {
			if _, err := tx.CreateCenter(ctx, c); err != nil {
				return err
			}
		}
		key, err := g.cfg.Credentials.CurrentKey(ctx, tx)
		if err != nil {
			return err
		}
		g.keyID = key.ID
		for _, purpose := range portal.StatusPurposes {
			for n := 1; n <= lists; n++ {
				if err := tx.InsertStatusList(ctx, purpose, n, perList); err != nil {
					return err
				}
				l, err := tx.FindStatusListByNumber(ctx, purpose, n)
				if err != nil {
					return err
				}
				g.lists[purpose] = append(g.lists[purpose], l)
			}
		}
		return nil
	})
}

// slots writes every center session and online start from a week before
// the three years to three months after now.
func (g *gen) slots(ctx context.Context) error {
	from, to := g.start.AddDate(0, 0, -7), g.now.AddDate(0, 3, 0)
	var rows [][]any
	id := int64(1)
	list, err := g.st.ListCenters(ctx, store.CenterFilter{})
	if err != nil {
		return err
	}
	for _, c := range list {
		loc := c.Location()
		t := track{firstID: id}
		for day := from.In(loc); day.Before(to); day = day.AddDate(0, 0, 1) {
			if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
				continue
			}
			for _, s := range centerSessions {
				at := time.Date(day.Year(), day.Month(), day.Day(), s.hour, 0, 0, 0, loc).UTC()
				center := c.ID
				rows = append(rows, []any{id, &center, at, s.session, c.Seats, 0, from})
				g.slotCap[id] = c.Seats
				t.starts = append(t.starts, at)
				id++
			}
		}
		g.tracks = append(g.tracks, t)
	}
	online := track{firstID: id}
	for at := from.Truncate(24 * time.Hour); at.Before(to); at = at.Add(onlineEvery) {
		rows = append(rows, []any{id, nil, at, portal.SessionOnline, 300, 0, from})
		g.slotCap[id] = 300
		online.starts = append(online.starts, at)
		id++
	}
	g.tracks = append(g.tracks, online)
	g.report.Slots = len(rows)
	return g.st.BulkInsert(ctx, "slots", []string{"id", "center_id", "starts_at", "session", "capacity", "taken", "created_at"}, rows)
}

// staffAccounts writes the staff, each with a verified SMS second factor
// and its permission sets.
func (g *gen) staffAccounts(ctx context.Context) error {
	b := &batch{}
	var admin int64
	for i, s := range staff {
		id := g.next.user
		g.next.user++
		created := g.start.Add(time.Duration(i) * time.Hour)
		b.users = append(b.users, g.userRow(id, strings.ToLower(s.first+"."+s.last+"@staff.example.org"),
			s.first, s.last, portal.RoleStaff, "en", "US", created))
		b.mfa = append(b.mfa, []any{id, fmt.Sprintf("+1202555%04d", i), created, created, created})
		if admin == 0 {
			admin = id
		}
		for _, set := range s.sets {
			var by any
			if id != admin {
				by = admin
			}
			b.sets = append(b.sets, []any{id, string(set), by, created})
			if set == portal.SetResultsOfficer {
				g.officers = append(g.officers, id)
			}
			if set == portal.SetCredentialOfficer && g.credStaff == 0 {
				g.credStaff = id
			}
		}
		g.audit(b, admin, "staff.invited", fmt.Sprintf("user:%d", id), "", created)
	}
	g.report.Staff = len(staff)
	return g.flush(ctx, b)
}

// audit appends an audit row.
func (g *gen) audit(b *batch, actor int64, action, subject, detail string, at time.Time) {
	b.audit = append(b.audit, []any{g.next.audit, actor, action, subject, detail, "", "", "", at})
	g.next.audit++
}

// event appends an event, unless it is older than the events' retention
// would keep (it would have been purged).
func (g *gen) event(b *batch, typ portal.EventType, kind string, subject int64, ref string, actor int64, payload map[string]any, at time.Time) {
	if at.Before(g.now.AddDate(0, 0, -400)) || at.After(g.now) {
		return
	}
	p, err := json.Marshal(payload)
	if err != nil {
		panic(err) // maps of ids and strings always encode
	}
	var a any
	if actor != 0 {
		a = actor
	}
	b.events = append(b.events, []any{g.next.event, string(typ), kind, subject, ref, a, string(p), at})
	g.next.event++
}

func (g *gen) userRow(id int64, email, first, last string, role portal.Role, lang, country string, created time.Time) []any {
	var pwAt any
	if g.cfg.PasswordHash != "" {
		pwAt = created
	}
	return []any{id, g.loginID(id), email, first, last, string(role), lang, g.cfg.PasswordHash, created, created, created,
		country, pwAt}
}

// finish sets the seats taken by live bookings, the revocation bits, and
// the credentials' event cursor past the generated events, then lets the
// store renumber and analyze.
func (g *gen) finish(ctx context.Context) error {
	g.report.Events, g.report.Audit = int(g.next.event-1), int(g.next.audit-1)
	err := g.st.Transact(ctx, func(tx *store.Tx) error {
		for id, n := range g.slotTaken {
			if err := tx.SetSlotTaken(ctx, id, n); err != nil {
				return err
			}
		}
		for id, bits := range g.listBits {
			if err := tx.UpdateStatusListBits(ctx, id, bits); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := g.bulk.Finish(ctx); err != nil {
		return err
	}
	last, err := g.st.GetLastEventID(ctx)
	if err != nil {
		return err
	}
	lastCredential, err := g.st.GetLastCredentialID(ctx)
	if err != nil {
		return err
	}
	// Every certification generated has its credential: the reaction to
	// certification.issued has nothing left to do, and neither has the
	// certificate check a program runs at issuance (every generated name
	// is in a script the bundled fonts draw).
	return g.st.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.SetSetting(ctx, credentials.EventCursorKey, fmt.Sprint(last)); err != nil {
			return err
		}
		return tx.SetSetting(ctx, credentials.CertificateCheckCursorKey, fmt.Sprint(lastCredential))
	})
}
