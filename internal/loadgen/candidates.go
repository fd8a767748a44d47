package loadgen

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"

	"example.org/certportal/internal/credentials"
	"example.org/certportal/internal/credits"
	"example.org/certportal/internal/portal"
)

// batch holds the rows of some candidates, by table.
type batch struct {
	users, mfa, sets, payments, vouchers, bookings, refunds, attempts, certs, certVouchers, entries, creds, events, audit [][]any
	reminders                                                                                                             [][]any
	credCert                                                                                                              []int64 // the certification of each row of creds
}

const day = 24 * time.Hour

// between draws an instant in [a, b), to the second.
func (g *gen) between(a, b time.Time) time.Time {
	if !b.After(a) {
		return a
	}
	return a.Add(time.Duration(g.rng.Int64N(int64(b.Sub(a)/time.Second))) * time.Second)
}

// slotAt picks the first slot at or after t, at a center or online, that
// has a free seat when the booking is live.
func (g *gen) slotAt(t time.Time, live bool) (int64, time.Time) {
	tr := g.tracks[g.rng.IntN(len(g.tracks))]
	if g.rng.IntN(2) == 0 {
		tr = g.tracks[len(g.tracks)-1] // half the candidates sit online
	}
	i := sort.Search(len(tr.starts), func(i int) bool { return !tr.starts[i].Before(t) })
	for ; i < len(tr.starts); i++ {
		id := tr.firstID + int64(i)
		if !live || g.slotTaken[id] < g.slotCap[id] {
			if live {
				g.slotTaken[id]++
			}
			return id, tr.starts[i]
		}
	}
	last := len(tr.starts) - 1
	return tr.firstID + int64(last), tr.starts[last]
}

// Booking outcomes.
const (
	outDelivered = iota
	outCancelled
	outNoShow
	outExpired
	outUpcoming
)

// plannedBooking is one booking before it becomes rows.
type plannedBooking struct {
	exam    *portal.Exam
	outcome int
	before  time.Time // the slot starts at or after this instant
	voucher int64     // the pass voucher it uses
	passed  bool      // a delivered booking's attempt passed
}

// candidate generates one candidate and everything they did.
func (g *gen) candidate(b *batch) {
	id := g.next.user
	g.next.user++
	p := g.person()
	first, last := p.first[g.rng.IntN(len(p.first))], p.last[g.rng.IntN(len(p.last))]
	registered := g.between(g.start, g.now.AddDate(0, 0, -70))
	email := fmt.Sprintf("%s.%d@%s", emailLocal(first, last), id, []string{"example.com", "example.org", "example.net"}[id%3])
	if g.report.Candidate == "" {
		g.report.Candidate = email
	}
	b.users = append(b.users, g.userRow(id, email, first, last, portal.RoleCandidate, p.lang, p.country, registered))
	if g.rng.IntN(200) == 0 {
		b.mfa = append(b.mfa, []any{id, fmt.Sprintf("+1303555%04d", id%10000), registered, registered, registered})
		g.report.WithMFA++
	}
	g.report.Candidates++

	// One certification per candidate: half pass at the first attempt,
	// half fail once and pass the retake.
	exam := g.exams[g.rng.IntN(len(g.exams))]
	pass := g.between(registered.Add(40*day), g.now.Add(-12*day))
	plan := []plannedBooking{}
	if g.rng.IntN(2) == 0 {
		plan = append(plan, plannedBooking{exam: exam, outcome: outDelivered, before: g.between(registered.Add(7*day), pass.Add(-30*day))})
	} else {
		plan = append(plan, plannedBooking{exam: exam, outcome: outCancelled, before: g.between(registered.Add(7*day), pass.Add(-30*day))})
	}
	plan = append(plan, plannedBooking{exam: exam, outcome: outDelivered, before: pass, passed: true})
	other := g.exams[g.rng.IntN(len(g.exams))]
	if other.ID == exam.ID {
		other = g.exams[(slices.Index(g.exams, exam)+1)%len(g.exams)]
	}
	switch r := g.rng.IntN(100); {
	case r < 35:
		plan = append(plan, plannedBooking{exam: other, outcome: outUpcoming, before: g.between(g.now.Add(2*day), g.now.AddDate(0, 2, 0))})
	case r < 55:
		plan = append(plan, plannedBooking{exam: other, outcome: outNoShow, before: g.between(registered.Add(7*day), g.now.Add(-6*day))})
	case r < 80:
		plan = append(plan, plannedBooking{exam: other, outcome: outExpired, before: g.between(registered.Add(7*day), g.now.Add(-6*day))})
	default:
		plan = append(plan, plannedBooking{exam: other, outcome: outCancelled, before: g.between(registered.Add(7*day), g.now.Add(-6*day))})
	}
	var voucher *passVoucher
	for i := range plan {
		pb := &plan[i]
		if pb.outcome == outUpcoming && voucher != nil && g.rng.IntN(2) == 0 {
			pb.voucher = voucher.id
			voucher.used = true
		}
		attempt := g.bookingRows(b, id, pb)
		if attempt != 0 && pb.passed {
			voucher = g.certify(b, id, attempt, pb.exam)
		}
	}
	if voucher != nil {
		b.vouchers = append(b.vouchers, voucher.row(g))
	}
}

// passVoucher is a certification's voucher, written once we know whether
// a later booking used it.
type passVoucher struct {
	id, owner int64
	code      string
	note      string
	expires   time.Time
	created   time.Time
	used      bool
}

func (v *passVoucher) row(g *gen) []any {
	uses := 0
	if v.used {
		uses = 1
	}
	return []any{v.id, v.code, 50, "", 1, uses, v.expires, v.owner, v.note, v.created}
}

// bookingRows writes one booking, its payment, refund, attempt, events
// and audit, and returns the attempt's id (0 for none).
func (g *gen) bookingRows(b *batch, user int64, pb *plannedBooking) int64 {
	e := pb.exam
	live := pb.outcome == outUpcoming
	slot, starts := g.slotAt(pb.before, live)
	id := g.next.booking
	g.next.booking++
	ref := code("B", id, 0x51ed27)
	created := g.between(starts.Add(-60*day), starts.Add(-3*day))
	if live {
		created = g.between(g.now.Add(-40*day), g.now.Add(-time.Hour))
	}
	price, discount := e.PriceMinor, int64(0)
	var voucher any
	if pb.voucher != 0 {
		discount, voucher = price/2, pb.voucher
	}
	confirmed := created.Add(time.Duration(3+g.rng.IntN(600)) * time.Second)
	row := bookingRow{id: id, ref: ref, user: user, exam: e.ID, slot: slot, created: created, updated: confirmed,
		price: price, discount: discount, currency: e.Currency, voucher: voucher, policy: g.policy[e.ID]}
	g.event(b, portal.EventBookingHeld, portal.SubjectBooking, id, ref, user, map[string]any{"exam": e.Code, "slot": slot}, created)
	if pb.outcome == outExpired {
		row.state = portal.BookingExpired
		exp := created.Add(20 * time.Minute)
		row.holdExpires, row.updated = &exp, exp
		b.bookings = append(b.bookings, row.values())
		g.event(b, portal.EventBookingExpired, portal.SubjectBooking, id, ref, 0, map[string]any{}, exp)
		g.audit(b, user, "scheduling.hold", "booking:"+ref, fmt.Sprintf("exam %s slot %d", e.Code, slot), created)
		g.report.Bookings++
		return 0
	}
	// Paid: one payment per booking, through the card provider.
	pay := g.next.payment
	g.next.payment++
	charged := price - discount
	b.payments = append(b.payments, []any{pay, code("P", pay, 0x2b7e15), user, "stripe", "booking", "succeeded", charged, e.Currency,
		fmt.Sprintf("pi_gen%012d", pay), created, confirmed, confirmed})
	row.payment, row.charged, row.confirmed = pay, charged, &confirmed
	g.report.Payments++
	g.event(b, portal.EventBookingConfirmed, portal.SubjectBooking, id, ref, user, map[string]any{"payment": pay, "amount": charged}, confirmed)
	g.audit(b, user, "scheduling.confirmed", "booking:"+ref, "payment "+code("P", pay, 0x2b7e15), confirmed)
	var attempt int64
	switch pb.outcome {
	case outUpcoming:
		row.state = portal.BookingConfirmed
	case outCancelled:
		row.state = portal.BookingCancelled
		at := g.between(confirmed, starts.Add(-49*time.Hour))
		row.cancelled, row.cancelledBy, row.updated = &at, user, at
		refund := g.next.refund
		g.next.refund++
		b.refunds = append(b.refunds, []any{refund, id, pay, charged, e.Currency, "succeeded", fmt.Sprintf("re_gen%012d", refund), at, at})
		g.report.Refunds++
		g.event(b, portal.EventBookingCancelled, portal.SubjectBooking, id, ref, user, map[string]any{}, at)
		g.event(b, portal.EventRefundRecorded, portal.SubjectBooking, id, ref, user, map[string]any{"refund": refund, "amount": charged}, at)
	case outNoShow:
		row.state = portal.BookingNoShow
		at := starts.Add(time.Duration(e.DurationMinutes) * time.Minute)
		row.noShow, row.updated = &at, at
		g.event(b, portal.EventBookingNoShow, portal.SubjectBooking, id, ref, 0, map[string]any{}, at)
	case outDelivered:
		row.state = portal.BookingDelivered
		at := starts.Add(time.Duration(e.DurationMinutes) * time.Minute)
		row.checkedIn, row.delivered, row.updated = &starts, &at, at
		g.event(b, portal.EventBookingDelivered, portal.SubjectBooking, id, ref, 0, map[string]any{}, at)
		attempt = g.attempt(b, user, id, e, starts, pb.passed)
	}
	b.bookings = append(b.bookings, row.values())
	g.report.Bookings++
	return attempt
}

// bookingRow is a booking's columns.
type bookingRow struct {
	id, user, exam, slot, payment                        int64
	ref, state, currency, policy                         string
	price, discount, charged                             int64
	voucher, cancelledBy                                 any
	created, updated                                     time.Time
	holdExpires, confirmed, cancelled, noShow, checkedIn *time.Time
	delivered                                            *time.Time
}

var bookingColumns = []string{"id", "reference", "user_id", "exam_id", "slot_id", "state", "language", "hold_expires_at",
	"price_minor", "discount_minor", "currency", "voucher_id", "payment_id", "policy", "rules_version", "privacy_version",
	"confirmed_at", "cancelled_at", "cancelled_by", "cancel_reason", "no_show_at", "no_show_kind", "checked_in_at",
	"created_at", "updated_at", "charged_minor", "delivered_at"}

func (r bookingRow) values() []any {
	var payment any
	if r.payment != 0 {
		payment = r.payment
	}
	reason, kind := "", ""
	if r.cancelled != nil {
		reason = "candidate"
	}
	if r.noShow != nil {
		kind = "absent"
	}
	return []any{r.id, r.ref, r.user, r.exam, r.slot, r.state, "en", r.holdExpires, r.price, r.discount, r.currency, r.voucher,
		payment, r.policy, "2026-01", "2026-01", r.confirmed, r.cancelled, r.cancelledBy, reason, r.noShow, kind, r.checkedIn,
		r.created, r.updated, r.charged, r.delivered}
}

// attempt writes the official result of a delivered booking, entered by
// one results officer and confirmed by another, published when its
// results delay ended.
func (g *gen) attempt(b *batch, user, bookingID int64, e *portal.Exam, taken time.Time, passed bool) int64 {
	id := g.next.attempt
	g.next.attempt++
	score := e.PassingScore + g.rng.IntN(1000-e.PassingScore+1)
	var retake any
	if !passed {
		score = 300 + g.rng.IntN(e.PassingScore-300)
		retake = taken.AddDate(0, 0, e.RetakeWaitDays)
	}
	domains := make([]portal.DomainResult, len(e.Domains))
	for i, d := range e.Domains {
		band := portal.BandMeets
		if !passed && g.rng.IntN(2) == 0 || passed && g.rng.IntN(5) == 0 {
			band = portal.BandNeedsImprovement
		}
		domains[i] = portal.DomainResult{Name: d.Name, WeightPercent: d.WeightPercent, Band: band}
	}
	dj, err := json.Marshal(domains)
	if err != nil {
		panic(err) // plain structs always encode
	}
	entered, confirmed := g.officers[g.rng.IntN(len(g.officers))], g.officers[g.rng.IntN(len(g.officers))]
	for confirmed == entered {
		confirmed = g.officers[g.rng.IntN(len(g.officers))]
	}
	confirmedAt := taken.Add(day)
	official := taken.AddDate(0, 0, e.ResultsDelayDays)
	var cert any
	if c := g.certOf[e.ID]; c != nil {
		cert = c.ID
	}
	b.attempts = append(b.attempts, []any{id, user, e.ID, e.Code, cert, bookingID, taken, score, passed, e.PassingScore,
		e.RetakeWaitDays, retake, string(dj), portal.AttemptOfficial, "console", official, official, entered, confirmed,
		confirmedAt, taken.Add(2 * time.Hour), official})
	g.report.Attempts++
	g.event(b, portal.EventResultPublished, portal.SubjectAttempt, id, "", 0, map[string]any{"user": user, "passed": passed}, official)
	g.audit(b, confirmed, "results.publish", fmt.Sprintf("attempt:%d", id), "", official)
	return id
}

// certify writes the certification a pass earned at its publication, its
// pass voucher (returned, written by the caller) and its credential.
func (g *gen) certify(b *batch, user, attempt int64, e *portal.Exam) *passVoucher {
	c := g.certOf[e.ID]
	id := g.next.cert
	g.next.cert++
	taken := b.attempts[len(b.attempts)-1][6].(time.Time)
	published := taken.AddDate(0, 0, e.ResultsDelayDays)
	issuedOn := taken.Format(time.DateOnly)
	expiresDay := addMonths(taken, c.ValidityMonths)
	expiresAt := expiresDay.Add(day)
	b.certs = append(b.certs, []any{id, user, c.ID, attempt, 1, c.Kind, c.ValidityMonths, issuedOn,
		expiresDay.Format(time.DateOnly), taken, expiresAt, published, published})
	g.report.Certifications++
	g.event(b, portal.EventCertificationIssued, portal.SubjectCertification, id, c.Code, 0,
		map[string]any{"certification": c.Code, "attempt": attempt, "user": user}, published)
	g.remindersSent(b, &portal.UserCertification{ID: id, UserID: user, ExpiresOn: expiresDay.Format(time.DateOnly),
		ExpiresAt: expiresAt, IssuedAt: taken, Cycle: 1}, c.Code)

	v := &passVoucher{id: g.next.voucher, owner: user, code: "PASS" + code("", g.next.voucher, 0x3c6ef3)[1:],
		note: "Pass voucher: " + c.Code, expires: expiresAt, created: published}
	g.next.voucher++
	b.certVouchers = append(b.certVouchers, []any{id, 1, v.id, published})

	// The credential, on the next free place of each status list.
	cred := g.next.cred
	g.next.cred++
	var raw [16]byte
	binary.BigEndian.PutUint64(raw[:8], g.rng.Uint64())
	binary.BigEndian.PutUint64(raw[8:], g.rng.Uint64())
	credID := portal.CredentialIDFromBytes(raw)
	issued := published.Add(time.Minute)
	var place [2][2]any
	for i, purpose := range portal.StatusPurposes {
		list, idx := g.statusPlace(purpose, cred)
		b.entries = append(b.entries, []any{list.ID, idx, issued})
		place[i] = [2]any{list.ID, idx}
	}
	var revoked, reason any = nil, ""
	if g.rng.IntN(1000) == 0 {
		at := g.between(issued, g.now)
		revoked, reason = at, "misconduct"
		list, idx := place[0][0].(int64), place[0][1].(int)
		bits := g.listBits[list]
		if bits == nil {
			bits = make([]byte, credentials.StatusListSize/8)
			g.listBits[list] = bits
		}
		bits[idx/8] |= 0x80 >> (idx % 8)
		g.report.Revoked++
		g.event(b, portal.EventCredentialRevoked, portal.SubjectCredential, cred, string(credID), g.credStaff,
			map[string]any{"user_certification": id, "cycle": 1, "reason": "misconduct"}, at)
		g.audit(b, g.credStaff, "credentials.revoked", "credential:"+string(credID), "misconduct", at)
	} else if g.report.Credential == "" && cred > int64(len(g.exams)) {
		g.report.Credential = credID
	}
	salt := code("", cred, 0x7f4a7c)[1:] + code("", cred+g.rng.Int64N(1<<40), 0x1d2b3c)[1:]
	b.creds = append(b.creds, []any{cred, string(credID), id, 1, g.keyID, place[0][0], place[0][1], place[1][0], place[1][1],
		issued, revoked, reason, "", "", issued, issued, salt})
	b.credCert = append(b.credCert, c.ID)
	g.report.Credentials++
	g.report.StatusEntries += 2
	g.event(b, portal.EventCredentialIssued, portal.SubjectCredential, cred, string(credID), 0,
		map[string]any{"user_certification": id, "cycle": 1, "user": user}, issued)
	return v
}

// statusPlace is the n-th credential's place on a list of purpose: lists
// fill one after another, each in an order that looks random (an odd
// multiplier is a bijection on the 2^17 indices), so an index does not
// tell when its credential was issued.
func (g *gen) statusPlace(purpose string, n int64) (*portal.StatusList, int) {
	per := int64(credentials.StatusListSize)
	k := (n - 1) / per
	j := (n - 1) % per
	mult := int64(0x9e37) | 1
	if purpose == portal.StatusSuspension {
		mult = int64(0x7f4b) | 1
	}
	return g.lists[purpose][k], int((j*mult + int64(g.cfg.Seed%uint64(per))) % per)
}

// addMonths is the same day months later, or the month's last day.
func addMonths(t time.Time, months int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(months), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(d, last), 0, 0, 0, 0, time.UTC)
}

// person draws a name group by weight.
func (g *gen) person() person {
	total := 0
	for _, p := range people {
		total += p.weight
	}
	r := g.rng.IntN(total)
	for _, p := range people {
		if r < p.weight {
			return p.p
		}
		r -= p.weight
	}
	return people[0].p
}

// loginID is a permanent login ID: the prefix and eight digits, a
// bijection of the account id so that IDs are unique and look random.
func (g *gen) loginID(id int64) string {
	return fmt.Sprintf("%s%08d", g.cfg.LoginIDPrefix, (id*7654321+int64(g.cfg.Seed%100_000_000))%100_000_000)
}

// code is a public reference: prefix and eight characters of the
// references' alphabet, a bijection of n (the multiplier is prime to 31),
// split in two groups of four.
func code(prefix string, n, salt int64) string {
	const alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
	const space = 31 * 31 * 31 * 31 * 31 * 31 * 31 * 31
	v := (n*1_000_003 + salt) % space
	var sb strings.Builder
	sb.WriteString(prefix)
	var digits [8]byte
	for i := 7; i >= 0; i-- {
		digits[i] = alphabet[v%31]
		v /= 31
	}
	sb.Write(digits[:4])
	sb.WriteByte('-')
	sb.Write(digits[4:])
	return sb.String()
}

// emailLocal is an email local part from a name: its ASCII letters, or
// "candidate" for a name in another script.
func emailLocal(first, last string) string {
	var sb strings.Builder
	for _, r := range strings.ToLower(first + "." + last) {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || r == '.') {
			sb.WriteRune(r)
		}
	}
	s := strings.Trim(sb.String(), ".")
	if len(s) < 3 || strings.Contains(s, "..") {
		return "candidate"
	}
	return s
}

// remindersSent writes the reminders of uc's expiry (and its expiry notice)
// that fell due by now, each sent when it fell due, with its event and
// audit entry: a program that has run for years has sent them, and a
// first start over the generated database finds none left to send.
func (g *gen) remindersSent(b *batch, uc *portal.UserCertification, code string) {
	for _, m := range append(slices.Clone(portal.DefaultReminderMonths), 0) {
		at, ok := uc.ReminderAt(m, g.loc)
		if !ok || at.After(g.now) || (m > 0 && !at.After(uc.IssuedAt)) {
			continue
		}
		b.reminders = append(b.reminders, []any{uc.ID, uc.ExpiresOn, m, uc.Cycle, 0, 0, at})
		g.report.Reminders++
		rec := credits.RecordOf(uc, code, credits.Reminder{MonthsBefore: m})
		g.event(b, rec.Event, portal.SubjectCertification, uc.ID, code, 0, rec.Payload, at)
		g.audit(b, 0, rec.Action, rec.Subject, rec.Detail, at)
	}
}

// Column lists of the tables a batch writes, in the order of its rows.
var (
	userColumns = []string{"id", "login_id", "email", "first_name", "last_name", "role", "language", "password_hash",
		"email_verified_at", "created_at", "updated_at", "country", "password_changed_at"}
	mfaColumns     = []string{"user_id", "phone", "phone_verified_at", "sms_enabled_at", "updated_at"}
	setColumns     = []string{"user_id", "set_name", "granted_by", "granted_at"}
	paymentColumns = []string{"id", "reference", "user_id", "provider", "purpose", "state", "amount_minor", "currency",
		"provider_ref", "created_at", "updated_at", "succeeded_at"}
	voucherColumns = []string{"id", "code", "percent", "exam_codes", "max_uses", "uses", "expires_at", "owner_user_id", "note", "created_at"}
	refundColumns  = []string{"id", "booking_id", "payment_id", "amount_minor", "currency", "state", "provider_ref", "created_at", "updated_at"}
	attemptColumns = []string{"id", "user_id", "exam_id", "exam_code", "certification_id", "booking_id", "taken_at", "score", "passed",
		"passing_score", "retake_wait_days", "retake_from", "domains", "state", "source", "official_at", "published_at",
		"entered_by", "confirmed_by", "confirmed_at", "created_at", "updated_at"}
	certColumns = []string{"id", "user_id", "certification_id", "attempt_id", "cycle", "kind", "validity_months", "issued_on",
		"expires_on", "issued_at", "expires_at", "created_at", "updated_at"}
	certVoucherColumns = []string{"user_certification_id", "cycle", "voucher_id", "created_at"}
	reminderColumns    = []string{"user_certification_id", "expires_on", "months_before", "cycle", "missing", "pending", "sent_at"}
	entryColumns       = []string{"list_id", "idx", "created_at"}
	credColumns        = []string{"id", "credential_id", "user_certification_id", "cycle", "signing_key_id", "revocation_list_id",
		"revocation_index", "suspension_list_id", "suspension_index", "issued_at", "revoked_at", "revocation_reason",
		"document_jsonld", "document_jwt", "created_at", "updated_at", "subject_salt"}
	eventColumns = []string{"id", "type", "subject_kind", "subject_id", "subject_ref", "actor_id", "payload", "created_at"}
	auditColumns = []string{"id", "actor_id", "action", "subject", "detail", "ip", "request_id", "changes", "created_at"}
)

// Places of the documents in a credential row.
const (
	credJSONLD = 12
	credJWT    = 13
)

// flush writes a batch, parents before children.
func (g *gen) flush(ctx context.Context, b *batch) error {
	tables := []struct {
		name    string
		columns []string
		rows    [][]any
	}{
		{"users", userColumns, b.users},
		{"user_mfa", mfaColumns, b.mfa},
		{"staff_permission_sets", setColumns, b.sets},
		{"payments", paymentColumns, b.payments},
		{"vouchers", voucherColumns, b.vouchers},
		{"bookings", bookingColumns, b.bookings},
		{"refunds", refundColumns, b.refunds},
		{"exam_attempts", attemptColumns, b.attempts},
		{"user_certifications", certColumns, b.certs},
		{"certification_vouchers", certVoucherColumns, b.certVouchers},
		{"certification_reminders", reminderColumns, b.reminders},
		{"status_list_entries", entryColumns, b.entries},
	}
	for _, t := range tables {
		if err := g.st.BulkInsert(ctx, t.name, t.columns, t.rows); err != nil {
			return err
		}
	}
	if err := g.writeCredentials(ctx, b); err != nil {
		return err
	}
	if err := g.st.BulkInsert(ctx, "events", eventColumns, b.events); err != nil {
		return err
	}
	return g.st.BulkInsert(ctx, "audit_log", auditColumns, b.audit)
}

// writeCredentials writes a batch's credentials. The first credential of a
// certification without a template is written unsigned and signed by the
// credentials service; its documents become the template the others
// store.
func (g *gen) writeCredentials(ctx context.Context, b *batch) error {
	var (
		first     [][]any
		firstCert []int64
	)
	for i, row := range b.creds {
		cert := b.credCert[i]
		if _, ok := g.templates[cert]; ok || row[10] != nil || slices.Contains(firstCert, cert) {
			continue
		}
		first, firstCert = append(first, row), append(firstCert, cert)
	}
	if len(first) > 0 {
		if err := g.st.BulkInsert(ctx, "credentials", credColumns, first); err != nil {
			return err
		}
		for i, row := range first {
			id := row[0].(int64)
			if err := g.cfg.Credentials.Sign(ctx, id); err != nil {
				return fmt.Errorf("sign template credential %d: %w", id, err)
			}
			c, err := g.st.GetCredential(ctx, id)
			if err != nil {
				return err
			}
			g.templates[firstCert[i]] = [2]string{c.DocumentJSONLD, c.DocumentJWT}
			g.report.Templates = append(g.report.Templates, c.CredentialID)
		}
	}
	rest := make([][]any, 0, len(b.creds))
	for i, row := range b.creds {
		if slices.ContainsFunc(first, func(f []any) bool { return f[0] == row[0] }) {
			continue
		}
		t, ok := g.templates[b.credCert[i]]
		if !ok || t[0] == "" {
			return fmt.Errorf("no template for certification %d", b.credCert[i])
		}
		row[credJSONLD], row[credJWT] = t[0], t[1]
		rest = append(rest, row)
	}
	return g.st.BulkInsert(ctx, "credentials", credColumns, rest)
}
