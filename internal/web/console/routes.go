package console

import (
	"embed"
	"net/http"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/web"
)

//go:embed templates/*.html
var templatesFS embed.FS

// Section is the console's part of the site for the kit: its routes, page
// templates and notices.
func Section() web.Section {
	return web.Section{
		Routes:    func(s *web.Server) []web.Route { return (&Pages{s}).routes() },
		Templates: templatesFS,
		Source:    web.SourceDir(),
		Notices:   notices,
		Prefix:    "/console",
		Nav:       func(s *web.Server) []web.NavLink { return (&Pages{s}).nav() },
	}
}

// nav is the console's navigation in order; each person sees the links
// their permissions open. The renewal flags' link counts those waiting;
// the development mailbox is linked only when there is one.
func (s *Pages) nav() []web.NavLink {
	var out []web.NavLink
	for _, l := range []web.NavLink{
		{Href: "/console", Label: "nav.console_home"},
		{Href: "/console/users", Label: "nav.console_users"},
		{Href: "/console/staff", Label: "nav.console_staff"},
		{Href: "/console/bookings", Label: "nav.console_bookings"},
		{Href: "/console/roster", Label: "nav.console_roster"},
		{Href: "/console/vouchers", Label: "nav.console_vouchers"},
		{Href: "/console/exams", Label: "nav.console_exams"},
		{Href: "/console/certifications", Label: "nav.console_certifications"},
		{Href: "/console/results", Label: "nav.console_results"},
		{Href: "/console/ce", Label: "nav.console_ce"},
		{Href: ceFlagsPath, Label: "nav.console_ce_flags", Count: s.countOpenFlags, CountLabel: "nav.console_ce_flags_count"},
		{Href: "/console/ce/catalogue", Label: "nav.console_ce_catalogue"},
		{Href: "/console/credentials", Label: "nav.console_credentials"},
		{Href: "/console/centers", Label: "nav.console_centers"},
		{Href: "/console/results/imports", Label: "nav.console_results_imports"},
		{Href: "/console/calendar", Label: "nav.console_calendar"},
		{Href: "/console/settings", Label: "nav.console_settings"},
		{Href: "/console/audit", Label: "nav.console_audit"},
		{Href: "/console/jobs", Label: "nav.console_jobs"},
		{Href: "/console/mail", Label: "nav.console_mail"},
	} {
		if l.Href == "/console/mail" && !s.Config().DevMailbox {
			continue
		}
		out = append(out, l)
	}
	return out
}

// countOpenFlags counts the renewal flags waiting for the viewer, for the
// navigation.
func (s *Pages) countOpenFlags(r *http.Request) (int, error) {
	if s.Credits == nil {
		return 0, nil
	}
	return s.Credits.CountOpenRenewalFlags(r.Context(), web.Actor(r))
}

// routes is every route of the console, each behind the permission it
// needs: deny by default, and the access tests walk the assembled table.
func (s *Pages) routes() []web.Route {
	return []web.Route{
		// Home, audit, mail and jobs (console.go).
		{Access: web.Staff(portal.PermConsole), Pattern: "GET /console", Handle: s.handleConsoleHome},
		{Access: web.Staff(portal.PermAuditRead), Pattern: "GET /console/audit", Handle: s.handleConsoleAudit},
		{Access: web.Staff(portal.PermOpsRead), Pattern: "GET /console/mail", Handle: s.handleConsoleMail},
		{Access: web.Staff(portal.PermOpsRead), Pattern: "GET /console/mail/{id}", Handle: s.handleConsoleMailShow},
		{Access: web.Staff(portal.PermOpsRead), Pattern: "GET /console/mail/{id}/html", Handle: s.handleConsoleMailHTML},
		{Access: web.Staff(portal.PermOpsRead), Pattern: "GET /console/mail/{id}/attachments/{n}", Handle: s.handleConsoleMailAttachment},
		{Access: web.Staff(portal.PermOpsRead), Pattern: "POST /console/mail/test", Handle: s.handleConsoleMailTest},
		{Access: web.Staff(portal.PermOpsRead), Pattern: "GET /console/jobs", Handle: s.handleConsoleJobs},

		// Accounts and staff (users.go, staff.go).
		{Access: web.Staff(portal.PermUsersRead), Pattern: "GET /console/users", Handle: s.handleConsoleUsers},
		{Access: web.Staff(portal.PermUsersRead), Pattern: "GET /console/users/{id}", Handle: s.handleConsoleUser},
		{Access: web.Staff(portal.PermUsersManage), Pattern: "POST /console/users/{id}/disable", Handle: s.handleConsoleUserDisable},
		{Access: web.Staff(portal.PermUsersManage), Pattern: "POST /console/users/{id}/enable", Handle: s.handleConsoleUserEnable},
		{Access: web.Staff(portal.PermUsersManage), Pattern: "POST /console/users/{id}/signout", Handle: s.handleConsoleUserSignOut},
		{Access: web.Staff(portal.PermUsersManage), Pattern: "POST /console/users/{id}/mfa/reset", Handle: s.handleConsoleUserMFAReset},
		{Access: web.Staff(portal.PermStaffManage), Pattern: "POST /console/users/{id}/permissions", Handle: s.handleConsoleUserPermissions},
		{Access: web.Staff(portal.PermStaffManage), Pattern: "GET /console/staff", Handle: s.handleConsoleStaff},
		{Access: web.Staff(portal.PermStaffManage), Pattern: "GET /console/staff/invite", Handle: s.handleConsoleStaffInviteForm},
		{Access: web.Staff(portal.PermStaffManage), Pattern: "POST /console/staff/invite", Handle: s.handleConsoleStaffInvite},

		// Credentials (credentials.go).
		{Access: web.Staff(portal.PermCredentialsManage), Pattern: "GET /console/credentials", Handle: s.handleConsoleCredentials},
		{Access: web.Staff(portal.PermCredentialsManage), Pattern: "GET /console/credentials/{id}", Handle: s.handleConsoleCredential},
		{Access: web.Staff(portal.PermCredentialsManage), Pattern: "POST /console/credentials/{id}/revoke", Handle: s.handleConsoleCredentialRevoke},
		{Access: web.Staff(portal.PermCredentialsManage), Pattern: "POST /console/credentials/{id}/suspend", Handle: s.handleConsoleCredentialSuspend},
		{Access: web.Staff(portal.PermCredentialsManage), Pattern: "POST /console/credentials/{id}/lift", Handle: s.handleConsoleCredentialLift},

		// Test centers (centers.go).
		{Access: web.Staff(portal.PermCentersManage), Pattern: "GET /console/centers", Handle: s.handleConsoleCenters},
		{Access: web.Staff(portal.PermCentersManage), Pattern: "GET /console/centers/new", Handle: s.handleConsoleCenterNew},
		{Access: web.Staff(portal.PermCentersManage), Pattern: "POST /console/centers", Handle: s.handleConsoleCenterCreate},
		{Access: web.Staff(portal.PermCentersManage), Pattern: "GET /console/centers/import", Handle: s.handleConsoleCentersImportForm},
		{Access: web.Staff(portal.PermCentersManage), Pattern: "POST /console/centers/import", Limit: importBodyLimit, Handle: s.handleConsoleCentersImport},
		{Access: web.Staff(portal.PermCentersManage), Pattern: "GET /console/centers/import/example.csv", Handle: s.handleConsoleCentersExample},
		{Access: web.Staff(portal.PermCentersManage), Pattern: "GET /console/centers/{id}", Handle: s.handleConsoleCenterEdit},
		// Results imports (results_import.go).
		{Access: web.Staff(portal.PermResultsImport), Pattern: "GET /console/results/imports", Handle: s.handleConsoleResultsImports},
		{Access: web.Staff(portal.PermResultsImport), Pattern: "POST /console/results/imports", Limit: resultsImportBodyLimit, Handle: s.handleConsoleResultsImportUpload},
		{Access: web.Staff(portal.PermResultsImport), Pattern: "GET /console/results/imports/{id}", Handle: s.handleConsoleResultsImport},
		{Access: web.Staff(portal.PermResultsImport), Pattern: "POST /console/results/imports/{id}/apply", Handle: s.handleConsoleResultsImportApply},
		{Access: web.Staff(portal.PermResultsImport), Pattern: "GET /console/results/imports/{id}/problems.csv", Handle: s.handleConsoleResultsImportProblems},
		{Access: web.Staff(portal.PermCentersManage), Pattern: "POST /console/centers/{id}", Handle: s.handleConsoleCenterUpdate},

		// The program calendar (calendar.go).
		{Access: web.Staff(portal.PermSettingsManage), Pattern: "GET /console/calendar", Handle: s.handleConsoleCalendar},
		{Access: web.Staff(portal.PermSettingsManage), Pattern: "POST /console/calendar", Handle: s.handleConsoleCalendarSave},
		{Access: web.Staff(portal.PermSettingsManage), Pattern: "POST /console/calendar/holidays", Handle: s.handleConsoleHolidayAdd},
		{Access: web.Staff(portal.PermSettingsManage), Pattern: "POST /console/calendar/holidays/{date}/remove", Handle: s.handleConsoleHolidayRemove},
		{Access: web.Staff(portal.PermSettingsManage), Pattern: "POST /console/calendar/import", Limit: calendarImportLimit, Handle: s.handleConsoleHolidayImport},

		// Program settings (settings.go).
		{Access: web.Staff(portal.PermSettingsManage), Pattern: "GET /console/settings", Handle: s.handleConsoleSettings},
		{Access: web.Staff(portal.PermSettingsManage), Pattern: "POST /console/settings", Handle: s.handleConsoleSettingsSave},
		{Access: web.Staff(portal.PermSettingsManage), Pattern: "POST /console/settings/logo", Limit: logoUploadLimit, Handle: s.handleConsoleLogoUpload},
		{Access: web.Staff(portal.PermSettingsManage), Pattern: "POST /console/settings/logo/remove", Handle: s.handleConsoleLogoRemove},

		// The exam catalog (exams.go).
		{Access: web.Staff(portal.PermExamsRead), Pattern: "GET /console/exams", Handle: s.handleConsoleExams},
		{Access: web.Staff(portal.PermExamsManage), Pattern: "GET /console/exams/new", Handle: s.handleConsoleExamNew},
		{Access: web.Staff(portal.PermExamsManage), Pattern: "POST /console/exams", Handle: s.handleConsoleExamCreate},
		{Access: web.Staff(portal.PermExamsManage), Pattern: "GET /console/exams/{id}", Handle: s.handleConsoleExamEdit},
		{Access: web.Staff(portal.PermExamsManage), Pattern: "POST /console/exams/{id}", Handle: s.handleConsoleExamUpdate},
		{Access: web.Staff(portal.PermExamsManage), Pattern: "POST /console/exams/{id}/retire", Handle: s.handleConsoleExamRetire},
		{Access: web.Staff(portal.PermExamsManage), Pattern: "POST /console/exams/{id}/activate", Handle: s.handleConsoleExamActivate},

		// The certification catalogue (certifications.go).
		{Access: web.Staff(portal.PermExamsRead), Pattern: "GET /console/certifications", Handle: s.handleConsoleCertifications},
		{Access: web.Staff(portal.PermExamsManage), Pattern: "GET /console/certifications/new", Handle: s.handleConsoleCertificationNew},
		{Access: web.Staff(portal.PermExamsManage), Pattern: "POST /console/certifications", Handle: s.handleConsoleCertificationCreate},
		{Access: web.Staff(portal.PermExamsRead), Pattern: "GET /console/certifications/{id}", Handle: s.handleConsoleCertification},
		{Access: web.Staff(portal.PermExamsManage), Pattern: "POST /console/certifications/{id}", Handle: s.handleConsoleCertificationUpdate},

		// Results (results.go).
		{Access: web.Staff(portal.PermResultsConfirm), Pattern: "GET /console/results", Handle: s.handleConsoleResults},
		{Access: web.Staff(portal.PermResultsEnter), Pattern: "GET /console/results/new", Handle: s.handleConsoleResultNew},
		{Access: web.Staff(portal.PermResultsEnter), Pattern: "POST /console/results", Handle: s.handleConsoleResultEnter},
		{Access: web.Staff(portal.PermResultsEnter), Pattern: "GET /console/results/{id}", Handle: s.handleConsoleResult},
		{Access: web.Staff(portal.PermResultsConfirm), Pattern: "POST /console/results/{id}/confirm", Handle: s.handleConsoleResultConfirm},
		{Access: web.Staff(portal.PermResultsConfirm), Pattern: "POST /console/results/{id}/reject", Handle: s.handleConsoleResultReject},
		{Access: web.Staff(portal.PermResultsConfirm), Pattern: "POST /console/results/{id}/hold", Handle: s.handleConsoleResultHold},
		{Access: web.Staff(portal.PermResultsConfirm), Pattern: "POST /console/results/{id}/release", Handle: s.handleConsoleResultRelease},
		{Access: web.Staff(portal.PermResultsCorrect), Pattern: "POST /console/results/{id}/correct", Handle: s.handleConsoleResultCorrect},

		// Continuing-education review (ce.go).
		{Access: web.Staff(portal.PermCEReview), Pattern: "GET /console/ce", Handle: s.handleConsoleCE},
		{Access: web.Staff(portal.PermCEReview), Pattern: "GET /console/ce/submissions/{id}", Handle: s.handleConsoleCESubmission},
		{Access: web.Staff(portal.PermCEReview), Pattern: "GET /console/ce/submissions/{id}/evidence/{upload}", Handle: s.handleConsoleCEEvidence},
		{Access: web.Staff(portal.PermCEReview), Pattern: "POST /console/ce/submissions/{id}/claim", Handle: s.handleConsoleCEClaim},
		{Access: web.Staff(portal.PermCEReview), Pattern: "POST /console/ce/submissions/{id}/assign", Handle: s.handleConsoleCEAssign},
		{Access: web.Staff(portal.PermCEReview), Pattern: "POST /console/ce/submissions/{id}/decide", Handle: s.handleConsoleCEDecide},
		{Access: web.Staff(portal.PermSettingsManage), Pattern: "POST /console/ce/submissions/{id}/reverse", Handle: s.handleConsoleCEReverse},
		// Renewals flagged by a reversal (ce_flags.go).
		{Access: web.Staff(portal.PermSettingsManage), Pattern: "GET /console/ce/flags", Handle: s.handleConsoleCEFlags},
		{Access: web.Staff(portal.PermSettingsManage), Pattern: "GET /console/ce/flags/{id}", Handle: s.handleConsoleCEFlag},
		{Access: web.Staff(portal.PermSettingsManage), Pattern: "POST /console/ce/flags/{id}/resolve", Handle: s.handleConsoleCEFlagResolve},
		// The continuing-education catalogue, requirements and options
		// (ce_catalogue.go, ce_program.go, ce_import.go).
		{Access: web.Staff(portal.PermSettingsManage), Pattern: "GET /console/ce/catalogue", Handle: s.handleConsoleCECatalogue},
		{Access: web.Staff(portal.PermSettingsManage), Pattern: "GET /console/ce/catalogue/new", Handle: s.handleConsoleCETypeNew},
		{Access: web.Staff(portal.PermSettingsManage), Pattern: "POST /console/ce/catalogue", Handle: s.handleConsoleCETypeCreate},
		{Access: web.Staff(portal.PermSettingsManage), Pattern: "GET /console/ce/catalogue/types/{code}", Handle: s.handleConsoleCEType},
		{Access: web.Staff(portal.PermSettingsManage), Pattern: "POST /console/ce/catalogue/types/{code}", Handle: s.handleConsoleCETypeSave},
		{Access: web.Staff(portal.PermSettingsManage), Pattern: "GET /console/ce/catalogue/export.json", Handle: s.handleConsoleCEExport},
		{Access: web.Staff(portal.PermSettingsManage), Pattern: "GET /console/ce/catalogue/import", Handle: s.handleConsoleCEImportForm},
		{Access: web.Staff(portal.PermSettingsManage), Pattern: "POST /console/ce/catalogue/import", Limit: ceImportBodyLimit, Handle: s.handleConsoleCEImportPreview},
		{Access: web.Staff(portal.PermSettingsManage), Pattern: "POST /console/ce/catalogue/import/apply", Limit: ceImportBodyLimit, Handle: s.handleConsoleCEImportApply},
		{Access: web.Staff(portal.PermSettingsManage), Pattern: "GET /console/ce/catalogue/requirements", Handle: s.handleConsoleCERequirements},
		{Access: web.Staff(portal.PermSettingsManage), Pattern: "GET /console/ce/catalogue/requirements/{id}", Handle: s.handleConsoleCERequirement},
		{Access: web.Staff(portal.PermSettingsManage), Pattern: "POST /console/ce/catalogue/requirements/{id}", Handle: s.handleConsoleCERequirementSave},
		{Access: web.Staff(portal.PermSettingsManage), Pattern: "GET /console/ce/catalogue/options", Handle: s.handleConsoleCEOptions},
		{Access: web.Staff(portal.PermSettingsManage), Pattern: "POST /console/ce/catalogue/options", Handle: s.handleConsoleCEOptionsSave},
		{Access: web.Staff(portal.PermSettingsManage), Pattern: "POST /console/ce/catalogue/options/example", Handle: s.handleConsoleCEExampleApply},

		// Scheduling in the console (schedule.go).
		{Access: web.Staff(portal.PermRostersRead), Pattern: "GET /console/bookings", Handle: s.handleConsoleBookings},
		{Access: web.Staff(portal.PermBookingsManage), Pattern: "POST /console/bookings/{id}/absent", Handle: s.handleConsoleBookingNoShow("absent")},
		{Access: web.Staff(portal.PermBookingsManage), Pattern: "POST /console/bookings/{id}/late", Handle: s.handleConsoleBookingNoShow("late")},
		{Access: web.Staff(portal.PermBookingsManage), Pattern: "POST /console/bookings/{id}/cancel", Handle: s.handleConsoleBookingCancel},
		{Access: web.Staff(portal.PermBookingsManage), Pattern: "POST /console/bookings/{id}/check-in", Handle: s.handleConsoleBookingCheckIn},
		{Access: web.Staff(portal.PermBookingsManage), Pattern: "POST /console/bookings/{id}/delivered", Handle: s.handleConsoleBookingCorrectNoShow},
		{Access: web.Staff(portal.PermRostersRead), Pattern: "GET /console/roster", Handle: s.handleConsoleRoster},
		{Access: web.Staff(portal.PermSessionsManage), Pattern: "POST /console/slots/{id}/capacity", Handle: s.handleConsoleSlotCapacity},
		{Access: web.Staff(portal.PermSessionsManage), Pattern: "POST /console/slots/{id}/close", Handle: s.handleConsoleSlotClose},
		{Access: web.Staff(portal.PermSessionsManage), Pattern: "POST /console/centers/{id}/close-day", Handle: s.handleConsoleCloseDay},
		{Access: web.Staff(portal.PermVouchersManage), Pattern: "GET /console/vouchers", Handle: s.handleConsoleVouchers},
		{Access: web.Staff(portal.PermVouchersManage), Pattern: "POST /console/vouchers", Handle: s.handleConsoleVoucherCreate},
	}
}
