package portal

import "time"

// Status list purposes (Bitstring Status List): each credential has an
// entry on one list of each.
const (
	StatusRevocation = "revocation"
	StatusSuspension = "suspension"
)

// StatusPurposes lists the purposes every credential has an entry for.
var StatusPurposes = []string{StatusRevocation, StatusSuspension}

// Revocation reasons. The public never sees them.
const (
	RevokeMisconduct      = "misconduct"
	RevokeIssuedInError   = "issued_in_error"
	RevokePolicyViolation = "policy_violation"
	RevokeOther           = "other"
)

// EventCredentialIssued is written when a certification's credential is
// issued; its subject is the credential (SubjectCredential).
const EventCredentialIssued EventType = "credential.issued"

// EventCredentialRevoked is written when a credential is revoked; the
// reason stays in the payload for staff, never on public pages.
const EventCredentialRevoked EventType = "credential.revoked"

// EventCredentialSuspended is written when a credential officer suspends
// a credential.
const EventCredentialSuspended EventType = "credential.suspended"

// EventCredentialReinstated is written when a credential officer lifts a
// credential's suspension.
const EventCredentialReinstated EventType = "credential.reinstated"

// RevocationReasons lists the reasons an officer may give, in the order
// the console offers them.
var RevocationReasons = []string{RevokeMisconduct, RevokeIssuedInError, RevokePolicyViolation, RevokeOther}

// SubjectCredential is the subject kind of credential events.
const SubjectCredential = "credential"

// SigningKey is an Ed25519 key the program signs credentials with. Its
// private half stays sealed in the store; Number is the N of the key's DID
// URL fragment #key-N. The current key has no RetiredAt.
type SigningKey struct {
	ID        int64
	Number    int
	Algorithm string
	PublicKey []byte
	Sealed    []byte `db:"private_key_sealed"`
	CreatedAt time.Time
	RetiredAt *time.Time
}

// StatusList is one Bitstring Status List of a purpose: Size bits, index 0
// the most significant bit of the first byte of Bits.
type StatusList struct {
	ID        int64
	Purpose   string
	Number    int
	Size      int
	Bits      []byte
	CreatedAt time.Time
	UpdatedAt time.Time
}

// StatusEntry is a credential's place on a status list.
type StatusEntry struct {
	ListID int64
	Index  int
}

// Credential is the signed statement of one earned certification and
// cycle, public under its CredentialID. The documents are the signed
// JSON-LD credential and its VC-JWT, empty until signed.
type Credential struct {
	ID                  int64
	CredentialID        CredentialID
	UserCertificationID int64
	Cycle               int
	SigningKeyID        int64
	RevocationListID    int64
	RevocationIndex     int
	SuspensionListID    int64
	SuspensionIndex     int
	IssuedAt            time.Time
	RevokedAt           *time.Time
	RevocationReason    string
	SuspendedAt         *time.Time
	SupersededAt        *time.Time
	SupersededBy        *int64
	// SubjectSalt salts the holder's email hash in the document.
	SubjectSalt    string
	DocumentJSONLD string `db:"document_jsonld"`
	DocumentJWT    string `db:"document_jwt"`
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Entry returns the credential's entry on the list of purpose.
func (c *Credential) Entry(purpose string) StatusEntry {
	if purpose == StatusSuspension {
		return StatusEntry{ListID: c.SuspensionListID, Index: c.SuspensionIndex}
	}
	return StatusEntry{ListID: c.RevocationListID, Index: c.RevocationIndex}
}
