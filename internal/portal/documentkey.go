package portal

import "time"

// Where a document-signing key came from.
const (
	// DocumentKeyOperator is the operator's certificate and key, imported
	// at start from the configured files.
	DocumentKeyOperator = "operator"
	// DocumentKeyGenerated is a key and self-signed certificate the portal
	// made itself; PDF readers do not trust it.
	DocumentKeyGenerated = "generated"
)

// DocumentKey is a stored document-signing key: its certificate chain
// (DER, concatenated, the signer's first), the hex SHA-256 fingerprint of
// the signer's certificate and the sealed PKCS#8 private key. At most one
// is current (RetiredAt nil).
type DocumentKey struct {
	ID           int64
	Source       string
	Certificates []byte
	Fingerprint  string
	Sealed       []byte `db:"private_key_sealed"`
	NotAfter     time.Time
	CreatedAt    time.Time
	RetiredAt    *time.Time
}
