package web

import "strings"

// A Notice is a confirmation that a redirect asks the next page to show
// (?notice=KEY, the Post/Redirect/Get flash). Redirects name a constant of
// this type through WithNotice; each section declares the notices it
// redirects with and lists them, with their catalog messages, in its
// Section.Notices. The layout shows a key only when it is listed, by its
// catalog message, so a crafted link cannot put text on a page.
// TestEveryNoticeRenders walks every constant of this type and fails when
// one has no message in some language.
type Notice string

// WithNotice adds a notice to a local path (which may have a query).
func WithNotice(path string, n Notice) string {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + "notice=" + string(n)
}

// noticeMessage is the catalog message of the ?notice= key of a request,
// or "" when the key is not a notice.
func (s *Server) noticeMessage(key string) string {
	return s.notices[Notice(key)]
}
