//go:build failpoints

package failpoint

import (
	"fmt"
	"os"
)

var armed = os.Getenv(EnvVar)

// Inject ends the process with ExitCode when name is the armed point.
func Inject(name string) {
	if name != "" && name == armed {
		fmt.Fprintf(os.Stderr, "failpoint %s: exiting with %d\n", name, ExitCode)
		os.Exit(ExitCode)
	}
}
