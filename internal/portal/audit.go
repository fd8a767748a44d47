package portal

import "time"

// AuditEvent is one row of the audit log: who did what to which subject,
// when (UTC), from where. Every security or money event is written here.
type AuditEvent struct {
	ID        int64
	ActorID   int64 // 0 for the system
	Action    string
	Subject   string // e.g. "user:42"
	Detail    string // short, never a secret
	IP        string
	RequestID string
	CreatedAt time.Time
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
