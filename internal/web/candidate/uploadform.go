package candidate

import (
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"time"

	"example.org/certportal/internal/portal"
)

// uploadForm is a multipart form read as a stream: its text fields, the
// files the service accepted (in the order sent) with the field each came
// in, and the problems by field, a refused file's under its field's name.
type uploadForm struct {
	Values  url.Values
	Uploads []formUpload
	Fields  []portal.FieldError
}

// formUpload is one accepted file and the form field it came in.
type formUpload struct {
	Field  string
	Upload *portal.Upload
}

// uploadFormLimits bound a form with files. The route's body limit
// (webRoute) applies as well; MaxBody is this form's own, usually the
// same, and refuses the whole request (413) once passed.
type uploadFormLimits struct {
	MaxBody       int64          // whole body, files included
	ReadTimeout   time.Duration  // the whole body must arrive within this
	MaxFiles      map[string]int // file fields and how many files each takes; other file fields are refused
	MaxValueBytes int64          // one text field (default 64 KiB)
	MaxValues     int            // text fields in all (default 100)
}

// acceptFunc hands one file to the service that owns it, which checks and
// stores it (uploads.Service.Accept behind the service's own rules).
type acceptFunc func(ctx context.Context, field, filename string, body io.Reader) (*portal.Upload, error)

// readUploadForm reads r's multipart body part by part with
// r.MultipartReader (never ParseMultipartForm: nothing is buffered whole
// in memory or spooled to disk by net/http), under a body limit and a
// read deadline. Each file part goes straight to accept as a stream. A
// file the service refuses as invalid or too large becomes a field error
// and the form goes on; any other refusal (a rate limit, say) ends the
// request with that error. A body that is not multipart is a 400; one
// past MaxBody a 413.
func readUploadForm(w http.ResponseWriter, r *http.Request, lim uploadFormLimits, accept acceptFunc) (*uploadForm, error) {
	if lim.MaxValueBytes <= 0 {
		lim.MaxValueBytes = 64 << 10
	}
	if lim.MaxValues <= 0 {
		lim.MaxValues = 100
	}
	if lim.MaxBody > 0 {
		r.Body = http.MaxBytesReader(w, r.Body, lim.MaxBody)
	}
	if lim.ReadTimeout > 0 {
		err := http.NewResponseController(w).SetReadDeadline(time.Now().Add(lim.ReadTimeout))
		if err != nil && !errors.Is(err, http.ErrNotSupported) {
			return nil, err
		}
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, portal.Refuse(portal.ErrBadRequest, "upload.form.unreadable")
	}
	form := &uploadForm{Values: url.Values{}}
	files := map[string]int{}
	values := 0
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, formReadError(err)
		}
		field := part.FormName()
		max, fileField := lim.MaxFiles[field]
		if part.FileName() == "" && !fileField {
			values++
			if values > lim.MaxValues {
				return nil, portal.Refuse(portal.ErrTooLarge, "upload.form.too_large")
			}
			v, err := io.ReadAll(io.LimitReader(part, lim.MaxValueBytes+1))
			if err != nil {
				return nil, formReadError(err)
			}
			if int64(len(v)) > lim.MaxValueBytes {
				form.Fields = append(form.Fields, portal.FieldError{Field: field, Message: "upload.form.field_too_long"})
				continue
			}
			form.Values.Add(field, string(v))
			continue
		}
		if !fileField {
			// A file where the form has none: ignored.
			if err := drain(part); err != nil {
				return nil, formReadError(err)
			}
			continue
		}
		if part.FileName() == "" {
			// A file input left empty sends a part with no name and no
			// bytes: nothing was chosen.
			if err := drain(part); err != nil {
				return nil, formReadError(err)
			}
			continue
		}
		if files[field] >= max {
			if err := drain(part); err != nil {
				return nil, formReadError(err)
			}
			if !hasField(form.Fields, field, "upload.form.too_many") {
				form.Fields = append(form.Fields, portal.FieldError{Field: field, Message: "upload.form.too_many",
					Data: map[string]any{"Count": max}})
			}
			continue
		}
		u, err := accept(r.Context(), field, part.FileName(), part)
		if err != nil {
			var maxErr *http.MaxBytesError
			var netErr net.Error
			if errors.As(err, &maxErr) || errors.As(err, &netErr) {
				return nil, formReadError(err)
			}
			var pe *portal.Error
			if k := portal.KindOf(err); errors.As(err, &pe) && (k.Kind == portal.ErrInvalid || k.Kind == portal.ErrTooLarge) {
				form.Fields = append(form.Fields, portal.FieldError{Field: field, Message: pe.Message, Data: pe.Data})
				if err := drain(part); err != nil {
					return nil, formReadError(err)
				}
				continue
			}
			return nil, err
		}
		files[field]++ // only accepted files count; the body limit bounds the rest
		form.Uploads = append(form.Uploads, formUpload{Field: field, Upload: u})
	}
	return form, nil
}

func hasField(fs []portal.FieldError, field, message string) bool {
	for _, f := range fs {
		if f.Field == field && f.Message == message {
			return true
		}
	}
	return false
}

func drain(part *multipart.Part) error {
	_, err := io.Copy(io.Discard, part)
	return err
}

// formReadError is the refusal of a body that could not be read: too
// large (413) or cut off, malformed or too slow (400).
func formReadError(err error) error {
	var maxErr *http.MaxBytesError
	if errors.Is(err, portal.ErrTooLarge) {
		return err
	}
	if errors.As(err, &maxErr) {
		return portal.Refuse(portal.ErrTooLarge, "upload.form.too_large")
	}
	return portal.Refuse(portal.ErrBadRequest, "upload.form.unreadable")
}
