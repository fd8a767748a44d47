package portal

import "time"

// DevMessage is a mail or SMS kept in the development mailbox.
type DevMessage struct {
	ID          int64
	Channel     string // "email" or "sms"
	Recipient   string
	Subject     string
	TextBody    string
	HTMLBody    string
	Attachments []DevAttachment
	CreatedAt   time.Time
}

// DevAttachment is a file attached to a mail in the development mailbox
// (a calendar file, for example).
type DevAttachment struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Content     []byte `json:"content"`
}
