package badge

import (
	"bytes"
	"sync"
	"testing"

	"example.org/certportal/internal/portal"
)

// same reports whether a and b are the same bytes in memory, not only
// equal ones: the cache handed out what it kept.
func same(a, b []byte) bool { return len(a) > 0 && len(a) == len(b) && &a[0] == &b[0] }

func TestCacheDrawsEachTemplateOnce(t *testing.T) {
	c := NewCache(16)
	tpl := Template{Code: "SAA-C03", Name: "Solutions Architect – Associate", Level: portal.LevelAssociate,
		ProgramName: "Example Certification Program", Logo: sampleLogo(t)}
	first, err := c.PNG(tpl)
	if err != nil {
		t.Fatal(err)
	}
	drawn, err := PNG(tpl)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, drawn) {
		t.Error("the cached badge differs from the one drawn directly")
	}
	again, err := c.PNG(tpl)
	if err != nil || !same(first, again) {
		t.Errorf("second request for the same template drew again (%v)", err)
	}
	// Every field is part of what the badge shows, so each change is a
	// badge of its own.
	for name, edit := range map[string]func(*Template){
		"code":    func(t *Template) { t.Code = "SAA-C04" },
		"name":    func(t *Template) { t.Name = "Solutions Architect – Professional" },
		"level":   func(t *Template) { t.Level = portal.LevelProfessional },
		"program": func(t *Template) { t.ProgramName = "Another Program" },
		"logo":    func(t *Template) { t.Logo = nil },
		// The same bytes moved from one field to the next are another
		// template, not the same key.
		"shifted": func(t *Template) { t.Code, t.Name = "SAA-C03Solutions", " Architect – Associate" },
	} {
		other := tpl
		edit(&other)
		got, err := c.PNG(other)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want, err := PNG(other)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) || same(got, first) {
			t.Errorf("%s changed: the cache returned another template's badge", name)
		}
	}
}

func TestCacheForgetsTheOldestWhenFull(t *testing.T) {
	c := NewCache(2)
	a, b, d := Template{Code: "A-1"}, Template{Code: "B-2"}, Template{Code: "D-3"}
	pa, _ := c.PNG(a)
	pb, _ := c.PNG(b)
	if got, _ := c.PNG(a); !same(got, pa) {
		t.Fatal("a was forgotten before the cache was full")
	}
	if _, err := c.PNG(d); err != nil { // full: a, the oldest, goes
		t.Fatal(err)
	}
	if got, _ := c.PNG(b); !same(got, pb) {
		t.Error("b was forgotten, but a was older")
	}
	if got, _ := c.PNG(a); same(got, pa) {
		t.Error("a was kept beyond the cache's size")
	}
	if len(c.pngs) != 2 || len(c.order) != 2 {
		t.Errorf("cache holds %d badges in %d places, want 2", len(c.pngs), len(c.order))
	}
}

func TestCacheConcurrentRequests(t *testing.T) {
	c := NewCache(3)
	tpls := []Template{{Code: "A-1"}, {Code: "B-2"}, {Code: "C-3"}, {Code: "D-4"}}
	want := make([][]byte, len(tpls))
	for i, tpl := range tpls {
		var err error
		if want[i], err = PNG(tpl); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 6 {
				k := (i + j) % len(tpls)
				got, err := c.PNG(tpls[k])
				if err != nil || !bytes.Equal(got, want[k]) {
					t.Errorf("badge of %s: wrong bytes (%v)", tpls[k].Code, err)
				}
			}
		})
	}
	wg.Wait()
	if len(c.pngs) > 3 || len(c.pngs) != len(c.order) {
		t.Errorf("cache holds %d badges in %d places, want at most 3", len(c.pngs), len(c.order))
	}
}
