package web_test

import (
	"os"
	"path/filepath"
	"testing"

	"example.org/certportal/internal/web"
	"example.org/certportal/internal/web/candidate"
	"example.org/certportal/internal/web/console"
)

// TestSectionsNameTheirSource: each section names its own source
// directory, where development mode reads its templates again.
func TestSectionsNameTheirSource(t *testing.T) {
	for dir, sec := range map[string]web.Section{"candidate": candidate.Section(), "console": console.Section()} {
		if filepath.Base(sec.Source) != dir {
			t.Errorf("%s: source %q", dir, sec.Source)
		}
		if _, err := os.Stat(filepath.Join(sec.Source, "templates")); err != nil {
			t.Errorf("%s: %v", dir, err)
		}
	}
}
