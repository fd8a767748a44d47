package openbadges

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/piprate/json-gold/ld"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

//go:embed schema/ob_v3p0_achievementcredential_schema.json
var schemaFile []byte

// decodeDocument reads one JSON object and nothing after it.
func decodeDocument(data []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if doc == nil {
		return nil, fmt.Errorf("%w: not a JSON object", ErrInvalid)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: data after the JSON object", ErrInvalid)
	}
	return doc, nil
}

// Check applies every rule a document must pass before it is signed, and
// that a credential must pass to verify: the control-character rule, the
// 1EdTech JSON Schema, JSON-LD expansion keeping every term, and every IRI
// of the expansion absolute. The document may carry a proof.
func Check(doc map[string]any, loader ld.DocumentLoader) error {
	if err := checkCharacters(doc, ""); err != nil {
		return err
	}
	if err := checkSchema(doc); err != nil {
		return err
	}
	expanded, err := checkTerms(doc, loader)
	if err != nil {
		return err
	}
	return checkIRIs(expanded)
}

// checkCharacters refuses control characters other than \n, \r and \t in
// any key or string: JSON-LD processors escape them differently in the
// canonical form, so a signature made here might not verify elsewhere.
func checkCharacters(v any, at string) error {
	bad := func(s string) bool {
		for _, r := range s {
			if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
				return true
			}
		}
		return false
	}
	switch v := v.(type) {
	case string:
		if bad(v) {
			return fmt.Errorf("%w: control character in %s", ErrInvalid, pointerOrRoot(at))
		}
	case map[string]any:
		for k, e := range v {
			if bad(k) {
				return fmt.Errorf("%w: control character in a key at %s", ErrInvalid, pointerOrRoot(at))
			}
			if err := checkCharacters(e, at+"/"+escapePointer(k)); err != nil {
				return err
			}
		}
	case []any:
		for i, e := range v {
			if err := checkCharacters(e, at+"/"+strconv.Itoa(i)); err != nil {
				return err
			}
		}
	}
	return nil
}

var compiledSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaFile))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.UseLoader(refuseLoader{})
	c.AssertFormat()
	if err := c.AddResource(SchemaURL, doc); err != nil {
		return nil, err
	}
	return c.Compile(SchemaURL)
})

var compiledStatusSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	if _, err := compiledSchema(); err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaFile))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.UseLoader(refuseLoader{})
	c.AssertFormat()
	if err := c.AddResource(SchemaURL, doc); err != nil {
		return nil, err
	}
	return c.Compile(SchemaURL + "#/$defs/CredentialStatus")
})

// refuseLoader keeps the schema compiler off the network and the disk.
type refuseLoader struct{}

func (refuseLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("openbadges: schema %s is not bundled", url)
}

// checkSchema validates against the bundled 1EdTech OB 3.0 JSON Schema.
//
// The schema allows one credentialStatus object, while the VC Data Model
// 2.0 allows several and a credential here carries two (revocation and
// suspension). An array of entries is therefore validated entry by entry
// against the schema's CredentialStatus definition, and the rest of the
// document, with its first entry in place of the array, against the whole
// schema. Every other rule of the schema applies as published.
func checkSchema(doc map[string]any) error {
	sch, err := compiledSchema()
	if err != nil {
		return err
	}
	inst, err := schemaInstance(doc)
	if err != nil {
		return err
	}
	obj := inst.(map[string]any)
	if entries, ok := obj["credentialStatus"].([]any); ok {
		if len(entries) == 0 {
			return fmt.Errorf("%w: schema: credentialStatus is empty", ErrInvalid)
		}
		status, err := compiledStatusSchema()
		if err != nil {
			return err
		}
		for i, e := range entries {
			if err := status.Validate(e); err != nil {
				return fmt.Errorf("%w: schema: credentialStatus/%d: %v", ErrInvalid, i, err)
			}
		}
		obj["credentialStatus"] = entries[0]
	}
	if err := sch.Validate(obj); err != nil {
		return fmt.Errorf("%w: schema: %v", ErrInvalid, err)
	}
	return nil
}

// schemaInstance is a deep copy of doc in the validator's own JSON form.
func schemaInstance(doc map[string]any) (any, error) {
	data, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(data))
}

// keywordAliases are the terms the bundled contexts map to JSON-LD
// keywords: expansion turns them into @id and @type.
var keywordAliases = map[string]bool{"id": true, "type": true}

// checkTerms expands doc and refuses it when expansion dropped or could
// not resolve a term: for every node object of the input, the number of
// properties expansion kept must equal the number of terms it had. A term
// that no context defines is dropped silently (json-gold's SafeMode does not
// catch it), and what is dropped is not signed.
func checkTerms(doc map[string]any, loader ld.DocumentLoader) ([]any, error) {
	kept := map[string]map[string]any{}
	opts := ldOptions(loader)
	opts.ExpandedElementHandler = func(pointer string, expanded any) {
		if m, ok := expanded.(map[string]any); ok {
			kept[pointer] = m
		}
	}
	if err := checkContextURLs(doc, loader); err != nil {
		return nil, err
	}
	expanded, err := ld.NewJsonLdProcessor().Expand(doc, opts)
	if err != nil {
		return nil, fmt.Errorf("%w: JSON-LD expansion: %v", ErrInvalid, err)
	}
	if err := compareTerms(doc, "", kept); err != nil {
		return nil, err
	}
	return expanded, nil
}

// checkContextURLs refuses, with ErrContext, a context URL anywhere in
// doc that the loader does not serve.
func checkContextURLs(v any, loader ld.DocumentLoader) error {
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			if err := checkContextURLs(e, loader); err != nil {
				return err
			}
		}
	case map[string]any:
		for k, e := range v {
			if k != "@context" {
				if err := checkContextURLs(e, loader); err != nil {
					return err
				}
				continue
			}
			ctxs, ok := e.([]any)
			if !ok {
				ctxs = []any{e}
			}
			for _, c := range ctxs {
				if url, ok := c.(string); ok {
					if _, err := loader.LoadDocument(url); err != nil {
						return fmt.Errorf("%w: %v", ErrContext, err)
					}
				}
			}
		}
	}
	return nil
}

func compareTerms(v any, at string, kept map[string]map[string]any) error {
	switch v := v.(type) {
	case []any:
		for i, e := range v {
			if err := compareTerms(e, at+"/"+strconv.Itoa(i), kept); err != nil {
				return err
			}
		}
	case map[string]any:
		var terms []string
		for k, e := range v {
			if k == "@context" {
				continue
			}
			if !strings.HasPrefix(k, "@") && !keywordAliases[k] {
				terms = append(terms, k)
			}
			if err := compareTerms(e, at+"/"+escapePointer(k), kept); err != nil {
				return err
			}
		}
		if len(terms) == 0 {
			return nil
		}
		got := 0
		for k := range kept[at] {
			if !strings.HasPrefix(k, "@") {
				got++
			}
		}
		if got != len(terms) {
			sort.Strings(terms)
			return fmt.Errorf("%w: JSON-LD expansion kept %d of the terms %s at %s: a term is undefined or null",
				ErrInvalid, got, strings.Join(terms, ", "), pointerOrRoot(at))
		}
	}
	return nil
}

// checkIRIs refuses a relative or empty IRI anywhere in the expanded
// document: canonicalization drops such a node or triple silently, so it
// would go unsigned here and be refused by other verifiers.
func checkIRIs(v any) error {
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			if err := checkIRIs(e); err != nil {
				return err
			}
		}
	case map[string]any:
		for k, e := range v {
			switch k {
			case "@id":
				s, _ := e.(string)
				if !absoluteIRI(s) {
					return fmt.Errorf("%w: identifier %q is not an absolute IRI", ErrInvalid, s)
				}
			case "@type":
				types, ok := e.([]any)
				if !ok {
					types = []any{e}
				}
				for _, t := range types {
					s, _ := t.(string)
					if s != "@json" && !absoluteIRI(s) {
						return fmt.Errorf("%w: type %q is not an absolute IRI", ErrInvalid, s)
					}
				}
			case "@value", "@language", "@direction", "@index":
			default:
				if !strings.HasPrefix(k, "@") && !absoluteIRI(k) {
					return fmt.Errorf("%w: property %q is not an absolute IRI", ErrInvalid, k)
				}
				if err := checkIRIs(e); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// absoluteIRI reports whether s has a scheme (RFC 3987), something after
// it, and no character N-Quads cannot hold in an IRI.
func absoluteIRI(s string) bool {
	i := strings.IndexByte(s, ':')
	if i < 1 || i == len(s)-1 {
		return false
	}
	for j, r := range s[:i] {
		letter := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		if !letter && (j == 0 || !(r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.')) {
			return false
		}
	}
	for _, r := range s {
		if r <= ' ' || strings.ContainsRune("<>\"{}|\\^`", r) {
			return false
		}
	}
	return true
}

func escapePointer(k string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(k)
}

func pointerOrRoot(p string) string {
	if p == "" {
		return "the document"
	}
	return p
}
