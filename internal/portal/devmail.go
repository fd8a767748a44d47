package portal

import "time"

// DevMessage is a mail or SMS kept in the development mailbox.
type DevMessage struct {
	ID        int64
	Channel   string // "email" or "sms"
	Recipient string
	Subject   string
	TextBody  string
	HTMLBody  string
	CreatedAt time.Time
}
