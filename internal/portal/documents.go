package portal

import "time"

// Kinds of document the portal makes for a holder.
const (
	DocumentCertificate = "certificate" // subject: a credential
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
