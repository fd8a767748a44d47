package portal

import "time"

// AuditEvent is one row of the audit log: who did what to which subject,
// when (UTC), from where, and which fields changed. Every security or money
// event is written here.
type AuditEvent struct {
	ID        int64
	ActorID   int64 // 0 for the system
	Action    string
	Subject   string // e.g. "user:42"
	Detail    string // short, never a secret
	IP        string
	RequestID string
	CreatedAt time.Time
	// Changes are the fields the event changed, in the order of the
	// audited struct's fields (see Diff); none for events without fields.
	Changes []FieldChange `db:"-"`
}

// FieldChange is one changed field of an audited change, with its value
// before and after as text. A secret field records only that it changed:
// Secret is set and Before and After stay empty.
type FieldChange struct {
	Field  string `json:"field"`
	Before string `json:"before"`
	After  string `json:"after"`
	Secret bool   `json:"secret,omitempty"`
}

// AuditFilter selects audit events. Zero fields do not filter.
type AuditFilter struct {
	ActorID int64
	Action  string // exact action, or a prefix ending in "." (e.g. "account.")
	Subject string
	From    time.Time
	To      time.Time // exclusive
	Limit   int
	Offset  int
}
