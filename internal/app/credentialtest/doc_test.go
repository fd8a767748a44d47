// Package credentialtest tests credentials black-box: each test starts the
// real application in demo mode (internal/testutil/apptest), whose
// certified candidate holds credentials, and checks the holder's
// downloads, the public verification pages and API, and the status lists
// over HTTP. It is a package of its own so that its tests run beside the
// other page tests.
package credentialtest
