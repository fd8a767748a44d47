package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"

	"example.org/certportal/internal/portal"
)

// uploadFormSlack is what a file's multipart request may carry besides
// the file: part headers and boundaries.
const uploadFormSlack = 64 << 10

// uploadReadTimeout bounds the arrival of a whole upload.
const uploadReadTimeout = 5 * time.Minute

// errMultipartRequired refuses an upload not sent as multipart/form-data.
var errMultipartRequired = portal.Refuse(portal.ErrUnsupportedMedia, "api.multipart_required")

// uploadField is the multipart part that carries the file.
const uploadField = "file"

// handleUploadCreate takes one evidence file, sent as multipart/form-data
// in the part named file (its filename is the display name), through the
// upload pipeline (credits.Service.AcceptEvidence: the same checks and
// limits as the pages, and the per-account rate limit, 429 with
// Retry-After). The answer (201) is the upload with its ID, to name in a
// submission's evidence, and its scan state.
//
// Like every POST it needs an Idempotency-Key: the request is the file's
// name and SHA-256, so the same file sent again under the key gets the
// first answer and stores nothing twice, and another file under the key
// is refused. To hash it first the file is held in the pipeline's staging
// directory (at most one byte over the size limit, so that a file too
// large is refused with the pipeline's message), where the orphan sweep
// finds it if the process dies.
func (s *server) handleUploadCreate(w http.ResponseWriter, r *http.Request, a portal.Actor) error {
	if err := s.ceReady(); err != nil {
		return err
	}
	if s.uploads == nil {
		return portal.ErrNotFound
	}
	key, err := idempotencyKey(r)
	if err != nil {
		return err
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "multipart/form-data" {
		return errMultipartRequired
	}
	limit := s.uploads.Config().MaxBytes
	r.Body = http.MaxBytesReader(w, r.Body, limit+uploadFormSlack)
	if err := http.NewResponseController(w).SetReadDeadline(time.Now().Add(uploadReadTimeout)); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return err
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return errMultipartRequired
	}
	var (
		name, sum string
		file      *os.File
	)
	defer func() {
		if file != nil {
			file.Close()
			os.Remove(file.Name())
		}
	}()
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return uploadReadError(err)
		}
		if part.FormName() != uploadField || part.FileName() == "" {
			return fieldRefusal(part.FormName(), "api.unknown_field")
		}
		if file != nil {
			return fieldRefusal(uploadField, "api.one_file")
		}
		name = part.FileName()
		if file, err = s.uploads.CreateTemp(); err != nil {
			return err
		}
		h := sha256.New()
		if _, err := io.Copy(io.MultiWriter(file, h), io.LimitReader(&readFailure{r: part}, limit+1)); err != nil {
			return uploadReadError(err)
		}
		if _, err := io.Copy(io.Discard, part); err != nil {
			return uploadReadError(err)
		}
		sum = hex.EncodeToString(h.Sum(nil))
	}
	if file == nil {
		return fieldRefusal(uploadField, "api.file_required")
	}
	if _, err := file.Seek(0, io.SeekStart); err != nil {
		return err
	}
	fp := fingerprint{Method: r.Method, Path: r.URL.Path, Body: uploadRequest{Name: name, SHA256: sum}}
	stored, replayed, err := s.runOnce(r, a, key, fp, func(ctx context.Context) (int, any, error) {
		u, err := s.credits.AcceptEvidence(ctx, a, name, file)
		if err != nil {
			return 0, nil, uploadRefusal(err)
		}
		return http.StatusCreated, newUploadView(u, s.localizer(r)), nil
	})
	if err != nil {
		return err
	}
	writeStored(w, stored, replayed)
	return nil
}

// uploadRequest is the idempotency fingerprint of an upload: its name and
// hash, never the file.
type uploadRequest struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
}

// uploadReadError is a body that could not be read: one past the limit
// is too large, one cut off or too slow incomplete.
func uploadReadError(err error) error {
	var maxErr *http.MaxBytesError
	var netErr net.Error
	var rf *readFailure
	switch {
	case errors.As(err, &maxErr):
		return errTooLarge
	case errors.As(err, &netErr), errors.As(err, &rf), errors.Is(err, io.ErrUnexpectedEOF):
		return errBodyIncomplete
	}
	return portal.Refuse(portal.ErrBadRequest, "upload.form.unreadable")
}

// uploadRefusal names the file part in the pipeline's refusal of a file
// (its type, an encrypted PDF, an empty file), as the pages show it next
// to their file field. Other refusals (too large, the rate limit) pass.
func uploadRefusal(err error) error {
	var pe *portal.Error
	if errors.As(err, &pe) && portal.KindOf(err).Kind == portal.ErrInvalid && len(pe.Fields) == 0 {
		return &portal.Error{Code: portal.EInvalid, Message: pe.Message, Data: pe.Data,
			Fields: []portal.FieldError{{Field: uploadField, Message: pe.Message, Data: pe.Data}}}
	}
	return err
}

// handleUploadShow is one of the candidate's evidence uploads: where its
// scan stands.
func (s *server) handleUploadShow(w http.ResponseWriter, r *http.Request, a portal.Actor) error {
	if err := s.ceReady(); err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return portal.ErrNotFound
	}
	u, err := s.credits.EvidenceUpload(r.Context(), a, id)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, newUploadView(u, s.localizer(r)))
	return nil
}
