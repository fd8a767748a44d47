package credits

// RemindAll exposes the sending of a sweep's batch to the tests, so that
// a test can hand it a listing made before a change.
var RemindAll = (*Service).remindAll
