package results

// Validity exposes the days of issue and expiry of a certification to the
// tests.
var Validity = validity
