package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

// resultsWorld is a valid state of results: a pass that earned its
// certification and voucher (a1, uc1, v1), a later pass of the same
// certification while it stood (a2, which issued none), a preliminary
// failure (a3), an imported row parked and attached (p, to a4), and an
// ended booking that used the pass voucher for half its price (b).
type resultsWorld struct {
	ctx                context.Context
	engine             string
	st                 *store.Store
	user               int64
	a1, a2, a3, a4     *portal.Attempt
	uc1                *portal.UserCertification
	v1                 *portal.Voucher
	imp                *portal.ResultImport
	other, second      int64 // another candidate; a certification planted by a test
	parked, booking    int64
	t1, t2, certExpiry time.Time
}

func newResultsWorld(t *testing.T, engine string) *resultsWorld {
	t.Helper()
	clock := testutil.NewClock(t0)
	w := &resultsWorld{ctx: context.Background(), engine: engine, st: testutil.MustOpenStore(t, engine, clock)}
	w.t1, w.t2 = t0.AddDate(0, 0, 7), t0.AddDate(0, 0, 40)
	var exam *portal.Exam
	var cert *portal.Certification
	var staff int64
	do := func(at time.Time, fn func(tx *store.Tx) error) {
		t.Helper()
		clock.Set(at)
		if err := w.st.Transact(w.ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	do(t0, func(tx *store.Tx) error {
		verified := t0
		u, err := tx.CreateUser(w.ctx, store.UserCreate{LoginID: "CP00000101", Email: "ada@example.org", FirstName: "Ada",
			LastName: "Lovelace", Role: portal.RoleCandidate, Language: "en", EmailVerifiedAt: &verified, Country: "US"})
		if err != nil {
			return err
		}
		w.user = u.ID
		s, err := tx.CreateUser(w.ctx, store.UserCreate{LoginID: "CP00000102", Email: "officer@example.org", FirstName: "Grace",
			LastName: "Hopper", Role: portal.RoleStaff, Language: "en", EmailVerifiedAt: &verified, Country: "US"})
		if err != nil {
			return err
		}
		staff = s.ID
		o, err := tx.CreateUser(w.ctx, store.UserCreate{LoginID: "CP00000103", Email: "bob@example.org", FirstName: "Bob",
			LastName: "Other", Role: portal.RoleCandidate, Language: "en", EmailVerifiedAt: &verified, Country: "US"})
		if err != nil {
			return err
		}
		w.other = o.ID
		if exam, err = tx.CreateExam(w.ctx, portal.Exam{Code: "SAA-C03", Name: "Solutions Architect", Level: portal.LevelAssociate,
			Kind: portal.KindExam, DurationMinutes: 120, Languages: "en", Delivery: portal.DeliveryOnline, PriceMinor: 15000,
			Currency: "USD", PassingScore: 720, RetakeWaitDays: 14, MaxReschedules: 2, ValidityMonths: 36, Active: true}); err != nil {
			return err
		}
		cert, err = tx.CreateCertification(w.ctx, portal.Certification{Code: "SAA", Name: "Solutions Architect – Associate",
			Level: portal.LevelAssociate, Kind: portal.CertKindCertification, ValidityMonths: 36, Active: true})
		return err
	})
	attempt := func(tx *store.Tx, taken time.Time, passed bool, state string) (*portal.Attempt, error) {
		a := portal.Attempt{UserID: w.user, ExamID: exam.ID, ExamCode: exam.Code, CertificationID: &cert.ID, TakenAt: taken,
			Score: 800, Passed: passed, PassingScore: 720, RetakeWaitDays: 14, State: state, Source: portal.SourceImport,
			OfficialAt: tx.Now()}
		if !passed {
			a.Score = 500
			from := taken.AddDate(0, 0, 14)
			a.RetakeFrom = &from
		}
		if state == portal.AttemptOfficial {
			now := tx.Now()
			a.PublishedAt = &now
		} else {
			a.OfficialAt = tx.Now().AddDate(0, 0, 7)
		}
		out, err := tx.InsertAttempt(w.ctx, a)
		if err != nil {
			return nil, err
		}
		if state == portal.AttemptOfficial {
			err = tx.AppendEvent(portal.EventResultPublished, portal.SubjectAttempt, out.ID, "", 0, nil)
		}
		return out, err
	}
	w.certExpiry = t0.AddDate(3, 0, 1)
	do(w.t1, func(tx *store.Tx) error {
		var err error
		if w.a1, err = attempt(tx, t0, true, portal.AttemptOfficial); err != nil {
			return err
		}
		if w.uc1, err = tx.InsertUserCertification(w.ctx, portal.UserCertification{UserID: w.user, CertificationID: cert.ID,
			AttemptID: w.a1.ID, Cycle: 1, Kind: cert.Kind, ValidityMonths: 36, IssuedOn: "2026-11-23", ExpiresOn: "2029-11-23",
			IssuedAt: t0, ExpiresAt: w.certExpiry}); err != nil {
			return err
		}
		owner := w.user
		if w.v1, err = tx.CreateVoucher(w.ctx, portal.Voucher{Code: "PASSINVARIANT0001", Percent: 50, MaxUses: 1,
			ExpiresAt: w.certExpiry, OwnerUserID: &owner, Note: "Pass voucher: SAA"}); err != nil {
			return err
		}
		return tx.InsertCertificationVoucher(w.ctx, w.uc1.ID, 1, w.v1.ID)
	})
	do(w.t2, func(tx *store.Tx) error {
		var err error
		if w.a2, err = attempt(tx, w.t2.Add(-24*time.Hour), true, portal.AttemptOfficial); err != nil {
			return err
		}
		if w.a3, err = attempt(tx, w.t2.Add(-48*time.Hour), false, portal.AttemptPreliminary); err != nil {
			return err
		}
		if w.imp, err = tx.CreateResultImport(w.ctx, store.ResultImportCreate{FileName: "results.csv", Format: portal.ImportCSV,
			CreatedBy: staff}); err != nil {
			return err
		}
		a := portal.Attempt{UserID: w.user, ExamID: exam.ID, ExamCode: exam.Code, CertificationID: &cert.ID,
			TakenAt: w.t2.Add(-72 * time.Hour), Score: 800, Passed: true, PassingScore: 720, RetakeWaitDays: 14,
			State: portal.AttemptPreliminary, Source: portal.SourceImport, ImportID: &w.imp.ID, OfficialAt: w.t2.AddDate(0, 0, 7)}
		if w.a4, err = tx.InsertAttempt(w.ctx, a); err != nil {
			return err
		}
		p, err := tx.InsertParkedResult(w.ctx, portal.ParkedResult{ImportID: w.imp.ID, RowNumber: 1, Email: "ada@example.org",
			Data: `{"cells":{"email":"ada@example.org","exam_code":" saa-c03","score":"800"}}`})
		if err != nil {
			return err
		}
		w.parked = p.ID
		return tx.AttachParkedResult(w.ctx, p.ID, w.a4.ID)
	})
	slot := w.insert(t, `INSERT INTO slots (starts_at, session, capacity, taken, created_at) VALUES (?, 'online', 5, 0, ?)`,
		w.t2.AddDate(0, 0, 10), w.t2)
	w.booking = w.insert(t, `INSERT INTO bookings (reference, user_id, exam_id, slot_id, state, language, price_minor, discount_minor,
		currency, voucher_id, voucher_released_at, policy, hold_ip, created_at, updated_at)
		VALUES ('B-PASSV', ?, ?, ?, 'expired', 'en', 15000, 7500, 'USD', ?, ?, '{}', '192.0.2.1', ?, ?)`,
		w.user, exam.ID, slot, w.v1.ID, w.t2, w.t2, w.t2)
	w.mustHold(t)
	return w
}

func (w *resultsWorld) insert(t *testing.T, q string, args ...any) int64 {
	t.Helper()
	var id int64
	if err := w.st.DB().QueryRowContext(w.ctx, testutil.Rebind(w.engine, q+" RETURNING id"), args...).Scan(&id); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return id
}

func (w *resultsWorld) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if _, err := w.st.WriteDB().ExecContext(w.ctx, testutil.Rebind(w.engine, q), args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// mustHold fails the test on any violation.
func (w *resultsWorld) mustHold(t *testing.T) {
	t.Helper()
	v, err := w.st.CheckInvariants(w.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(v) > 0 {
		t.Fatalf("invariants violated:\n  %s", strings.Join(v, "\n  "))
	}
}

// TestResultsInvariantsDetect pins that the results invariants are not
// vacuous: each broken state of results, certifications and pass vouchers
// written behind the services' back is reported, and the report clears
// when it is undone. Both engines.
func TestResultsInvariantsDetect(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		w := newResultsWorld(t, engine)
		a1, a2, a3, a4, uc1, v1, u := w.a1.ID, w.a2.ID, w.a3.ID, w.a4.ID, w.uc1.ID, w.v1.ID, w.user
		for _, tc := range []struct {
			name          string
			corrupt, undo func(t *testing.T)
			want          string
		}{
			{
				// The table's CHECK forbids it; bypass it as a buggy
				// migration might have.
				name: "official without published_at",
				corrupt: func(t *testing.T) {
					if engine == store.Postgres {
						w.exec(t, `ALTER TABLE exam_attempts DROP CONSTRAINT exam_attempts_published_check`)
						w.exec(t, `UPDATE exam_attempts SET published_at = NULL WHERE id = ?`, a1)
						return
					}
					w.exec(t, `PRAGMA ignore_check_constraints = ON`)
					defer w.exec(t, `PRAGMA ignore_check_constraints = OFF`)
					w.exec(t, `UPDATE exam_attempts SET published_at = NULL WHERE id = ?`, a1)
				},
				undo: func(t *testing.T) {
					w.exec(t, `UPDATE exam_attempts SET published_at = ? WHERE id = ?`, w.t1, a1)
					if engine == store.Postgres {
						w.exec(t, `ALTER TABLE exam_attempts ADD CONSTRAINT exam_attempts_published_check
							CHECK ((state = 'official') = (published_at IS NOT NULL))`)
					}
				},
				want: fmt.Sprintf("attempt %d is official without published_at", a1),
			},
			{
				name: "published before its official instant",
				corrupt: func(t *testing.T) {
					w.exec(t, `UPDATE exam_attempts SET official_at = ? WHERE id = ?`, w.t1.Add(time.Hour), a1)
				},
				undo: func(t *testing.T) { w.exec(t, `UPDATE exam_attempts SET official_at = ? WHERE id = ?`, w.t1, a1) },
				want: fmt.Sprintf("attempt %d is official published before its official instant", a1),
			},
			{
				name: "published twice",
				corrupt: func(t *testing.T) {
					w.exec(t, `INSERT INTO events (id, type, subject_kind, subject_id, subject_ref, payload, created_at)
						VALUES (2000000, 'result.published', 'attempt', ?, '', '{}', ?)`, a1, w.t2)
				},
				undo: func(t *testing.T) { w.exec(t, `DELETE FROM events WHERE id = 2000000`) },
				want: fmt.Sprintf("attempt %d: 2 result.published events, official", a1),
			},
			{
				name: "published event of a preliminary result",
				corrupt: func(t *testing.T) {
					w.exec(t, `INSERT INTO events (id, type, subject_kind, subject_id, subject_ref, payload, created_at)
						VALUES (2000001, 'result.published', 'attempt', ?, '', '{}', ?)`, a3, w.t2)
				},
				undo: func(t *testing.T) { w.exec(t, `DELETE FROM events WHERE id = 2000001`) },
				want: fmt.Sprintf("attempt %d: 1 result.published events, preliminary", a3),
			},
			{
				// The certification a1 earned ran out before a2 passed: a2
				// should have issued a new one.
				name: "pass that issued none after the certification expired",
				corrupt: func(t *testing.T) {
					w.exec(t, `UPDATE user_certifications SET expires_at = ? WHERE id = ?`, w.t2.Add(-time.Hour), uc1)
				},
				undo: func(t *testing.T) {
					w.exec(t, `UPDATE user_certifications SET expires_at = ? WHERE id = ?`, w.certExpiry, uc1)
				},
				want: fmt.Sprintf("attempt %d of user %d: an official pass of certification", a2, u),
			},
			{
				name: "pass that issued none and nothing else stood",
				corrupt: func(t *testing.T) {
					w.exec(t, `UPDATE user_certifications SET withdrawn_at = ? WHERE id = ?`, w.t1, uc1)
				},
				undo: func(t *testing.T) { w.exec(t, `UPDATE user_certifications SET withdrawn_at = NULL WHERE id = ?`, uc1) },
				want: fmt.Sprintf("attempt %d of user %d: an official pass of certification %d with no certification of its own", a1, u,
					*w.a1.CertificationID),
			},
			{
				name: "second certification while one stood",
				corrupt: func(t *testing.T) {
					w.second = w.insert(t, `INSERT INTO user_certifications (user_id, certification_id, attempt_id, cycle, kind, validity_months,
						issued_on, expires_on, issued_at, expires_at, created_at, updated_at)
						VALUES (?, ?, ?, 2, ?, 36, '2026-12-31', '2029-12-31', ?, ?, ?, ?)`, u, w.uc1.CertificationID, a2,
						w.uc1.Kind, w.t2, w.t2.AddDate(3, 0, 0), w.t2, w.t2)
				},
				undo: func(t *testing.T) { w.exec(t, `DELETE FROM user_certifications WHERE id = ?`, w.second) },
				want: fmt.Sprintf(" issued while %d stood", uc1),
			},
			{
				name: "certification of a failed attempt",
				corrupt: func(t *testing.T) {
					w.exec(t, `UPDATE exam_attempts SET passed = FALSE, score = 500, retake_from = ? WHERE id = ?`, t0.AddDate(0, 0, 14), a1)
				},
				undo: func(t *testing.T) {
					w.exec(t, `UPDATE exam_attempts SET passed = TRUE, score = 800, retake_from = NULL WHERE id = ?`, a1)
				},
				want: fmt.Sprintf("certification %d of user %d: attempt %d of user %d is official failed", uc1, u, a1, u),
			},
			{
				name:    "certification of a result not yet official",
				corrupt: func(t *testing.T) { w.exec(t, `UPDATE user_certifications SET attempt_id = ? WHERE id = ?`, a4, uc1) },
				undo:    func(t *testing.T) { w.exec(t, `UPDATE user_certifications SET attempt_id = ? WHERE id = ?`, a1, uc1) },
				want:    fmt.Sprintf("certification %d of user %d: attempt %d of user %d is preliminary passed", uc1, u, a4, u),
			},
			{
				name: "certification withdrawn though its pass stands",
				corrupt: func(t *testing.T) {
					w.exec(t, `UPDATE user_certifications SET withdrawn_at = ? WHERE id = ?`, w.t2, uc1)
					w.exec(t, `UPDATE vouchers SET disabled_at = ? WHERE id = ?`, w.t2, v1)
				},
				undo: func(t *testing.T) {
					w.exec(t, `UPDATE user_certifications SET withdrawn_at = NULL WHERE id = ?`, uc1)
					w.exec(t, `UPDATE vouchers SET disabled_at = NULL WHERE id = ?`, v1)
				},
				want: fmt.Sprintf("attempt %d of user %d is official passed, the certification withdrawn", a1, u),
			},
			{
				name:    "certification of another candidate's attempt",
				corrupt: func(t *testing.T) { w.exec(t, `UPDATE exam_attempts SET user_id = ? WHERE id = ?`, w.other, a1) },
				undo:    func(t *testing.T) { w.exec(t, `UPDATE exam_attempts SET user_id = ? WHERE id = ?`, u, a1) },
				want:    fmt.Sprintf("certification %d of user %d: attempt %d of user %d is official passed", uc1, u, a1, w.other),
			},
			{
				name: "certification without its voucher",
				corrupt: func(t *testing.T) {
					w.exec(t, `DELETE FROM certification_vouchers WHERE user_certification_id = ?`, uc1)
				},
				undo: func(t *testing.T) {
					w.exec(t, `INSERT INTO certification_vouchers (user_certification_id, cycle, voucher_id, created_at) VALUES (?, 1, ?, ?)`,
						uc1, v1, w.t1)
				},
				want: fmt.Sprintf("certification %d of user %d cycle 1 has no voucher", uc1, u),
			},
			{
				name:    "pass voucher not 50 %",
				corrupt: func(t *testing.T) { w.exec(t, `UPDATE vouchers SET percent = 100 WHERE id = ?`, v1) },
				undo:    func(t *testing.T) { w.exec(t, `UPDATE vouchers SET percent = 50 WHERE id = ?`, v1) },
				want:    fmt.Sprintf("voucher %d of certification %d: 100 percent", v1, uc1),
			},
			{
				name:    "pass voucher of several uses",
				corrupt: func(t *testing.T) { w.exec(t, `UPDATE vouchers SET max_uses = 2 WHERE id = ?`, v1) },
				undo:    func(t *testing.T) { w.exec(t, `UPDATE vouchers SET max_uses = 1 WHERE id = ?`, v1) },
				want:    fmt.Sprintf("voucher %d of certification %d: 2 uses", v1, uc1),
			},
			{
				name:    "pass voucher owned by nobody",
				corrupt: func(t *testing.T) { w.exec(t, `UPDATE vouchers SET owner_user_id = NULL WHERE id = ?`, v1) },
				undo:    func(t *testing.T) { w.exec(t, `UPDATE vouchers SET owner_user_id = ? WHERE id = ?`, u, v1) },
				want:    fmt.Sprintf("voucher %d of certification %d: not owned by user %d", v1, uc1, u),
			},
			{
				name:    "pass voucher for one exam only",
				corrupt: func(t *testing.T) { w.exec(t, `UPDATE vouchers SET exam_codes = 'SAA-C03' WHERE id = ?`, v1) },
				undo:    func(t *testing.T) { w.exec(t, `UPDATE vouchers SET exam_codes = '' WHERE id = ?`, v1) },
				want:    fmt.Sprintf("voucher %d of certification %d: only for SAA-C03", v1, uc1),
			},
			{
				name: "pass voucher outliving its certification",
				corrupt: func(t *testing.T) {
					w.exec(t, `UPDATE vouchers SET expires_at = ? WHERE id = ?`, w.certExpiry.Add(time.Hour), v1)
				},
				undo: func(t *testing.T) { w.exec(t, `UPDATE vouchers SET expires_at = ? WHERE id = ?`, w.certExpiry, v1) },
				want: fmt.Sprintf("voucher %d of certification %d: expires other than its certification", v1, uc1),
			},
			{
				// A correction made a1 a fail: the certification is
				// withdrawn, and its unused voucher must be voided.
				name: "unused pass voucher kept after a withdrawal",
				corrupt: func(t *testing.T) {
					w.exec(t, `UPDATE exam_attempts SET passed = FALSE, score = 500, retake_from = ? WHERE id = ?`, t0.AddDate(0, 0, 14), a1)
					w.exec(t, `UPDATE user_certifications SET withdrawn_at = ? WHERE id = ?`, w.t2, uc1)
				},
				undo: func(t *testing.T) {
					w.exec(t, `UPDATE exam_attempts SET passed = TRUE, score = 800, retake_from = NULL WHERE id = ?`, a1)
					w.exec(t, `UPDATE user_certifications SET withdrawn_at = NULL WHERE id = ?`, uc1)
				},
				want: fmt.Sprintf("voucher %d of certification %d: unused and enabled though its certification was withdrawn", v1, uc1),
			},
			{
				name:    "pass voucher took more than half the price",
				corrupt: func(t *testing.T) { w.exec(t, `UPDATE bookings SET discount_minor = 7501 WHERE id = ?`, w.booking) },
				undo:    func(t *testing.T) { w.exec(t, `UPDATE bookings SET discount_minor = 7500 WHERE id = ?`, w.booking) },
				want:    fmt.Sprintf("booking %d: pass voucher %d took 7501 off 15000", w.booking, v1),
			},
			{
				name: "parked row attached to an attempt of another exam",
				corrupt: func(t *testing.T) {
					w.exec(t, `UPDATE parked_results SET data = '{"cells":{"email":"ada@example.org","exam_code":"CLF-C02"}}' WHERE id = ?`, w.parked)
				},
				undo: func(t *testing.T) {
					w.exec(t, `UPDATE parked_results SET data = '{"cells":{"email":"ada@example.org","exam_code":" saa-c03"}}' WHERE id = ?`, w.parked)
				},
				want: fmt.Sprintf("parked result %d (import %d row 1): attempt %d of SAA-C03", w.parked, w.imp.ID, a4),
			},
			{
				name:    "parked row attached to an attempt of no import",
				corrupt: func(t *testing.T) { w.exec(t, `UPDATE exam_attempts SET import_id = NULL WHERE id = ?`, a4) },
				undo:    func(t *testing.T) { w.exec(t, `UPDATE exam_attempts SET import_id = ? WHERE id = ?`, w.imp.ID, a4) },
				want:    fmt.Sprintf("attempt %d of SAA-C03 from import 0", a4),
			},
		} {
			t.Run(tc.name, func(t *testing.T) {
				tc.corrupt(t)
				got, err := w.st.CheckInvariants(w.ctx)
				if err != nil {
					t.Fatal(err)
				}
				found := false
				for _, s := range got {
					found = found || strings.Contains(s, tc.want)
				}
				if !found {
					t.Errorf("violations = %q, want one containing %q", got, tc.want)
				}
				tc.undo(t)
				w.mustHold(t)
			})
		}
	})
}
