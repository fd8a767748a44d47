package candidate

import "example.org/certportal/internal/web"

// pageTexts are the busiest pages' texts, per language (their Prepare
// methods). A text depends only on the language: the message catalogue is
// part of the binary, so every server may share them.
var pageTexts struct {
	examList       web.LangCache[examListText]
	credential     web.LangCache[credentialText]
	dashboard      web.LangCache[dashboardText]
	home           web.LangCache[homeText]
	history        web.LangCache[historyText]
	certifications web.LangCache[certificationsText]
}
