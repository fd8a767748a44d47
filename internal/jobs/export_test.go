package jobs

// WithTestOnly makes River skip the staggered start of its maintenance
// services, which only slows tests down.
func WithTestOnly(c Config) Config {
	c.testOnly = true
	return c
}
