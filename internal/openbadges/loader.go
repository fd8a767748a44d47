package openbadges

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"

	"github.com/piprate/json-gold/ld"
)

//go:embed contexts/*.json
var contextFiles embed.FS

// bundledContexts maps each context URL the loader serves to its file.
var bundledContexts = map[string]string{
	ContextVC:           "contexts/credentials-v2.json",
	ContextOB:           "contexts/ob-v3p0-context-3.0.3.json",
	ContextOBExtensions: "contexts/ob-v3p0-extensions.json",
}

// Loader is a JSON-LD document loader that serves the bundled contexts and
// refuses every other URL, so that expanding or canonicalizing a document
// never reaches the network.
type Loader struct {
	docs map[string]any
}

// NewLoader returns a loader of the bundled contexts.
func NewLoader() *Loader {
	l, err := newLoader(nil)
	if err != nil {
		panic(err) // the bundled files are part of the binary
	}
	return l
}

// newLoader serves the bundled contexts plus extra (URL to JSON), which
// tests use for the W3C vectors' example context.
func newLoader(extra map[string][]byte) (*Loader, error) {
	l := &Loader{docs: map[string]any{}}
	for url, name := range bundledContexts {
		data, err := contextFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		if err := l.add(url, data); err != nil {
			return nil, err
		}
	}
	for url, data := range extra {
		if err := l.add(url, data); err != nil {
			return nil, err
		}
	}
	return l, nil
}

func (l *Loader) add(url string, data []byte) error {
	doc, err := ld.DocumentFromReader(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("openbadges: context %s: %w", url, err)
	}
	l.docs[url] = doc
	return nil
}

// LoadDocument implements ld.DocumentLoader.
func (l *Loader) LoadDocument(url string) (*ld.RemoteDocument, error) {
	doc, ok := l.docs[url]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrContext, url)
	}
	return &ld.RemoteDocument{DocumentURL: url, Document: doc}, nil
}

// ContextURLs lists the bundled context URLs (for an offline kit).
func ContextURLs() []string {
	return []string{ContextVC, ContextOB, ContextOBExtensions}
}

// ContextDocument returns the bundled JSON of a context URL.
func ContextDocument(url string) ([]byte, error) {
	name, ok := bundledContexts[url]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrContext, url)
	}
	data, err := contextFiles.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return json.RawMessage(data), nil
}
