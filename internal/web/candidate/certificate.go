package candidate

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/boombuler/barcode/qr"

	"example.org/certportal/internal/credentials"
	"example.org/certportal/internal/i18n"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/web"
)

// The print-friendly certificate of one of the holder's certifications
// (/certifications/{id}/certificate): the page prints on one sheet of the
// stored paper size, without the site's header, footer or the choice form.
// The credentials service decides who sees it and refuses a revoked (410),
// suspended or unsigned (409) credential with the reason, which the error
// page shows.

type certificatePage struct {
	web.BasePage
	C *credentials.Certificate
	// CT is the localizer of the certificate's own language, which may
	// differ from the page's.
	CT *i18n.Localizer
	// QR is the verification URL as a QR code, an SVG data URI.
	QR   template.URL
	Form *web.Form
}

// PaperField and LanguageField are the selects of the choice form.
func (p *certificatePage) PaperField() web.Field {
	fl := web.NewField(p.T, p.Form, credentials.FieldPaper, "select", "certificate.choice.paper")
	for _, size := range []string{portal.PaperA4, portal.PaperLetter} {
		fl.Options = append(fl.Options, web.Option{Value: size, Label: p.T.T("certificate.paper."+size, nil), Selected: size == fl.Value})
	}
	return fl
}

func (p *certificatePage) LanguageField() web.Field {
	fl := web.NewField(p.T, p.Form, credentials.FieldLanguage, "select", "certificate.choice.language")
	for _, l := range p.Languages {
		fl.Options = append(fl.Options, web.Option{Value: l.Code, Label: l.Name, Selected: l.Code == fl.Value})
	}
	return fl
}

// PaperClass is the sheet's class, which selects the named @page of its
// size in the print style sheet.
func (p *certificatePage) PaperClass() string { return "paper-" + strings.ToLower(p.C.Paper) }

// handleCertificate shows the holder's certificate.
func (s *Pages) handleCertificate(w http.ResponseWriter, r *http.Request) error {
	if s.Credentials == nil {
		return portal.ErrNotFound
	}
	ucID, err := certificationID(r)
	if err != nil {
		return err
	}
	c, err := s.Credentials.Certificate(r.Context(), web.Actor(r), ucID)
	if err != nil {
		return err
	}
	f := web.NewForm()
	f.Values[credentials.FieldPaper], f.Values[credentials.FieldLanguage] = c.Paper, c.Language
	p, err := s.newCertificatePage(r, c, f)
	if err != nil {
		return err
	}
	return s.Render(w, r, http.StatusOK, "certificate", p)
}

// handleCertificateChoose stores the paper size and language of the
// holder's certificate and shows it again.
func (s *Pages) handleCertificateChoose(w http.ResponseWriter, r *http.Request) error {
	if s.Credentials == nil {
		return portal.ErrNotFound
	}
	ucID, err := certificationID(r)
	if err != nil {
		return err
	}
	if err := web.ParseForm(r); err != nil {
		return err
	}
	f := web.FormFrom(r, credentials.FieldPaper, credentials.FieldLanguage)
	ch := credentials.CertificateChoice{Paper: f.Value(credentials.FieldPaper), Language: f.Value(credentials.FieldLanguage)}
	if _, err := s.Credentials.ChooseCertificate(r.Context(), web.Actor(r), ucID, ch); err != nil {
		if portal.ErrorCode(err) != portal.EInvalid {
			return err
		}
		c, cerr := s.Credentials.Certificate(r.Context(), web.Actor(r), ucID)
		if cerr != nil {
			return cerr
		}
		p, perr := s.newCertificatePage(r, c, f)
		if perr != nil {
			return perr
		}
		s.ApplyError(&p.BasePage, f, err, credentials.FieldPaper)
		return s.Render(w, r, web.FormStatus(err), "certificate", p)
	}
	http.Redirect(w, r, certificatePath(ucID), http.StatusSeeOther)
	return nil
}

func (s *Pages) newCertificatePage(r *http.Request, c *credentials.Certificate, f *web.Form) (*certificatePage, error) {
	qrURI, err := qrDataURI(c.VerificationURL)
	if err != nil {
		return nil, err
	}
	p := &certificatePage{C: c, CT: s.Catalog.Localizer(c.Language), QR: qrURI, Form: f}
	s.FillBase(r, &p.BasePage, "certificate.title")
	p.NoIndex = true
	return p, nil
}

// certificatePath is the certificate page of an earned certification.
func certificatePath(ucID int64) string {
	return "/certifications/" + strconv.FormatInt(ucID, 10) + "/certificate"
}

// cycleCertificatePath is the certificate PDF of one cycle of an earned
// certification.
func cycleCertificatePath(ucID int64, cycle int) string {
	return "/certifications/" + strconv.FormatInt(ucID, 10) + "/cycles/" + strconv.Itoa(cycle) + "/certificate.pdf"
}

// qrQuietZone is the margin of light modules the QR code standard asks
// for around the symbol, so that scanners find its edges on any
// background.
const qrQuietZone = 4

// qrDataURI draws text as a QR code (error correction M, so a scuffed
// print still reads) in an SVG of one unit per module, as a data URI that
// the page's content security policy admits for images.
func qrDataURI(text string) (template.URL, error) {
	code, err := qr.Encode(text, qr.M, qr.Auto)
	if err != nil {
		return "", fmt.Errorf("web: QR code of %q: %w", text, err)
	}
	b := code.Bounds()
	size := b.Dx() + 2*qrQuietZone
	var svg bytes.Buffer
	fmt.Fprintf(&svg, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges">`, size, size)
	fmt.Fprintf(&svg, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, size, size)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if r, _, _, _ := code.At(x, y).RGBA(); r == 0 {
				fmt.Fprintf(&svg, "M%d %dh1v1h-1z", x-b.Min.X+qrQuietZone, y-b.Min.Y+qrQuietZone)
			}
		}
	}
	svg.WriteString(`"/></svg>`)
	return template.URL("data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString(svg.Bytes())), nil
}

// certificationID reads the {id} of the path; anything else is not found.
func certificationID(r *http.Request) (int64, error) { return web.PathID(r) }
