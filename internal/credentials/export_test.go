package credentials

// LookupBatch is lookupBatch, for the tests of the per-address limit.
const LookupBatch = lookupBatch
