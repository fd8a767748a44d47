package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"example.org/certportal/internal/portal"
)

const signingKeyColumns = `id, number, algorithm, public_key, private_key_sealed, created_at, retired_at`

// InsertSigningKey stores a new key unless its number is taken or it would
// be a second current key; it reports whether it stored it. Two instances
// creating the first key at once thus store one.
func (tx *Tx) InsertSigningKey(ctx context.Context, k portal.SigningKey) (bool, error) {
	r, err := tx.exec(ctx, `INSERT INTO signing_keys (number, algorithm, public_key, private_key_sealed, created_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, k.Number, k.Algorithm, k.PublicKey, k.Sealed, tx.now)
	if err != nil {
		return false, fmt.Errorf("store: insert signing key %d: %w", k.Number, err)
	}
	n, err := r.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: insert signing key %d: %w", k.Number, err)
	}
	return n == 1, nil
}

// LockCurrentSigningKey returns the current signing key, locked until the
// transaction ends on PostgreSQL, or portal.ErrNotFound when there is none
// yet.
func (tx *Tx) LockCurrentSigningKey(ctx context.Context) (*portal.SigningKey, error) {
	var k portal.SigningKey
	if err := tx.get(ctx, &k, `SELECT `+signingKeyColumns+` FROM signing_keys WHERE retired_at IS NULL`+tx.forUpdate("")); err != nil {
		return nil, fmt.Errorf("store: lock current signing key: %w", err)
	}
	return &k, nil
}

// RetireSigningKey retires the current key id; portal.ErrNotFound when it
// is not (or no longer) current.
func (tx *Tx) RetireSigningKey(ctx context.Context, id int64) error {
	if err := affected(tx.exec(ctx, `UPDATE signing_keys SET retired_at = ? WHERE id = ? AND retired_at IS NULL`, tx.now, id)); err != nil {
		return fmt.Errorf("store: retire signing key %d: %w", id, err)
	}
	return nil
}

// GetSigningKey returns one signing key or portal.ErrNotFound.
func (s *Store) GetSigningKey(ctx context.Context, id int64) (*portal.SigningKey, error) {
	return getSigningKey(ctx, s, id)
}

// GetSigningKey returns one signing key or portal.ErrNotFound.
func (tx *Tx) GetSigningKey(ctx context.Context, id int64) (*portal.SigningKey, error) {
	return getSigningKey(ctx, tx, id)
}

func getSigningKey(ctx context.Context, r reader, id int64) (*portal.SigningKey, error) {
	var k portal.SigningKey
	if err := r.get(ctx, &k, `SELECT `+signingKeyColumns+` FROM signing_keys WHERE id = ?`, id); err != nil {
		return nil, fmt.Errorf("store: signing key %d: %w", id, err)
	}
	return &k, nil
}

// ListSigningKeys returns every signing key, current and retired, by
// number.
func (s *Store) ListSigningKeys(ctx context.Context) ([]*portal.SigningKey, error) {
	return listSigningKeys(ctx, s)
}

// ListSigningKeys returns every signing key, current and retired, by
// number.
func (tx *Tx) ListSigningKeys(ctx context.Context) ([]*portal.SigningKey, error) {
	return listSigningKeys(ctx, tx)
}

func listSigningKeys(ctx context.Context, r reader) ([]*portal.SigningKey, error) {
	var out []*portal.SigningKey
	if err := r.sel(ctx, &out, `SELECT `+signingKeyColumns+` FROM signing_keys ORDER BY number`); err != nil {
		return nil, fmt.Errorf("store: list signing keys: %w", err)
	}
	return out, nil
}

const statusListColumns = `id, purpose, number, size, bits, created_at, updated_at`

// InsertStatusList creates list number of purpose with size bits, all
// clear, unless it exists already (another transaction made it).
func (tx *Tx) InsertStatusList(ctx context.Context, purpose string, number, size int) error {
	if _, err := tx.exec(ctx, `INSERT INTO status_lists (purpose, number, size, bits, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, purpose, number, size, make([]byte, size/8), tx.now, tx.now); err != nil {
		return fmt.Errorf("store: insert %s status list %d: %w", purpose, number, err)
	}
	return nil
}

// FindStatusListByPurpose returns the highest-numbered list of purpose,
// or portal.ErrNotFound when there is none yet.
func (tx *Tx) FindStatusListByPurpose(ctx context.Context, purpose string) (*portal.StatusList, error) {
	var l portal.StatusList
	if err := tx.get(ctx, &l, `SELECT `+statusListColumns+` FROM status_lists WHERE purpose = ? ORDER BY number DESC LIMIT 1`, purpose); err != nil {
		return nil, fmt.Errorf("store: find %s status list: %w", purpose, err)
	}
	return &l, nil
}

// FindStatusListByNumber returns list number of purpose or
// portal.ErrNotFound.
func (s *Store) FindStatusListByNumber(ctx context.Context, purpose string, number int) (*portal.StatusList, error) {
	return findStatusListByNumber(ctx, s, purpose, number)
}

// FindStatusListByNumber returns list number of purpose or
// portal.ErrNotFound.
func (tx *Tx) FindStatusListByNumber(ctx context.Context, purpose string, number int) (*portal.StatusList, error) {
	return findStatusListByNumber(ctx, tx, purpose, number)
}

func findStatusListByNumber(ctx context.Context, r reader, purpose string, number int) (*portal.StatusList, error) {
	var l portal.StatusList
	if err := r.get(ctx, &l, `SELECT `+statusListColumns+` FROM status_lists WHERE purpose = ? AND number = ?`, purpose, number); err != nil {
		return nil, fmt.Errorf("store: %s status list %d: %w", purpose, number, err)
	}
	return &l, nil
}

// ListStatusLists returns every status list, by purpose and number.
func (s *Store) ListStatusLists(ctx context.Context) ([]*portal.StatusList, error) {
	var out []*portal.StatusList
	if err := s.sel(ctx, &out, `SELECT `+statusListColumns+` FROM status_lists ORDER BY purpose, number`); err != nil {
		return nil, fmt.Errorf("store: list status lists: %w", err)
	}
	return out, nil
}

// GetStatusList returns one status list or portal.ErrNotFound.
func (s *Store) GetStatusList(ctx context.Context, id int64) (*portal.StatusList, error) {
	return getStatusList(ctx, s, id)
}

// GetStatusList returns one status list or portal.ErrNotFound.
func (tx *Tx) GetStatusList(ctx context.Context, id int64) (*portal.StatusList, error) {
	return getStatusList(ctx, tx, id)
}

func getStatusList(ctx context.Context, r reader, id int64) (*portal.StatusList, error) {
	var l portal.StatusList
	if err := r.get(ctx, &l, `SELECT `+statusListColumns+` FROM status_lists WHERE id = ?`, id); err != nil {
		return nil, fmt.Errorf("store: status list %d: %w", id, err)
	}
	return &l, nil
}

// LockStatusList returns one status list, locked until the transaction
// ends on PostgreSQL, or portal.ErrNotFound.
func (tx *Tx) LockStatusList(ctx context.Context, id int64) (*portal.StatusList, error) {
	var l portal.StatusList
	if err := tx.get(ctx, &l, `SELECT `+statusListColumns+` FROM status_lists WHERE id = ?`+tx.forUpdate(""), id); err != nil {
		return nil, fmt.Errorf("store: lock status list %d: %w", id, err)
	}
	return &l, nil
}

// UpdateStatusListBits replaces the bits of a list the transaction locked.
func (tx *Tx) UpdateStatusListBits(ctx context.Context, id int64, bits []byte) error {
	if err := affected(tx.exec(ctx, `UPDATE status_lists SET bits = ?, updated_at = ? WHERE id = ?`, bits, tx.now, id)); err != nil {
		return fmt.Errorf("store: update status list %d: %w", id, err)
	}
	return nil
}

// ClaimStatusIndex records index idx of a list as given, unless it was
// given before; it reports whether this call claimed it. A claim waits for
// a concurrent claim of the same index and then fails, without aborting
// the transaction.
func (tx *Tx) ClaimStatusIndex(ctx context.Context, listID int64, idx int) (bool, error) {
	r, err := tx.exec(ctx, `INSERT INTO status_list_entries (list_id, idx, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
		listID, idx, tx.now)
	if err != nil {
		return false, fmt.Errorf("store: claim index %d of status list %d: %w", idx, listID, err)
	}
	n, err := r.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: claim index %d of status list %d: %w", idx, listID, err)
	}
	return n == 1, nil
}

// CountStatusIndices returns how many indices of a list were given.
func (tx *Tx) CountStatusIndices(ctx context.Context, listID int64) (int, error) {
	var n int
	if err := tx.get(ctx, &n, `SELECT COUNT(*) FROM status_list_entries WHERE list_id = ?`, listID); err != nil {
		return 0, fmt.Errorf("store: count status list %d: %w", listID, err)
	}
	return n, nil
}

// ListStatusIndices returns the indices of a list given so far, in order.
func (tx *Tx) ListStatusIndices(ctx context.Context, listID int64) ([]int, error) {
	var out []int
	if err := tx.sel(ctx, &out, `SELECT idx FROM status_list_entries WHERE list_id = ? ORDER BY idx`, listID); err != nil {
		return nil, fmt.Errorf("store: list status list %d: %w", listID, err)
	}
	return out, nil
}

const credentialColumns = `id, credential_id, user_certification_id, cycle, signing_key_id, revocation_list_id, revocation_index,
	suspension_list_id, suspension_index, issued_at, revoked_at, revocation_reason, suspended_at, superseded_at, superseded_by,
	subject_salt, document_jsonld, document_jwt, created_at, updated_at`

// InsertCredential stores a credential and returns it as stored. A
// second current credential of the same certification and cycle, a taken
// credential ID or a status index already used is portal.ErrConflict.
func (tx *Tx) InsertCredential(ctx context.Context, c portal.Credential) (*portal.Credential, error) {
	var out portal.Credential
	err := tx.get(ctx, &out, `INSERT INTO credentials (credential_id, user_certification_id, cycle, signing_key_id,
		revocation_list_id, revocation_index, suspension_list_id, suspension_index, issued_at, subject_salt, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING `+credentialColumns,
		string(c.CredentialID), c.UserCertificationID, c.Cycle, c.SigningKeyID, c.RevocationListID, c.RevocationIndex,
		c.SuspensionListID, c.SuspensionIndex, c.IssuedAt.UTC(), c.SubjectSalt, tx.now, tx.now)
	if err != nil {
		return nil, fmt.Errorf("store: insert credential: %w", err)
	}
	return &out, nil
}

// GetCredential returns one credential or portal.ErrNotFound.
func (s *Store) GetCredential(ctx context.Context, id int64) (*portal.Credential, error) {
	return getCredential(ctx, s, id)
}

// GetCredential returns one credential or portal.ErrNotFound.
func (tx *Tx) GetCredential(ctx context.Context, id int64) (*portal.Credential, error) {
	return getCredential(ctx, tx, id)
}

func getCredential(ctx context.Context, r reader, id int64) (*portal.Credential, error) {
	var c portal.Credential
	if err := r.get(ctx, &c, `SELECT `+credentialColumns+` FROM credentials WHERE id = ?`, id); err != nil {
		return nil, fmt.Errorf("store: credential %d: %w", id, err)
	}
	return &c, nil
}

// FindCredentialByCredentialID returns the credential of a public ID, or
// portal.ErrNotFound.
func (s *Store) FindCredentialByCredentialID(ctx context.Context, id portal.CredentialID) (*portal.Credential, error) {
	return findCredentialByCredentialID(ctx, s, id)
}

// FindCredentialByCredentialID returns the credential of a public ID, or
// portal.ErrNotFound.
func (tx *Tx) FindCredentialByCredentialID(ctx context.Context, id portal.CredentialID) (*portal.Credential, error) {
	return findCredentialByCredentialID(ctx, tx, id)
}

func findCredentialByCredentialID(ctx context.Context, r reader, id portal.CredentialID) (*portal.Credential, error) {
	var c portal.Credential
	if err := r.get(ctx, &c, `SELECT `+credentialColumns+` FROM credentials WHERE credential_id = ?`, string(id)); err != nil {
		return nil, fmt.Errorf("store: find credential %s: %w", id, err)
	}
	return &c, nil
}

// FindCredentialByUserCertification returns the current (not superseded)
// credential of an earned certification's cycle, or portal.ErrNotFound.
func (tx *Tx) FindCredentialByUserCertification(ctx context.Context, userCertificationID int64, cycle int) (*portal.Credential, error) {
	var c portal.Credential
	if err := tx.get(ctx, &c, `SELECT `+credentialColumns+` FROM credentials
		WHERE user_certification_id = ? AND cycle = ? AND superseded_at IS NULL`, userCertificationID, cycle); err != nil {
		return nil, fmt.Errorf("store: find credential of user certification %d: %w", userCertificationID, err)
	}
	return &c, nil
}

// UpdateCredentialDocuments stores the signed documents of a credential.
func (tx *Tx) UpdateCredentialDocuments(ctx context.Context, id int64, jsonld, jwt string) error {
	if err := affected(tx.exec(ctx, `UPDATE credentials SET document_jsonld = ?, document_jwt = ?, updated_at = ? WHERE id = ?`,
		jsonld, jwt, tx.now, id)); err != nil {
		return fmt.Errorf("store: update documents of credential %d: %w", id, err)
	}
	return nil
}

// UpdateUnsignedCredentialDocuments stores the signed documents of a
// credential that has none yet and reports whether it did: of two signers
// of one credential, the first one's documents stay.
func (tx *Tx) UpdateUnsignedCredentialDocuments(ctx context.Context, id int64, jsonld, jwt string) (bool, error) {
	r, err := tx.exec(ctx, `UPDATE credentials SET document_jsonld = ?, document_jwt = ?, updated_at = ?
		WHERE id = ? AND document_jsonld = ''`, jsonld, jwt, tx.now, id)
	if err != nil {
		return false, fmt.Errorf("store: sign credential %d: %w", id, err)
	}
	n, err := r.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: sign credential %d: %w", id, err)
	}
	return n == 1, nil
}

// ListUnsignedCredentials returns up to limit credentials after id after
// whose documents are not signed yet, by id.
func (s *Store) ListUnsignedCredentials(ctx context.Context, after int64, limit int) ([]*portal.Credential, error) {
	var out []*portal.Credential
	if err := s.sel(ctx, &out, `SELECT `+credentialColumns+` FROM credentials WHERE document_jsonld = '' AND id > ? ORDER BY id LIMIT ?`,
		after, limit); err != nil {
		return nil, fmt.Errorf("store: list unsigned credentials: %w", err)
	}
	return out, nil
}

// ListCredentialsByUserCertification returns every credential of an earned
// certification, every cycle, oldest first.
func (s *Store) ListCredentialsByUserCertification(ctx context.Context, userCertificationID int64) ([]*portal.Credential, error) {
	return listCredentialsByUserCertification(ctx, s, userCertificationID)
}

// ListCredentialsByUserCertification returns every credential of an earned
// certification, every cycle, oldest first.
func (tx *Tx) ListCredentialsByUserCertification(ctx context.Context, userCertificationID int64) ([]*portal.Credential, error) {
	return listCredentialsByUserCertification(ctx, tx, userCertificationID)
}

func listCredentialsByUserCertification(ctx context.Context, r reader, userCertificationID int64) ([]*portal.Credential, error) {
	var out []*portal.Credential
	if err := r.sel(ctx, &out, `SELECT `+credentialColumns+` FROM credentials WHERE user_certification_id = ? ORDER BY id`,
		userCertificationID); err != nil {
		return nil, fmt.Errorf("store: list credentials of user certification %d: %w", userCertificationID, err)
	}
	return out, nil
}

// RevokeCredential records a credential as revoked for reason unless it
// is already revoked, and reports whether it did. Revocation is final.
func (tx *Tx) RevokeCredential(ctx context.Context, id int64, reason string) (bool, error) {
	r, err := tx.exec(ctx, `UPDATE credentials SET revoked_at = ?, revocation_reason = ?, updated_at = ?
		WHERE id = ? AND revoked_at IS NULL`, tx.now, reason, tx.now, id)
	if err != nil {
		return false, fmt.Errorf("store: revoke credential %d: %w", id, err)
	}
	n, err := r.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: revoke credential %d: %w", id, err)
	}
	return n == 1, nil
}

// GetUserCertification returns one earned certification or
// portal.ErrNotFound.
func (tx *Tx) GetUserCertification(ctx context.Context, id int64) (*portal.UserCertification, error) {
	var out portal.UserCertification
	if err := tx.get(ctx, &out, `SELECT `+userCertificationColumns+` FROM user_certifications WHERE id = ?`, id); err != nil {
		return nil, fmt.Errorf("store: user certification %d: %w", id, err)
	}
	return &out, nil
}

// SupersedeCredential marks a current credential as replaced, so that its
// certification and cycle may get another; UpdateCredentialSuccessor then
// names the successor. portal.ErrNotFound when it is already superseded.
func (tx *Tx) SupersedeCredential(ctx context.Context, id int64) error {
	if err := affected(tx.exec(ctx, `UPDATE credentials SET superseded_at = ?, updated_at = ? WHERE id = ? AND superseded_at IS NULL`,
		tx.now, tx.now, id)); err != nil {
		return fmt.Errorf("store: supersede credential %d: %w", id, err)
	}
	return nil
}

// UpdateCredentialSuccessor names the credential that replaced a
// superseded one.
func (tx *Tx) UpdateCredentialSuccessor(ctx context.Context, id, successor int64) error {
	if err := affected(tx.exec(ctx, `UPDATE credentials SET superseded_by = ?, updated_at = ? WHERE id = ? AND superseded_at IS NOT NULL`,
		successor, tx.now, id)); err != nil {
		return fmt.Errorf("store: successor of credential %d: %w", id, err)
	}
	return nil
}

// ListCredentialsByUser returns every credential of a user's earned
// certifications, oldest first.
func (s *Store) ListCredentialsByUser(ctx context.Context, userID int64) ([]*portal.Credential, error) {
	var out []*portal.Credential
	if err := s.sel(ctx, &out, `SELECT `+credentialColumns+` FROM credentials
		WHERE user_certification_id IN (SELECT id FROM user_certifications WHERE user_id = ?) ORDER BY id`, userID); err != nil {
		return nil, fmt.Errorf("store: list credentials of user %d: %w", userID, err)
	}
	return out, nil
}

// LockCredential returns one credential, locked until the transaction ends
// on PostgreSQL, or portal.ErrNotFound.
func (tx *Tx) LockCredential(ctx context.Context, id int64) (*portal.Credential, error) {
	var c portal.Credential
	if err := tx.get(ctx, &c, `SELECT `+credentialColumns+` FROM credentials WHERE id = ?`+tx.forUpdate(""), id); err != nil {
		return nil, fmt.Errorf("store: lock credential %d: %w", id, err)
	}
	return &c, nil
}

// SuspendCredential records a current credential that is neither revoked
// nor suspended as suspended; portal.ErrNotFound otherwise.
func (tx *Tx) SuspendCredential(ctx context.Context, id int64) error {
	if err := affected(tx.exec(ctx, `UPDATE credentials SET suspended_at = ?, updated_at = ?
		WHERE id = ? AND suspended_at IS NULL AND revoked_at IS NULL AND superseded_at IS NULL`, tx.now, tx.now, id)); err != nil {
		return fmt.Errorf("store: suspend credential %d: %w", id, err)
	}
	return nil
}

// LiftCredentialSuspension clears the suspension of a suspended credential
// that is not revoked; portal.ErrNotFound otherwise.
func (tx *Tx) LiftCredentialSuspension(ctx context.Context, id int64) error {
	if err := affected(tx.exec(ctx, `UPDATE credentials SET suspended_at = NULL, updated_at = ?
		WHERE id = ? AND suspended_at IS NOT NULL AND revoked_at IS NULL`, tx.now, id)); err != nil {
		return fmt.Errorf("store: lift suspension of credential %d: %w", id, err)
	}
	return nil
}

// CredentialRow is a credential with its holder and certification, as the
// console lists it.
type CredentialRow struct {
	portal.Credential
	UserID            int64  `db:"user_id"`
	LoginID           string `db:"login_id"`
	Email             string `db:"email"`
	FirstName         string `db:"first_name"`
	LastName          string `db:"last_name"`
	Language          string `db:"language"`
	CertificationCode string `db:"certification_code"`
	CertificationName string `db:"certification_name"`
}

const credentialRowSelect = `SELECT c.id, c.credential_id, c.user_certification_id, c.cycle, c.signing_key_id, c.revocation_list_id,
	c.revocation_index, c.suspension_list_id, c.suspension_index, c.issued_at, c.revoked_at, c.revocation_reason, c.suspended_at,
	c.superseded_at, c.superseded_by, c.subject_salt, c.document_jsonld, c.document_jwt, c.created_at, c.updated_at,
	u.id AS user_id, u.login_id, u.email, u.first_name, u.last_name, u.language,
	ce.code AS certification_code, ce.name AS certification_name
	FROM credentials c
	JOIN user_certifications uc ON uc.id = c.user_certification_id
	JOIN users u ON u.id = uc.user_id
	JOIN certifications ce ON ce.id = uc.certification_id`

// ListCredentialRowsByHolder returns up to limit credentials whose public
// ID is credentialID, or whose holder's login ID or email address is
// holder (any case), newest first. Login IDs are stored in capitals and
// addresses in small letters, so each condition is an index lookup; the
// union keeps the three lookups apart (an OR across the joined tables
// would read every credential).
func (s *Store) ListCredentialRowsByHolder(ctx context.Context, credentialID portal.CredentialID, holder string, limit int) ([]*CredentialRow, error) {
	var out []*CredentialRow
	if err := s.sel(ctx, &out, credentialRowSelect+` WHERE c.id IN (SELECT id FROM credentials WHERE credential_id = ?
		UNION SELECT hc.id FROM users hu JOIN user_certifications huc ON huc.user_id = hu.id
		JOIN credentials hc ON hc.user_certification_id = huc.id WHERE hu.login_id = ? OR hu.email = ?)
		ORDER BY c.id DESC LIMIT ?`, string(credentialID), strings.ToUpper(holder), strings.ToLower(holder), limit); err != nil {
		return nil, fmt.Errorf("store: list credentials by holder: %w", err)
	}
	return out, nil
}

// GetCredentialRow returns one credential with its holder and
// certification, or portal.ErrNotFound.
func (tx *Tx) GetCredentialRow(ctx context.Context, id int64) (*CredentialRow, error) {
	var out CredentialRow
	if err := tx.get(ctx, &out, credentialRowSelect+` WHERE c.id = ?`, id); err != nil {
		return nil, fmt.Errorf("store: credential row %d: %w", id, err)
	}
	return &out, nil
}

// PublicCredential is what a public verification reads of a credential,
// in one query: the credential, its earned certification, the holder, the
// certification (without its exams), whether the earned certification is
// in the public directory, and the public ID of the credential that
// superseded it.
type PublicCredential struct {
	Credential        portal.Credential        `db:"c"`
	UserCertification portal.UserCertification `db:"uc"`
	Holder            portal.User              `db:"u"`
	Certification     portal.Certification     `db:"cert"`
	Listed            bool
	Successor         *portal.CredentialID
	// The period of the credential's cycle when a renewal has moved its
	// certification on to a later cycle (nil while it is the current one).
	CycleIssuedOn  *string    `db:"cycle_issued_on"`
	CycleExpiresOn *string    `db:"cycle_expires_on"`
	CycleIssuedAt  *time.Time `db:"cycle_issued_at"`
	CycleExpiresAt *time.Time `db:"cycle_expires_at"`
}

// publicCredentialSelect reads a PublicCredential: each column is named
// for the field it fills (c.id is Credential.ID).
var publicCredentialSelect = `SELECT ` + prefixColumns("c", credentialColumns) + `, ` +
	prefixColumns("uc", userCertificationColumns) + `, ` + prefixColumns("u", userColumns) + `, ` +
	prefixColumns("cert", certificationColumns) + `,
	EXISTS (SELECT 1 FROM credential_directory d WHERE d.user_certification_id = uc.id) AS listed,
	(SELECT s.credential_id FROM credentials s WHERE s.id = c.superseded_by) AS successor,
	rn.old_issued_on AS cycle_issued_on, rn.old_expires_on AS cycle_expires_on, rn.old_issued_at AS cycle_issued_at,
	rn.old_expires_at AS cycle_expires_at
	FROM credentials c JOIN user_certifications uc ON uc.id = c.user_certification_id
	JOIN users u ON u.id = uc.user_id JOIN certifications cert ON cert.id = uc.certification_id
	LEFT JOIN renewals rn ON rn.user_certification_id = c.user_certification_id AND rn.cycle = c.cycle AND c.cycle < uc.cycle`

// CredentialVerification is what the public verification page shows of a
// credential, read in one query with only the columns it needs (not the
// signed documents, not the holder's account): the credential's status
// times, its cycle's period, whether its earned certification is
// withdrawn, revoked or suspended, the holder's name, the certification,
// whether the earned certification is in the public directory, and the
// public ID of the credential that superseded it.
type CredentialVerification struct {
	CredentialID portal.CredentialID  `db:"credential_id"`
	IssuedAt     time.Time            `db:"issued_at"`
	RevokedAt    *time.Time           `db:"revoked_at"`
	SupersededAt *time.Time           `db:"superseded_at"`
	SuspendedAt  *time.Time           `db:"suspended_at"`
	Signed       bool                 `db:"signed"`
	Successor    *portal.CredentialID `db:"successor"`
	// The period the credential attests: its earned certification's, or
	// for a credential of a renewed cycle that cycle's.
	IssuedOn   string    `db:"uc_issued_on"`
	ExpiresOn  string    `db:"uc_expires_on"`
	ValidFrom  time.Time `db:"uc_issued_at"`
	ValidUntil time.Time `db:"uc_expires_at"`
	// Whether the earned certification is withdrawn, revoked or suspended.
	CertificationWithdrawn bool   `db:"uc_withdrawn"`
	CertificationRevoked   bool   `db:"uc_revoked"`
	CertificationSuspended bool   `db:"uc_suspended"`
	HolderFirstName        string `db:"first_name"`
	HolderLastName         string `db:"last_name"`
	HolderDisabled         bool   `db:"holder_disabled"`
	CertificationName      string `db:"cert_name"`
	CertificationCode      string `db:"cert_code"`
	Listed                 bool   `db:"listed"`
	// The renewed cycle's period, nil while the credential's cycle is the
	// certification's current one (already in the fields above).
	CycleIssuedOn  *string    `db:"cycle_issued_on"`
	CycleExpiresOn *string    `db:"cycle_expires_on"`
	CycleIssuedAt  *time.Time `db:"cycle_issued_at"`
	CycleExpiresAt *time.Time `db:"cycle_expires_at"`
}

// credentialVerificationSelect reads a CredentialVerification: the same
// rows as publicCredentialSelect, fewer columns.
const credentialVerificationSelect = `SELECT c.credential_id, c.issued_at, c.revoked_at, c.superseded_at, c.suspended_at,
	c.document_jsonld <> '' AS signed,
	(SELECT s.credential_id FROM credentials s WHERE s.id = c.superseded_by) AS successor,
	uc.issued_on AS uc_issued_on, uc.expires_on AS uc_expires_on, uc.issued_at AS uc_issued_at, uc.expires_at AS uc_expires_at,
	uc.withdrawn_at IS NOT NULL AS uc_withdrawn, uc.revoked_at IS NOT NULL AS uc_revoked, uc.suspended_at IS NOT NULL AS uc_suspended,
	u.first_name, u.last_name, u.disabled_at IS NOT NULL AS holder_disabled, cert.name AS cert_name, cert.code AS cert_code,
	EXISTS (SELECT 1 FROM credential_directory d WHERE d.user_certification_id = uc.id) AS listed,
	rn.old_issued_on AS cycle_issued_on, rn.old_expires_on AS cycle_expires_on, rn.old_issued_at AS cycle_issued_at,
	rn.old_expires_at AS cycle_expires_at
	FROM credentials c JOIN user_certifications uc ON uc.id = c.user_certification_id
	JOIN users u ON u.id = uc.user_id JOIN certifications cert ON cert.id = uc.certification_id
	LEFT JOIN renewals rn ON rn.user_certification_id = c.user_certification_id AND rn.cycle = c.cycle AND c.cycle < uc.cycle
	WHERE c.credential_id = ?`

// FindCredentialVerificationByCredentialID reads what the public
// verification page shows of the credential with a public ID, from the
// read pool in one query, or portal.ErrNotFound.
func (s *Store) FindCredentialVerificationByCredentialID(ctx context.Context, id portal.CredentialID) (*CredentialVerification, error) {
	var out CredentialVerification
	if err := s.get(ctx, &out, credentialVerificationSelect, string(id)); err != nil {
		return nil, fmt.Errorf("store: find credential verification %s: %w", id, err)
	}
	if out.CycleIssuedOn != nil && out.CycleExpiresOn != nil && out.CycleIssuedAt != nil && out.CycleExpiresAt != nil {
		out.IssuedOn, out.ExpiresOn, out.ValidFrom, out.ValidUntil = *out.CycleIssuedOn, *out.CycleExpiresOn, *out.CycleIssuedAt, *out.CycleExpiresAt
	}
	return &out, nil
}

// prefixColumns qualifies each column of a list with table and names it
// "table.column".
func prefixColumns(table, columns string) string {
	var b strings.Builder
	for i, col := range strings.Split(columns, ",") {
		col = strings.TrimSpace(col)
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(table + "." + col + ` AS "` + table + "." + col + `"`)
	}
	return b.String()
}

// FindPublicCredentialByCredentialID reads what a public verification
// shows of the credential with a public ID, from the read pool in one
// query, or portal.ErrNotFound.
func (s *Store) FindPublicCredentialByCredentialID(ctx context.Context, id portal.CredentialID) (*PublicCredential, error) {
	var out PublicCredential
	if err := s.get(ctx, &out, publicCredentialSelect+` WHERE c.credential_id = ?`, string(id)); err != nil {
		return nil, fmt.Errorf("store: find public credential %s: %w", id, err)
	}
	return &out, nil
}
