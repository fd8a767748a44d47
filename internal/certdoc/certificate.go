package certdoc

import (
	"fmt"
	"time"

	"example.org/certportal/internal/pdf"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/typeset"
)

// Certificate is what a certificate shows, as stored with it.
type Certificate struct {
	// Name is the holder's legal name and NameLang its BCP 47 language.
	Name, NameLang string
	// Certification is the certification's name and Code its short code.
	Certification, Code string
	// IssuedOn and ExpiresOn are calendar days as stored ("2006-01-02");
	// ExpiresOn is the last valid day.
	IssuedOn, ExpiresOn string
	// CredentialID is in its display form (groups of four).
	CredentialID string
	// VerifyURL is the public verification page, printed and as a QR code.
	VerifyURL string
	Program   string
	// Logo is the program's logo as PNG; optional.
	Logo  []byte
	Paper Paper
	// Lang is the document's language (a catalog language: en, es).
	Lang string
	// IssuedAt is the stored issue instant: the file's creation date, and
	// with the credential ID its document ID.
	IssuedAt time.Time
	// Status is a portal.Cert* status: active and expiring print plainly,
	// expired is stamped with ExpiresOn, superseded is marked with
	// SupersededBy (the successor's credential ID). Any other status, a
	// revoked certificate above all, is refused.
	Status       string
	SupersededBy string
}

// qrSide is the printed side of the QR code itself, without its quiet
// zone: 28 mm, above the 25 mm a phone reads from a framed certificate.
const qrSide = 28 * 72 / 25.4

// Certificate lays out a certificate on one page.
func (r *Renderer) Certificate(c Certificate) ([]byte, error) {
	switch c.Status {
	case portal.CertActive, portal.CertExpiring, portal.CertExpired:
	case portal.CertSuperseded:
		if c.SupersededBy == "" {
			return nil, fmt.Errorf("certdoc: superseded certificate without its successor's credential ID: %w", portal.ErrInvalid)
		}
	case portal.CertRevoked:
		return nil, portal.Errorf(portal.EConflict, "certdoc.error.revoked", nil)
	default:
		return nil, portal.Errorf(portal.EConflict, "certdoc.error.status", map[string]any{"Status": c.Status})
	}
	if c.VerifyURL == "" || c.CredentialID == "" {
		return nil, fmt.Errorf("certdoc: a certificate needs its credential ID and verification URL: %w", portal.ErrInvalid)
	}
	d, err := r.newDoc(c.Paper, c.Lang, pdf.Info{Author: c.Program, Subject: c.Certification,
		Created: c.IssuedAt, ID: c.CredentialID}, "certdoc.certificate.title", c.CredentialID)
	if err != nil {
		return nil, err
	}
	p := d.AddPage(d.size)
	w, h := d.w, d.h
	// A frame of two lines, the outer one heavier.
	p.Rect(22, 22, w-44, h-44, 2.5, &navy, nil)
	p.Rect(30, 30, w-60, h-60, 0.6, &navy, nil)

	// The upper block is laid out for Letter, the shorter page, and moved
	// down on A4 so the extra height is shared above and below it.
	top := (h - 792) / 2
	wide := w - 150 // the widest a line may be inside the frame
	center := w / 2
	d.logo(p, c.Logo, c.Program, center-40, top+62, 80, 56)
	d.text(p, "program", center, top+146, []typeset.Span{value(c.Program, "")},
		pdf.TextStyle{Size: 13, Weight: typeset.Bold, Align: pdf.Center, MaxWidth: wide, Color: navy})
	d.text(p, "label", center, top+192, plain(d.T("certdoc.certificate.heading", nil)),
		pdf.TextStyle{Size: 26, Weight: typeset.Bold, Align: pdf.Center, MaxWidth: wide, Color: navy, Role: "H1"})
	p.Line(center-60, top+210, center+60, top+210, 0.8, navy)
	d.text(p, "label", center, top+246, plain(d.T("certdoc.certificate.certifies", nil)),
		pdf.TextStyle{Size: 13, Align: pdf.Center, Color: grey})
	d.text(p, "name", center, top+298, []typeset.Span{value(c.Name, c.NameLang)},
		pdf.TextStyle{Size: 34, Align: pdf.Center, MaxWidth: wide})
	d.text(p, "label", center, top+338, plain(d.T("certdoc.certificate.earned", nil)),
		pdf.TextStyle{Size: 13, Align: pdf.Center, Color: grey})
	d.text(p, "certification", center, top+376, []typeset.Span{value(c.Certification, "")},
		pdf.TextStyle{Size: 20, Weight: typeset.Bold, Align: pdf.Center, MaxWidth: wide, Color: navy})
	d.text(p, "code", center, top+400, d.spans("certdoc.certificate.code", nil, map[string]typeset.Span{"Code": value(c.Code, "")}),
		pdf.TextStyle{Size: 11, Align: pdf.Center, Color: grey})

	facts := []string{d.T("certdoc.certificate.issued", map[string]any{"Date": d.day("issue day", c.IssuedOn)})}
	if c.ExpiresOn != "" {
		facts = append(facts, d.T("certdoc.certificate.expires", map[string]any{"Date": d.day("expiry day", c.ExpiresOn)}))
	}
	facts = append(facts, d.T("certdoc.certificate.credential_id", map[string]any{"ID": c.CredentialID}))
	y := top + 446
	for _, f := range facts {
		d.text(p, "label", center, y, plain(f), pdf.TextStyle{Size: 11.5, Align: pdf.Center})
		y += 19
	}

	switch c.Status {
	case portal.CertExpired:
		stamp := d.T("certdoc.certificate.expired", map[string]any{"Date": d.day("expiry day", c.ExpiresOn)})
		d.stamp(p, center, y+22, stamp, stampRed)
	case portal.CertSuperseded:
		mark := d.T("certdoc.certificate.superseded", map[string]any{"ID": c.SupersededBy})
		d.stamp(p, center, y+22, mark, markAmber)
	}

	// The verification block sits at the foot of the page.
	qr, err := qrCode(c.VerifyURL)
	if err != nil {
		return nil, err
	}
	quiet := float64(qr.Bounds().Dx()) / float64(qr.Bounds().Dx()-2*qrQuiet*qrModule)
	side := qrSide * quiet
	qrTop := h - 82 - side
	d.text(p, "label", center, qrTop-8, plain(d.T("certdoc.certificate.verify", nil)),
		pdf.TextStyle{Size: 9.5, Align: pdf.Center, MaxWidth: wide, Color: grey})
	if d.err == nil {
		if err := p.Image(qr, center-side/2, qrTop, side, side, c.VerifyURL); err != nil {
			d.fail(fmt.Errorf("certdoc: QR code: %w", err))
		}
	}
	d.text(p, "verification URL", center, h-66, plain(c.VerifyURL),
		pdf.TextStyle{Size: 9.5, Align: pdf.Center, MaxWidth: wide, Color: navy})
	if d.err == nil {
		if err := p.Link(center-side/2, qrTop, side, side, c.VerifyURL, d.T("certdoc.certificate.verify_link", nil)); err != nil {
			d.fail(fmt.Errorf("certdoc: verification link: %w", err))
		}
	}
	return d.finish()
}

// stamp draws a short line of text in a double frame of its colour,
// centred on x with its baseline at y.
func (d *doc) stamp(p *pdf.Page, x, y float64, text string, c pdf.Color) {
	placed := d.text(p, "label", x, y, plain(text),
		pdf.TextStyle{Size: 15, Weight: typeset.Bold, Align: pdf.Center, MaxWidth: d.w - 190, Color: c})
	if d.err != nil {
		return
	}
	p.Rect(placed.X-14, y-placed.Size-6, placed.Width+28, placed.Size+14, 1.6, &c, nil)
	p.Rect(placed.X-10, y-placed.Size-2, placed.Width+20, placed.Size+6, 0.6, &c, nil)
}
