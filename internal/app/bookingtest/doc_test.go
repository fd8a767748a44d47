// Package bookingtest tests booking black-box: each test starts the real
// application (internal/testutil/apptest) and books, pays, moves and
// cancels seats over HTTP, on the site and the JSON API, and in a browser
// for the booking scripts. It is a package of its own so that its tests run
// beside the other page tests (consoletest, accounttest) and internal/app's
// own.
package bookingtest
