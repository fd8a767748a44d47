// Package consoletest tests the staff console black-box: each test starts
// the real application (internal/testutil/apptest) and drives the console's
// pages over HTTP as staff do: admin set-up, centers, exams, calendar,
// program settings, staff, users, the development mailbox and the console's
// input checks. It is a package of its own so that its tests run beside
// the other page tests (bookingtest, accounttest) and internal/app's own.
package consoletest
