package portal

import "time"

// Kinds of document the portal makes for a holder.
const (
	DocumentCertificate = "certificate"  // subject: a credential
	DocumentScoreReport = "score_report" // subject: an attempt
	DocumentTranscript  = "transcript"   // subject: the holder's account
	// DocumentCETranscript is the continuing-education transcript.
	DocumentCETranscript = "ce_transcript" // subject: the holder's account
)

// Paper sizes of documents, as the program settings name them.
const (
	PaperA4     = "A4"
	PaperLetter = "Letter"
)

// Document is the stored choice a document is made from: the paper size
// and language the holder chose, and the stored instant every date and ID
// in it derives from. There is one per kind and subject; its content is
// made from these and the stored data it is about, never from the clock.
type Document struct {
	ID        int64
	Kind      string
	SubjectID int64
	UserID    int64
	Paper     string
	Language  string
	IssuedAt  time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

// DocumentFile is the signed PDF of a document. SourceSHA256 is the hash
// of what it was laid out from; PDF is nil when the bytes were lost, and
// PDFSHA256 is then what the file made again must hash to, signed with
// DocumentKeyID.
type DocumentFile struct {
	DocumentID    int64
	SourceSHA256  string `db:"source_sha256"`
	DocumentKeyID int64
	PDF           []byte `db:"pdf"`
	PDFSHA256     string `db:"pdf_sha256"`
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// DocumentCheck is whether a document can be made: Problem is the message
// for staff with its data (JSON), "" when the last check passed.
type DocumentCheck struct {
	Kind        string
	SubjectID   int64
	UserID      int64
	Problem     string
	ProblemData string
	CheckedAt   time.Time
}
