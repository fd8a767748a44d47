// Package openbadges builds Open Badges 3.0 credentials and signs and checks
// their two proofs: an embedded Data Integrity proof (cryptosuite
// eddsa-rdfc-2022) and a VC-JWT (EdDSA). It is pure: no database, no
// network. The JSON-LD contexts and the 1EdTech JSON Schema it needs are
// bundled; the document loader refuses every other URL.
//
// Before anything is signed, Check refuses a document that the 1EdTech
// schema rejects, whose JSON-LD expansion drops a term, that holds a
// relative or empty IRI, or a string with a control character other than
// \n, \r and \t. docs/credentials.md explains each rule.
package openbadges

import "errors"

// Context URLs, in the order a credential lists them.
const (
	ContextVC           = "https://www.w3.org/ns/credentials/v2"
	ContextOB           = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
	ContextOBExtensions = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
)

// SchemaURL is the 1EdTech JSON Schema of an OpenBadgeCredential, named in
// every credential's credentialSchema.
const SchemaURL = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"

// SchemaType is the credentialSchema type Open Badges 3.0 requires.
const SchemaType = "1EdTechJsonSchemaValidator2019"

// Errors callers can tell apart with errors.Is. Each comes wrapped with
// the detail of what failed.
var (
	// ErrInvalid: the document breaks a rule checked before signing
	// (schema, terms, IRIs, characters) or cannot be read.
	ErrInvalid = errors.New("openbadges: invalid credential")
	// ErrProof: a proof is missing, malformed or does not verify.
	ErrProof = errors.New("openbadges: proof does not verify")
	// ErrKey: the verification method is unknown, malformed, or not the
	// issuer's.
	ErrKey = errors.New("openbadges: unknown or foreign key")
	// ErrContext: a JSON-LD context that is not bundled was asked for.
	ErrContext = errors.New("openbadges: context not bundled")
)
