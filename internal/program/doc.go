// Package program holds the program's settings that every instance shares:
// the support contact, the logo, the default paper size of certificates
// and the program's LinkedIn organization ID. They live in the database
// (app_settings), so every instance agrees; the program's calendar is
// internal/calendar.
//
// Contract: Settings and Logo are open to every caller (pages, mail, jobs)
// and may be up to CacheFor old on an instance other than the one that
// made the change. Manage, Update, SetLogo and RemoveLogo need
// portal.PermSettingsManage (actor.Authorize); anyone else gets the
// refusal Authorize gives (ErrUnauthorized, ErrForbidden,
// ErrSecondFactorRequired). Invalid input is an invalid *portal.Error
// whose Fields name the form fields (support_email, support_url,
// paper_size, linkedin_organization_id, logo). Every change is audited as "program.*" and runs under
// the lock of its app_settings row, so concurrent edits queue.
//
// Until an admin first saves the support contact, it comes from the
// start-up configuration (--support-email, --support-url).
package program
