package web

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// devTemplateDir returns the source directory of this package so that, in
// development mode, edited templates show on the next request without a
// rebuild. It fails when the sources are not on this machine.
func devTemplateDir() (fs.FS, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return nil, errors.New("web: no source location")
	}
	dir := filepath.Dir(file)
	if _, err := os.Stat(filepath.Join(dir, "templates")); err != nil {
		return nil, err
	}
	return os.DirFS(dir), nil
}
