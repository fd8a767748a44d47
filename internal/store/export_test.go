package store

// WithSynchronous lets the durability test open SQLite with another
// synchronous mode.
func WithSynchronous(o Options, mode string) Options {
	o.sqliteSynchronous = mode
	return o
}
