package openbadges

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Credential is an OpenBadgeCredential on the VC Data Model 2.0. Its JSON
// form (field order as declared) is what gets checked and signed. It holds
// no score, login ID or birth date, and has no place for one.
type Credential struct {
	Context           []string      `json:"@context"`
	ID                string        `json:"id"`
	Type              []string      `json:"type"`
	Name              string        `json:"name"`
	Issuer            Profile       `json:"issuer"`
	ValidFrom         string        `json:"validFrom"`
	ValidUntil        string        `json:"validUntil,omitempty"`
	CredentialSubject Subject       `json:"credentialSubject"`
	CredentialSchema  []SchemaRef   `json:"credentialSchema"`
	CredentialStatus  StatusEntries `json:"credentialStatus,omitempty"`
}

// Profile is the issuer: the program, identified by its did:web.
type Profile struct {
	ID    string   `json:"id"`
	Type  []string `json:"type"`
	Name  string   `json:"name"`
	URL   string   `json:"url,omitempty"`
	Image *Image   `json:"image,omitempty"`
}

// Image is an image by absolute URL (or data: URL).
type Image struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// Subject is the holder: identified by a salted hash of the email address
// and named by legal name, with the achievement earned.
type Subject struct {
	Type        []string         `json:"type"`
	Name        string           `json:"name,omitempty"`
	Identifier  []IdentityObject `json:"identifier"`
	Achievement Achievement      `json:"achievement"`
}

// IdentityObject identifies the holder without disclosing the address.
type IdentityObject struct {
	Type         string `json:"type"`
	IdentityType string `json:"identityType"`
	Hashed       bool   `json:"hashed"`
	IdentityHash string `json:"identityHash"`
	Salt         string `json:"salt,omitempty"`
}

// Achievement is the certification earned.
type Achievement struct {
	ID              string   `json:"id"`
	Type            []string `json:"type"`
	Name            string   `json:"name"`
	Description     string   `json:"description"`
	Criteria        Criteria `json:"criteria"`
	AchievementType string   `json:"achievementType"`
	Image           *Image   `json:"image,omitempty"`
}

// Criteria says what earning the achievement took.
type Criteria struct {
	Narrative string `json:"narrative"`
}

// SchemaRef names a schema the credential validates against.
type SchemaRef struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// StatusEntry is a BitstringStatusListEntry: the credential's bit in one
// status list.
type StatusEntry struct {
	ID                   string `json:"id"`
	Type                 string `json:"type"`
	StatusPurpose        string `json:"statusPurpose"`
	StatusListIndex      string `json:"statusListIndex"`
	StatusListCredential string `json:"statusListCredential"`
}

// StatusEntries serializes as one object when it holds one entry and as an
// array when it holds more (VC Data Model 2.0 allows both).
type StatusEntries []StatusEntry

// MarshalJSON implements json.Marshaler.
func (s StatusEntries) MarshalJSON() ([]byte, error) {
	if len(s) == 1 {
		return json.Marshal(s[0])
	}
	return json.Marshal([]StatusEntry(s))
}

// Achievement types a certification may carry.
const (
	AchievementCertification   = "Certification"
	AchievementMicroCredential = "MicroCredential"
)

// Status purposes.
const (
	PurposeRevocation = "revocation"
	PurposeSuspension = "suspension"
)

// Issue is what a credential is built from.
type Issue struct {
	ID         string // absolute URL of the credential
	Issuer     Issuer
	ValidFrom  time.Time
	ValidUntil time.Time // zero: no end
	// Holder
	Email     string // hashed with Salt, never written in clear
	Salt      string
	LegalName string
	// What was earned
	Achievement AchievementInput
	Status      []StatusInput
}

// Issuer describes the program.
type Issuer struct {
	DID      string // did:web:…
	Name     string
	URL      string
	ImageURL string
}

// AchievementInput describes the certification.
type AchievementInput struct {
	ID          string // absolute URL
	Name        string
	Description string
	Criteria    string
	Type        string // AchievementCertification or AchievementMicroCredential
	ImageURL    string
}

// StatusInput places the credential in one status list.
type StatusInput struct {
	Purpose string // PurposeRevocation or PurposeSuspension
	ListURL string // the status list credential
	Index   int
}

// Build returns the credential for in. It does not check it: Check does,
// and Sign and SignJWT refuse what Check refuses.
func Build(in Issue) *Credential {
	c := &Credential{
		Context: []string{ContextVC, ContextOB, ContextOBExtensions},
		ID:      in.ID,
		Type:    []string{"VerifiableCredential", "OpenBadgeCredential"},
		Name:    in.Achievement.Name,
		Issuer: Profile{
			ID:   in.Issuer.DID,
			Type: []string{"Profile"},
			Name: in.Issuer.Name,
			URL:  in.Issuer.URL,
		},
		ValidFrom: formatTime(in.ValidFrom),
		CredentialSubject: Subject{
			Type: []string{"AchievementSubject"},
			Name: in.LegalName,
			Identifier: []IdentityObject{{
				Type:         "IdentityObject",
				IdentityType: "emailAddress",
				Hashed:       true,
				IdentityHash: IdentityHash(in.Email, in.Salt),
				Salt:         in.Salt,
			}},
			Achievement: Achievement{
				ID:              in.Achievement.ID,
				Type:            []string{"Achievement"},
				Name:            in.Achievement.Name,
				Description:     in.Achievement.Description,
				Criteria:        Criteria{Narrative: in.Achievement.Criteria},
				AchievementType: in.Achievement.Type,
			},
		},
		CredentialSchema: []SchemaRef{{ID: SchemaURL, Type: SchemaType}},
	}
	if in.Issuer.ImageURL != "" {
		c.Issuer.Image = &Image{ID: in.Issuer.ImageURL, Type: "Image"}
	}
	if in.Achievement.ImageURL != "" {
		c.CredentialSubject.Achievement.Image = &Image{ID: in.Achievement.ImageURL, Type: "Image"}
	}
	if !in.ValidUntil.IsZero() {
		c.ValidUntil = formatTime(in.ValidUntil)
	}
	for _, s := range in.Status {
		c.CredentialStatus = append(c.CredentialStatus, StatusEntry{
			ID:                   fmt.Sprintf("%s#%d", s.ListURL, s.Index),
			Type:                 "BitstringStatusListEntry",
			StatusPurpose:        s.Purpose,
			StatusListIndex:      fmt.Sprint(s.Index),
			StatusListCredential: s.ListURL,
		})
	}
	return c
}

// Document returns the credential as the generic JSON value that checks,
// canonicalization and signing work on.
func (c *Credential) Document() (map[string]any, error) {
	data, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	return decodeDocument(data)
}

// IdentityHash is the Open Badges identity hash of an email address:
// "sha256$" and the hex SHA-256 of the address followed by the salt.
// The address is trimmed and lower-cased first, so that a verifier who
// types it differently still finds the same hash.
func IdentityHash(email, salt string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email)) + salt))
	return "sha256$" + hex.EncodeToString(sum[:])
}

func formatTime(t time.Time) string {
	return t.UTC().Truncate(time.Second).Format(time.RFC3339)
}
