package web

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// kitSourceDir is the source directory of this package, where development
// mode reads the layout and partials again.
var kitSourceDir = SourceDir()

// SourceDir returns the source directory of the package that calls it, so
// that in development mode edited templates show on the next request
// without a rebuild (Section.Source); empty when unknown.
func SourceDir() string {
	_, file, _, ok := runtime.Caller(1)
	if !ok {
		return ""
	}
	return filepath.Dir(file)
}

// devTemplateDir returns dir, a package's source directory, for reading
// its templates. It fails when the sources are not on this machine.
func devTemplateDir(dir string) (fs.FS, error) {
	if dir == "" {
		return nil, errors.New("web: no source location")
	}
	if _, err := os.Stat(filepath.Join(dir, "templates")); err != nil {
		return nil, err
	}
	return os.DirFS(dir), nil
}
