// Package accounttest tests accounts black-box: each test starts the real
// application (internal/testutil/apptest) and registers, verifies, signs
// in, resets passwords and manages second factors over HTTP, and fuzzes the
// account forms. It is a package of its own so that its tests run beside
// the other page tests (consoletest, bookingtest) and internal/app's own.
package accounttest
