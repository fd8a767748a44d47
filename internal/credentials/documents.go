package credentials

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"example.org/certportal/internal/certdoc"
	"example.org/certportal/internal/pades"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// Messages of the document downloads.
const (
	// MsgDocumentPreparing refuses a document whose text cannot be
	// drawn yet: staff have been told which character.
	MsgDocumentPreparing = "documents.preparing"
)

// File is a signed PDF document as it is sent: its bytes and a file name.
type File struct {
	Name string
	Data []byte
}

// Headers are the HTTP headers both surfaces send a document with: a PDF
// attachment under its name, never sniffed, run or kept in a shared cache.
func (f *File) Headers() map[string]string {
	return map[string]string{
		"Content-Type":            "application/pdf",
		"Content-Disposition":     mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}),
		"Content-Length":          strconv.Itoa(len(f.Data)),
		"X-Content-Type-Options":  "nosniff",
		"Cache-Control":           "private, no-store",
		"Content-Security-Policy": "sandbox",
	}
}

// Serve writes the file as a download with its headers.
func (f *File) Serve(w http.ResponseWriter) error {
	for k, v := range f.Headers() {
		w.Header().Set(k, v)
	}
	_, err := w.Write(f.Data)
	return err
}

// plan is a document about to be served: its stored row, what it is laid
// out from (source, hashed to tell whether the stored file still shows
// the stored data), how to lay it out, and the stored file, if any.
type plan struct {
	doc    *portal.Document
	file   *portal.DocumentFile
	name   string
	source []byte
	render func() ([]byte, error)
}

// CertificatePDF returns the signed certificate of the holder's earned
// certification. Who may and which certifications have one are as for
// Certificate; the first download makes the document row with the
// program's paper size and the holder's language unless the holder chose.
// A name no bundled font can draw is refused (portal.EConflict, "being
// prepared") and staff see why (CertificateProblem).
func (s *Service) CertificatePDF(ctx context.Context, actor portal.Actor, userCertificationID int64) (*File, error) {
	logo, err := s.logo(ctx)
	if err != nil {
		return nil, err
	}
	return s.serveDocument(ctx, func(tx *store.Tx) (*plan, error) {
		// Locked as in ChooseCertificate: a revocation committing
		// meanwhile leaves no document row behind.
		uc, c, err := s.certificateCredential(ctx, tx, actor, userCertificationID, true)
		if err != nil {
			return nil, err
		}
		return s.certificatePlan(ctx, tx, uc, c, logo)
	})
}

// certificatePlan is the certificate of credential c, which attests uc's
// period: its document row (made with the program's paper size and the
// holder's language unless the holder chose) and its layout.
func (s *Service) certificatePlan(ctx context.Context, tx *store.Tx, uc *portal.UserCertification, c *portal.Credential, logo []byte) (*plan, error) {
	paper, lang, err := s.documentDefaults(ctx, tx, uc.UserID)
	if err != nil {
		return nil, err
	}
	doc, err := tx.EnsureDocument(ctx, portal.Document{Kind: portal.DocumentCertificate, SubjectID: c.ID, UserID: uc.UserID,
		Paper: paper, Language: lang, IssuedAt: c.IssuedAt})
	if err != nil {
		return nil, err
	}
	in, err := s.certificateLayout(ctx, tx, uc, c, logo)
	if err != nil {
		return nil, err
	}
	return s.newPlan(doc, fileName(in.Code, string(c.CredentialID)), in, func() ([]byte, error) {
		return s.cfg.Documents.Certificate(in)
	})
}

// certificateLayout is the layout input of a credential's certificate,
// from the certificate model (and so the document row when there is one).
func (s *Service) certificateLayout(ctx context.Context, tx *store.Tx, uc *portal.UserCertification, c *portal.Credential, logo []byte) (certdoc.Certificate, error) {
	cert, err := s.certificate(ctx, tx, uc, c)
	if err != nil {
		return certdoc.Certificate{}, err
	}
	status := portal.CertActive
	switch cert.Status {
	case CertificateExpired:
		status = portal.CertExpired
	case CertificateSuperseded:
		status = portal.CertSuperseded
	}
	return certdoc.Certificate{Name: cert.LegalName, Certification: cert.CertificationName, Code: cert.CertificationCode,
		IssuedOn: cert.IssuedOn, ExpiresOn: cert.ExpiresOn, CredentialID: cert.CredentialID.String(),
		VerifyURL: cert.VerificationURL, Program: cert.ProgramName, Logo: logo, Paper: certdoc.Paper(cert.Paper),
		Lang: cert.Language, IssuedAt: cert.IssuedAt, Status: status, SupersededBy: cert.SupersededBy.String()}, nil
}

// ScoreReportPDF returns the signed score report of one of the holder's
// official results; portal.ErrNotFound for a result not yet official and
// for anyone else's. Its instant is the result's latest stored change, so
// a correction makes it again.
func (s *Service) ScoreReportPDF(ctx context.Context, actor portal.Actor, attemptID int64) (*File, error) {
	if actor.Subject() == 0 {
		return nil, portal.ErrUnauthorized
	}
	logo, loc, err := s.documentContext(ctx)
	if err != nil {
		return nil, err
	}
	return s.serveDocument(ctx, func(tx *store.Tx) (*plan, error) {
		a, err := tx.GetAttempt(ctx, attemptID)
		if err != nil {
			return nil, err
		}
		if !actor.Owns(a.UserID) || !a.Official() {
			return nil, portal.ErrNotFound
		}
		u, err := tx.GetUser(ctx, a.UserID)
		if err != nil {
			return nil, err
		}
		paper, lang, err := s.documentDefaults(ctx, tx, a.UserID)
		if err != nil {
			return nil, err
		}
		issued := a.UpdatedAt
		if a.PublishedAt != nil && a.PublishedAt.After(issued) {
			issued = *a.PublishedAt
		}
		doc, err := tx.PutDocument(ctx, portal.Document{Kind: portal.DocumentScoreReport, SubjectID: a.ID, UserID: a.UserID,
			Paper: paper, Language: lang, IssuedAt: issued})
		if err != nil {
			return nil, err
		}
		ref := a.BookingReference
		if ref == "" {
			ref = fmt.Sprintf("%s-%d", a.ExamCode, a.ID)
		}
		in := certdoc.ScoreReport{Name: u.FullName(), Exam: a.ExamName, ExamCode: a.ExamCode,
			TakenOn: localDay(a.TakenAt, loc), Score: a.Score, PassingScore: a.PassingScore, Passed: a.Passed,
			Domains: a.Domains, Reference: ref, Program: s.cfg.ProgramName, Logo: logo,
			Paper: certdoc.Paper(doc.Paper), Lang: doc.Language, PublishedAt: doc.IssuedAt.UTC()}
		if !a.Passed && a.RetakeFrom != nil {
			in.RetakeFrom = localDay(*a.RetakeFrom, loc)
		}
		return s.newPlan(doc, fileName(a.ExamCode, "score-report", ref), in, func() ([]byte, error) {
			return s.cfg.Documents.ScoreReport(in)
		})
	})
}

// TranscriptPDF returns the signed transcript of the holder: every
// certification (but one a correction withdrew) with its status now, and
// every official result. Its instant is the latest stored change among
// them, or the latest expiry passed since, so the same record gives the
// same file.
func (s *Service) TranscriptPDF(ctx context.Context, actor portal.Actor) (*File, error) {
	uid := actor.Subject()
	if uid == 0 {
		return nil, portal.ErrUnauthorized
	}
	logo, loc, err := s.documentContext(ctx)
	if err != nil {
		return nil, err
	}
	return s.serveDocument(ctx, func(tx *store.Tx) (*plan, error) {
		u, err := tx.GetUser(ctx, uid)
		if err != nil {
			return nil, err
		}
		in, issued, err := s.transcriptRecord(ctx, tx, u, loc)
		if err != nil {
			return nil, err
		}
		paper, lang, err := s.documentDefaults(ctx, tx, uid)
		if err != nil {
			return nil, err
		}
		doc, err := tx.PutDocument(ctx, portal.Document{Kind: portal.DocumentTranscript, SubjectID: uid, UserID: uid,
			Paper: paper, Language: lang, IssuedAt: issued})
		if err != nil {
			return nil, err
		}
		in.Reference = fmt.Sprintf("T%d-%s", uid, doc.IssuedAt.UTC().Format("20060102T150405Z"))
		in.Program, in.Logo = s.cfg.ProgramName, logo
		in.Paper, in.Lang, in.IssuedAt = certdoc.Paper(doc.Paper), doc.Language, doc.IssuedAt.UTC()
		return s.newPlan(doc, fileName("transcript", in.Reference), in, func() ([]byte, error) {
			return s.cfg.Documents.Transcript(in)
		})
	})
}

// CETranscriptPDF returns the signed continuing-education transcript of
// the acting candidate: the totals of each certification in force and
// every submitted activity with its credits and decision, read by
// Config.CETranscript. Its instant is the latest stored change the record
// shows, so the same record gives the same file; it is stored and made
// again like the other documents.
func (s *Service) CETranscriptPDF(ctx context.Context, actor portal.Actor) (*File, error) {
	uid := actor.Subject()
	if uid == 0 {
		return nil, portal.ErrUnauthorized
	}
	if s.cfg.CETranscript == nil {
		return nil, portal.ErrNotFound
	}
	logo, err := s.logo(ctx)
	if err != nil {
		return nil, err
	}
	// The record is read before the document's transaction, which holds
	// the only writer on SQLite: the labels' language first.
	u, err := s.st.GetUser(ctx, uid)
	if err != nil {
		return nil, err
	}
	lang := s.holderLanguage(u)
	in, issued, err := s.cfg.CETranscript(ctx, actor, lang)
	if err != nil {
		return nil, err
	}
	return s.serveDocument(ctx, func(tx *store.Tx) (*plan, error) {
		paper, err := s.defaultPaper(ctx)
		if err != nil {
			return nil, err
		}
		doc, err := tx.PutDocument(ctx, portal.Document{Kind: portal.DocumentCETranscript, SubjectID: uid, UserID: uid,
			Paper: paper, Language: lang, IssuedAt: issued})
		if err != nil {
			return nil, err
		}
		in.Reference = fmt.Sprintf("CE%d-%s", uid, doc.IssuedAt.UTC().Format("20060102T150405Z"))
		in.Program, in.Logo = s.cfg.ProgramName, logo
		in.Paper, in.Lang, in.IssuedAt = certdoc.Paper(doc.Paper), doc.Language, doc.IssuedAt.UTC()
		return s.newPlan(doc, fileName("ce-transcript", in.Reference), in, func() ([]byte, error) {
			return s.cfg.Documents.CETranscript(in)
		})
	})
}

// transcriptRecord reads the holder's certifications and official
// results, and the instant of their latest change.
func (s *Service) transcriptRecord(ctx context.Context, tx *store.Tx, u *portal.User, loc *time.Location) (certdoc.Transcript, time.Time, error) {
	now := tx.Now()
	issued := u.CreatedAt
	later := func(t time.Time) {
		if t.After(issued) {
			issued = t
		}
	}
	in := certdoc.Transcript{Name: u.FullName()}
	certs, err := tx.ListUserCertifications(ctx, store.UserCertificationFilter{UserID: u.ID})
	if err != nil {
		return in, issued, err
	}
	for _, uc := range certs {
		if uc.WithdrawnAt != nil {
			continue
		}
		later(uc.UpdatedAt)
		// Expiry changes the status shown without a stored change.
		if !now.Before(uc.ExpiresAt) {
			later(uc.ExpiresAt)
		}
		row := certdoc.TranscriptCertification{Name: uc.Name, Code: uc.Code, Status: uc.Status(now, 0),
			IssuedOn: uc.IssuedOn, ExpiresOn: uc.ExpiresOn}
		c, err := tx.FindCredentialByUserCertification(ctx, uc.ID, uc.Cycle)
		switch {
		case err == nil:
			later(c.UpdatedAt)
			row.CredentialID = c.CredentialID.String()
		case !errors.Is(err, portal.ErrNotFound):
			return in, issued, err
		}
		in.Certifications = append(in.Certifications, row)
	}
	attempts, err := tx.ListAttempts(ctx, store.AttemptFilter{UserID: u.ID, States: []string{portal.AttemptOfficial}, Limit: 1000})
	if err != nil {
		return in, issued, err
	}
	for _, a := range attempts {
		later(a.UpdatedAt)
		in.Attempts = append(in.Attempts, certdoc.TranscriptAttempt{Exam: a.ExamName, Code: a.ExamCode,
			TakenOn: localDay(a.TakenAt, loc), Score: a.Score, Passed: a.Passed})
	}
	return in, issued.UTC(), nil
}

// newPlan hashes what a document is laid out from.
func (s *Service) newPlan(doc *portal.Document, name string, in any, render func() ([]byte, error)) (*plan, error) {
	src, err := json.Marshal(struct {
		Kind   string
		Layout any
	}{doc.Kind, in})
	if err != nil {
		return nil, fmt.Errorf("credentials: %s document %d: %w", doc.Kind, doc.ID, err)
	}
	return &plan{doc: doc, name: name, source: src, render: render}, nil
}

// serveDocument reads what a document shows in one transaction
// (prepare), then serves the stored file when it was made from the same
// data, makes it again with the recorded key when its bytes were lost
// (refusing, and logging, a file that does not hash as the stored one did),
// or else lays it out, signs it with the current key at the document's
// instant and stores it. Layout and signing run outside any transaction.
func (s *Service) serveDocument(ctx context.Context, prepare func(tx *store.Tx) (*plan, error)) (*File, error) {
	if s.cfg.Documents == nil {
		return nil, errors.New("credentials: documents are not configured")
	}
	var p *plan
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		var err error
		if p, err = prepare(tx); err != nil {
			return err
		}
		p.file, err = tx.GetDocumentFile(ctx, p.doc.ID)
		if errors.Is(err, portal.ErrNotFound) {
			p.file, err = nil, nil
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	source := hexSHA256(p.source)
	if p.file != nil && p.file.SourceSHA256 == source {
		if p.file.PDF != nil && hexSHA256(p.file.PDF) == p.file.PDFSHA256 {
			return &File{Name: p.name, Data: p.file.PDF}, nil
		}
		return s.remake(ctx, p)
	}
	key, err := s.CurrentDocumentKey(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.checkSigningKey(ctx, key); err != nil {
		return nil, err
	}
	data, err := s.layOutAndSign(ctx, p, key, signingTime(key, p.doc.IssuedAt))
	if err != nil {
		return nil, err
	}
	err = s.st.Transact(ctx, func(tx *store.Tx) error {
		return tx.SaveDocumentFile(ctx, portal.DocumentFile{DocumentID: p.doc.ID, SourceSHA256: source,
			DocumentKeyID: key.StoreID, PDF: data, PDFSHA256: hexSHA256(data)})
	})
	if err != nil {
		return nil, err
	}
	return &File{Name: p.name, Data: data}, nil
}

// remake makes a document whose stored bytes were lost again, with the
// key that signed it, and restores the bytes when they hash as before.
func (s *Service) remake(ctx context.Context, p *plan) (*File, error) {
	key, err := s.OpenDocumentKey(ctx, p.file.DocumentKeyID)
	if err != nil {
		return nil, err
	}
	data, err := s.layOutAndSign(ctx, p, key, signingTime(key, p.doc.IssuedAt))
	if err != nil {
		return nil, err
	}
	if got := hexSHA256(data); got != p.file.PDFSHA256 {
		s.log.ErrorContext(ctx, "credentials: a document made again differs from the stored one; not served",
			"kind", p.doc.Kind, "document", p.doc.ID, "stored_sha256", p.file.PDFSHA256, "made_sha256", got)
		return nil, fmt.Errorf("credentials: %s document %d made again hashes %s, stored %s", p.doc.Kind, p.doc.ID, got, p.file.PDFSHA256)
	}
	err = s.st.Transact(ctx, func(tx *store.Tx) error {
		_, err := tx.RestoreDocumentPDF(ctx, p.doc.ID, data, p.file.PDFSHA256)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &File{Name: p.name, Data: data}, nil
}

// layOutAndSign lays a document out and signs it at the time given (the
// document's instant, see signingTime). A text no bundled font draws is
// recorded for staff and refused to the holder; a layout that succeeds
// clears an earlier problem.
func (s *Service) layOutAndSign(ctx context.Context, p *plan, key *DocumentKey, at time.Time) ([]byte, error) {
	unsigned, err := p.render()
	if err := s.recordCheck(ctx, p.doc.Kind, p.doc.SubjectID, p.doc.UserID, err); err != nil {
		return nil, err
	}
	if err != nil {
		var te *certdoc.TextError
		if errors.As(err, &te) {
			return nil, &portal.Error{Code: portal.EConflict, Message: MsgDocumentPreparing}
		}
		return nil, fmt.Errorf("credentials: lay out %s document %d: %w", p.doc.Kind, p.doc.ID, err)
	}
	signed, err := pades.Sign(unsigned, key.Signer, at)
	if err != nil {
		return nil, fmt.Errorf("credentials: sign %s document %d: %w", p.doc.Kind, p.doc.ID, err)
	}
	return signed, nil
}

// recordCheck stores the outcome of a layout: the staff message of a
// text no bundled font draws, or none. Other failures record nothing.
func (s *Service) recordCheck(ctx context.Context, kind string, subjectID, userID int64, layoutErr error) error {
	check := portal.DocumentCheck{Kind: kind, SubjectID: subjectID, UserID: userID, ProblemData: "{}"}
	if layoutErr != nil {
		var te *certdoc.TextError
		if !errors.As(layoutErr, &te) {
			return nil
		}
		msg, ok := te.Public()
		if !ok {
			return nil
		}
		data, err := json.Marshal(msg.Data)
		if err != nil {
			return fmt.Errorf("credentials: %s %d: problem data: %w", kind, subjectID, err)
		}
		check.Problem, check.ProblemData = msg.Message, string(data)
		s.log.WarnContext(ctx, "credentials: a document cannot be made", "kind", kind, "subject", subjectID,
			"field", te.Field, "error", te.Err)
	}
	return s.st.Transact(ctx, func(tx *store.Tx) error { return tx.SaveDocumentCheck(ctx, check) })
}

// documentDefaults are the paper size and language of a holder's
// document until they choose: the program's paper and the holder's
// language when documents are made in it, else the default language.
func (s *Service) documentDefaults(ctx context.Context, tx *store.Tx, userID int64) (string, string, error) {
	paper, err := s.defaultPaper(ctx)
	if err != nil {
		return "", "", err
	}
	u, err := tx.GetUser(ctx, userID)
	if err != nil {
		return "", "", err
	}
	return paper, s.holderLanguage(u), nil
}

// holderLanguage is the holder's language when documents are made in it,
// else the default language.
func (s *Service) holderLanguage(u *portal.User) string {
	if base, _, _ := strings.Cut(u.Language, "-"); slices.Contains(s.languages(), base) {
		return base
	}
	return s.languages()[0]
}

// documentContext is what every document but the certificate needs from
// the program: its logo and its time zone.
func (s *Service) documentContext(ctx context.Context) ([]byte, *time.Location, error) {
	logo, err := s.logo(ctx)
	if err != nil {
		return nil, nil, err
	}
	loc := time.UTC
	if s.cfg.TimeZone != nil {
		if loc, err = s.cfg.TimeZone(ctx); err != nil {
			return nil, nil, err
		}
	}
	return logo, loc, nil
}

// logo is the program's logo as PNG, nil when it has none (no Config.Logo,
// or the program's logo is not found).
func (s *Service) logo(ctx context.Context) ([]byte, error) {
	var logo []byte
	if s.cfg.Logo != nil {
		var err error
		if logo, err = s.cfg.Logo(ctx); err != nil && !errors.Is(err, portal.ErrNotFound) {
			return nil, err
		}
	}
	return logo, nil
}

// localDay is the day of t in loc, as documents print it.
func localDay(t time.Time, loc *time.Location) string { return t.In(loc).Format(time.DateOnly) }

// fileName joins parts into a download's file name, keeping letters,
// digits and hyphens so that it needs no quoting anywhere.
func fileName(parts ...string) string {
	var b bytes.Buffer
	for i, part := range parts {
		if i > 0 {
			b.WriteByte('-')
		}
		for _, r := range part {
			switch {
			case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-':
				b.WriteRune(r)
			default:
				b.WriteByte('_')
			}
		}
	}
	return b.String() + ".pdf"
}

func hexSHA256(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
