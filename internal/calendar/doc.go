// Package calendar is the program's calendar: its time zone, business
// days and holidays, and the answers built on them ("add N business days",
// "end of that day", "is this a business day").
//
// Contract: Calendar (the answers) is open to every caller, services and
// jobs included. Reading and changing the settings (Settings, Save,
// AddHoliday, RemoveHoliday, ImportICS) is for admins and the system;
// anyone else gets portal.ErrForbidden. Invalid input is an invalid
// *portal.Error whose Fields name the form fields. Every change is audited
// as "calendar.*". The settings live in app_settings, so every instance
// agrees.
package calendar
