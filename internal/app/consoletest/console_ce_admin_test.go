package consoletest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
	"example.org/certportal/internal/testutil/apptest"
)

// setLanguage makes lang the preferred language of the account with
// email, as its profile form would.
func setLanguage(t *testing.T, a *apptest.App, email, lang string) {
	t.Helper()
	st := a.OpenStore(t)
	defer st.Close()
	q := `UPDATE users SET language = ? WHERE email = ?`
	if a.Engine == store.Postgres {
		q = `UPDATE users SET language = $1 WHERE email = $2`
	}
	if _, err := st.DB().Exec(q, lang, email); err != nil {
		t.Fatal(err)
	}
}

// typeForm is the form of the demo's documentation review as the console
// shows it, with changes.
func typeForm(t *testing.T, a *apptest.App, c *http.Client, path string, changes url.Values) url.Values {
	t.Helper()
	page := a.GetPage(t, c, path, http.StatusOK)
	form := url.Values{}
	for _, name := range []string{"group", "name_en", "description_en", "name_es", "description_es", "rule", "unit_minutes",
		"per_unit", "min_credits", "max_credits", "cap_activity", "cap_cycle", "min_evidence", "counts_for", "active_from",
		"active_until", "deadline_days"} {
		sel := "#" + name
		switch {
		case page.Has("select" + sel):
			form.Set(name, page.AttrOf("select"+sel+" option[selected]", "value"))
		case page.Has("textarea" + sel):
			form.Set(name, page.TextOf("textarea"+sel))
		default:
			form.Set(name, page.AttrOf("input"+sel, "value"))
		}
	}
	for _, box := range page.Values(".ce-type-form input[type=checkbox][checked]", "name") {
		form.Set(box, "on")
	}
	for k, v := range changes {
		form[k] = v
	}
	return form
}

// TestConsoleCECatalogue: an admin lists the activity types by group,
// edits one (credits shown as decimals, saved as a new version, listed
// with the earlier one; an unchanged save makes none), is told next to
// the field what the form lacks (in English and Spanish), creates a type
// and cannot create one with a code in use; a CE reviewer, a candidate
// and a visitor reach none of it (SECURITY access rows).
func TestConsoleCECatalogue(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, ac, cand := centerAdmin(t, engine)

		if !a.GetPage(t, ac, "/console", http.StatusOK).Has(`a[href="/console/ce/catalogue"]`) {
			t.Error("the admin's console has no link to the CE catalogue")
		}
		list := a.GetPage(t, ac, "/console/ce/catalogue", http.StatusOK)
		for _, g := range []string{"#group-official", "#group-recognised", "#group-other"} {
			if !list.Has(g) {
				t.Errorf("the catalogue lacks the group %s", g)
			}
		}
		if got := list.TextOf("#type-documentation_review"); !strings.Contains(got, "0.25 credits per 15 minutes of the stated duration") || !strings.Contains(got, "at most 4 an activity") {
			t.Errorf("documentation review row %q", got)
		}

		path := "/console/ce/catalogue/types/documentation_review"
		page := a.GetPage(t, ac, path, http.StatusOK)
		if got := page.AttrOf("#per_unit", "value"); got != "0.25" {
			t.Errorf("per unit shown %q, want 0.25", got)
		}
		if n := page.Count(".ce-version"); n != 1 {
			t.Errorf("%d versions before the edit, want 1", n)
		}

		status, loc, _ := a.PostPage(t, ac, path, typeForm(t, a, ac, path, url.Values{"cap_activity": {"3.5"}}))
		if status != http.StatusSeeOther || !strings.HasPrefix(loc, path) {
			t.Fatalf("save: %d %s", status, loc)
		}
		page = a.GetPage(t, ac, loc, http.StatusOK)
		if n := page.Count(".ce-version"); n != 2 || !strings.Contains(page.TextOf(".ce-current-version"), "version 2") {
			t.Errorf("after the save: %d versions, %q; want 2", n, page.TextOf(".ce-current-version"))
		}
		if got := page.TextOf(".ce-versions tbody tr:first-child"); !strings.Contains(got, "at most 3.5 an activity") {
			t.Errorf("newest version %q, want the new cap", got)
		}
		if got := page.AttrOf("#cap_activity", "value"); got != "3.5" {
			t.Errorf("cap shown %q after the save", got)
		}
		status, loc, _ = a.PostPage(t, ac, path, typeForm(t, a, ac, path, nil))
		if status != http.StatusSeeOther || a.GetPage(t, ac, loc, http.StatusOK).Count(".ce-version") != 2 {
			t.Errorf("an unchanged save: %d, or it made a version", status)
		}

		status, _, doc := a.PostPage(t, ac, path, typeForm(t, a, ac, path, url.Values{"per_unit": {"a quarter"}, "name_en": {" "},
			"deadline_days": {"5000"}, "cap_cycle": {"-1"}}))
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("an invalid form: %d, want 422", status)
		}
		for id, want := range map[string]string{"#per_unit-error": "at most two decimals", "#name_en-error": "name in English",
			"#deadline_days-error": "from 1 to 3650", "#cap_cycle-error": "at most two decimals"} {
			if got := doc.TextOf(id); !strings.Contains(got, want) {
				t.Errorf("%s = %q, want %q", id, got, want)
			}
		}
		if a.GetPage(t, ac, path, http.StatusOK).Count(".ce-version") != 2 {
			t.Error("a refused form made a version")
		}

		setLanguage(t, a, "admin@demo.certportal.localhost", "es")
		status, _, doc = a.PostPage(t, ac, path, typeForm(t, a, ac, path, url.Values{"min_evidence": {"9"}}))
		if got := doc.TextOf("#min_evidence-error"); status != http.StatusUnprocessableEntity || !strings.Contains(got, "de 0 a 5") {
			t.Errorf("Spanish refusal: %d %q", status, got)
		}
		if got := a.GetPage(t, ac, path, http.StatusOK).AttrOf("#cap_activity", "value"); got != "3,5" {
			t.Errorf("Spanish decimal %q, want 3,5", got)
		}
		setLanguage(t, a, "admin@demo.certportal.localhost", "en")

		a.GetPage(t, ac, "/console/ce/catalogue/new", http.StatusOK)
		create := url.Values{"code": {"podcast_episode"}, "group": {"other"}, "name_en": {"Podcast episode"}, "rule": {"range"},
			"unit_minutes": {"60"}, "min_credits": {"2"}, "max_credits": {"5.5"}, "min_evidence": {"1"}, "counts_for": {"levels"},
			"level_professional": {"on"}, "req_url": {"on"}, "deadline_days": {"180"}}
		status, loc, _ = a.PostPage(t, ac, "/console/ce/catalogue", create)
		if status != http.StatusSeeOther || !strings.HasSuffix(loc[:strings.Index(loc+"?", "?")], "/types/podcast_episode") {
			t.Fatalf("create: %d %s", status, loc)
		}
		if got := a.GetPage(t, ac, "/console/ce/catalogue", http.StatusOK).TextOf("#type-podcast_episode"); !strings.Contains(got, "from 2 to 5.5") {
			t.Errorf("the new type's row %q", got)
		}
		created := a.GetPage(t, ac, loc, http.StatusOK)
		if !created.Has("#level_professional[checked]") || created.Has("#level_associate[checked]") || !created.Has("#req_url[checked]") {
			t.Error("the new type's levels or required fields were not kept")
		}
		status, _, doc = a.PostPage(t, ac, "/console/ce/catalogue", create)
		if status != http.StatusUnprocessableEntity || !strings.Contains(doc.TextOf("#code-error"), "podcast_episode exists") {
			t.Errorf("a code in use: %d %q", status, doc.TextOf("#code-error"))
		}
		create.Set("code", "no_levels")
		create.Del("level_professional")
		status, _, doc = a.PostPage(t, ac, "/console/ce/catalogue", create)
		if status != http.StatusUnprocessableEntity || doc.TextOf("#counts_list-error") == "" {
			t.Errorf("levels without one ticked: %d %q", status, doc.TextOf("#counts_list-error"))
		}

		rc := demoStaffClient(t, a, "ce_reviewer")
		candidate, _ := a.SignIn(t, cand[1], cand[2])
		for _, p := range []string{"/console/ce/catalogue", path, "/console/ce/catalogue/options", "/console/ce/catalogue/requirements",
			"/console/ce/catalogue/import", "/console/ce/catalogue/export.json"} {
			for who, c := range map[string]*http.Client{"CE reviewer": rc, "candidate": candidate} {
				if resp := a.Get(t, c, p); resp.StatusCode != http.StatusForbidden {
					t.Errorf("%s GET %s: %d, want 403", who, p, resp.StatusCode)
				}
			}
			if resp := a.Get(t, a.Client(), p); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/signin") {
				t.Errorf("visitor GET %s: %d, want the sign-in page", p, resp.StatusCode)
			}
		}
		if status, _, _ := a.PostPage(t, rc, path, typeForm(t, a, ac, path, url.Values{"cap_activity": {"1"}})); status != http.StatusForbidden {
			t.Errorf("a CE reviewer's save: %d, want 403", status)
		}
		if a.GetPage(t, rc, "/console", http.StatusOK).Has(`a[href="/console/ce/catalogue"]`) {
			t.Error("the CE reviewer sees the catalogue's link")
		}
	})
}

// TestConsoleCEProgramSettings: an admin sets a certification's
// requirement in decimal credits with a group minimum, a type maximum and
// an exam as the other way, and reads it back in words; refusals show
// next to their fields; the options refuse values out of range and save
// the count mode; an example configuration applies, and an unknown one is
// refused on its field.
func TestConsoleCEProgramSettings(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, ac, _ := centerAdmin(t, engine)
		list := a.GetPage(t, ac, "/console/ce/catalogue/requirements", http.StatusOK)
		links := list.Values(".ce-requirements a", "href")
		if len(links) == 0 {
			t.Fatalf("no certification listed:\n%s", list.TextOf("main"))
		}
		if got := list.TextOf(".ce-requirements tbody tr:first-child"); !strings.Contains(got, "100 credits") || !strings.Contains(got, "(the default)") {
			t.Errorf("a default requirement reads %q", got)
		}
		path := links[0]
		page := a.GetPage(t, ac, path, http.StatusOK)
		if got := page.AttrOf("#credits", "value"); got != "100" {
			t.Errorf("credits shown %q, want 100", got)
		}
		form := url.Values{"group_rows": {"2"}, "credits": {"120"}, "yearly_target": {"40"}, "group_min_0_official": {"on"},
			"group_min_0_recognised": {"on"}, "group_min_0_credits": {"90"}, "type_max_published_article": {"25.5"}, "exams": {"saa-c03"}}
		for field, bad := range map[string]url.Values{
			"#credits-error":             {"credits": {"lots"}},
			"#group_min_0_credits-error": {"group_min_0_credits": {"130"}},
			"#group_min_1_credits-error": {"group_min_1_other": {"on"}},
			"#group_min_0-error":         {"group_min_0_official": nil, "group_min_0_recognised": nil},
			"#yearly_target-error":       {"yearly_target": {"1.234"}},
		} {
			f := url.Values{}
			for k, v := range form {
				f[k] = v
			}
			for k, v := range bad {
				if v == nil {
					f.Del(k)
				} else {
					f[k] = v
				}
			}
			status, _, doc := a.PostPage(t, ac, path, f)
			if status != http.StatusUnprocessableEntity || doc.TextOf(field) == "" {
				t.Errorf("%v: %d, %s %q", bad, status, field, doc.TextOf(field))
			}
		}
		status, loc, _ := a.PostPage(t, ac, path, form)
		if status != http.StatusSeeOther {
			t.Fatalf("save requirement: %d", status)
		}
		got := a.GetPage(t, ac, loc, http.StatusOK).TextOf(".ce-requirements tbody tr:first-child")
		for _, want := range []string{"120 credits", "at least 90 from Official training + Recognised learning", "at most 25.5 from Published article",
			"a pass of SAA-C03", "40 a year suggested"} {
			if !strings.Contains(got, want) {
				t.Errorf("requirement reads %q, want %q", got, want)
			}
		}
		back := a.GetPage(t, ac, path, http.StatusOK)
		if back.AttrOf("#group_min_0_credits", "value") != "90" || !back.Has("#group_min_0_recognised[checked]") || back.AttrOf("#exams", "value") != "SAA-C03" {
			t.Error("the saved requirement does not fill the form back")
		}

		opts := a.GetPage(t, ac, "/console/ce/catalogue/options", http.StatusOK)
		if got := opts.AttrOf("#max_open", "value"); got != "30" {
			t.Errorf("max open shown %q, want 30", got)
		}
		status, _, doc := a.PostPage(t, ac, "/console/ce/catalogue/options", url.Values{"count_mode": {"choose"}, "review_business_days": {"20"},
			"info_days": {"x"}, "max_open": {"0"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(doc.TextOf("#max_open-error"), "from 1 to 1000") || doc.TextOf("#info_days-error") == "" {
			t.Errorf("bad options: %d %q %q", status, doc.TextOf("#max_open-error"), doc.TextOf("#info_days-error"))
		}
		status, _, _ = a.PostPage(t, ac, "/console/ce/catalogue/options", url.Values{"count_mode": {"choose"}, "review_business_days": {"15"},
			"info_days": {"30"}, "max_open": {"25"}})
		if status != http.StatusSeeOther {
			t.Fatalf("save options: %d", status)
		}
		opts = a.GetPage(t, ac, "/console/ce/catalogue/options", http.StatusOK)
		if opts.AttrOf("#count_mode option[selected]", "value") != "choose" || opts.AttrOf("#max_open", "value") != "25" {
			t.Error("the saved options do not show")
		}
		status, _, doc = a.PostPage(t, ac, "/console/ce/catalogue/options/example", url.Values{"example": {"acme_style"}})
		if status != http.StatusUnprocessableEntity || doc.TextOf("#example-error") == "" {
			t.Errorf("an unknown example: %d %q", status, doc.TextOf("#example-error"))
		}
		if status, _, _ = a.PostPage(t, ac, "/console/ce/catalogue/options/example", url.Values{"example": {"isc2_style"}}); status != http.StatusSeeOther {
			t.Fatalf("apply the ISC2-style example: %d", status)
		}
		reqs := a.GetPage(t, ac, "/console/ce/catalogue/requirements", http.StatusOK).Texts(".ce-req-summary")
		for _, got := range reqs {
			if !strings.Contains(got, "120 credits, at least 90 from") {
				t.Errorf("after the example a requirement reads %q", got)
			}
		}
		if got := a.GetPage(t, ac, "/console/ce/catalogue/options", http.StatusOK).AttrOf("#count_mode option[selected]", "value"); got != "every" {
			t.Errorf("after the example the count mode is %q, want every", got)
		}
	})
}

// TestConsoleCECatalogueImport: the export downloads as JSON; a changed
// file is previewed with what it adds and changes, and applies as new
// versions; a file with problems is refused with each one listed and
// nothing changed; a preview made before the catalogue changed is refused
// on apply, with the differences shown again.
func TestConsoleCECatalogueImport(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		a, ac, _ := centerAdmin(t, engine)
		resp := a.Get(t, ac, "/console/ce/catalogue/export.json")
		body := apptest.Body(t, resp)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") ||
			!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("export: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
		}
		var file map[string]any
		if err := json.Unmarshal([]byte(body), &file); err != nil || file["format"] != "certportal.ce-catalogue/1" {
			t.Fatalf("export is not the catalogue: %v %.200s", err, body)
		}
		types := file["types"].([]any)
		for _, x := range types {
			if m := x.(map[string]any); m["code"] == "teaching_course" {
				m["max_credits"] = json.Number("90")
			}
		}
		file["types"] = append(types, map[string]any{"code": "mentoring", "group": "other", "texts": map[string]any{"en": map[string]any{"name": "Mentoring"}},
			"rule": "fixed", "min_credits": 3, "min_evidence": 1, "counts_for": "all", "deadline_days": 365})
		changed, err := json.Marshal(file)
		if err != nil {
			t.Fatal(err)
		}

		bad := a.PostFile(t, ac, "/console/ce/catalogue/import", "file", "bad.json", []byte(`{"format": "certportal.ce-catalogue/1", "types": [{"code": "X", "group": "none"}]}`))
		doc := testutil.ParseHTML(t, apptest.Body(t, bad))
		if bad.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc.TextOf("#file-error"), "Nothing was changed") ||
			!strings.Contains(doc.TextOf(".ce-problems"), "types[0].code") {
			t.Errorf("a file with problems: %d %q %q", bad.StatusCode, doc.TextOf("#file-error"), doc.TextOf(".ce-problems"))
		}
		if r := a.PostFile(t, ac, "/console/ce/catalogue/import", "file", "notes.json", []byte("not json")); r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("not JSON: %d", r.StatusCode)
		} else if doc := testutil.ParseHTML(t, apptest.Body(t, r)); !strings.Contains(doc.TextOf(".ce-problems"), "not valid JSON") {
			t.Errorf("not JSON: problems %q", doc.TextOf(".ce-problems"))
		}

		prev := a.PostFile(t, ac, "/console/ce/catalogue/import", "file", "catalogue.json", changed)
		doc = testutil.ParseHTML(t, apptest.Body(t, prev))
		if prev.StatusCode != http.StatusOK || !strings.Contains(doc.TextOf(".ce-added"), "mentoring") || !strings.Contains(doc.TextOf(".ce-preview"), "teaching_course") {
			t.Fatalf("preview: %d\n%s", prev.StatusCode, doc.TextOf("main"))
		}
		if got := doc.TextOf(".ce-preview-summary"); !strings.Contains(got, "1 type added") || !strings.Contains(got, "1 type changed") {
			t.Errorf("preview summary %q", got)
		}
		apply := url.Values{"file": {doc.AttrOf("input[name=file][type=hidden]", "value")}, "base": {doc.AttrOf("input[name=base]", "value")}}

		// Another admin's change between the preview and the apply.
		path := "/console/ce/catalogue/types/conference_talk"
		if status, _, _ := a.PostPage(t, ac, path, typeForm(t, a, ac, path, url.Values{"cap_cycle": {"60"}})); status != http.StatusSeeOther {
			t.Fatalf("change between preview and apply: %d", status)
		}
		status, _, doc := a.PostPage(t, ac, "/console/ce/catalogue/import/apply", apply)
		if status != http.StatusConflict || !strings.Contains(doc.TextOf(".ce-refusal"), "changed since this preview") || !doc.Has(".ce-apply") {
			t.Fatalf("a stale preview: %d %q", status, doc.TextOf(".ce-refusal"))
		}
		if a.GetPage(t, ac, "/console/ce/catalogue", http.StatusOK).Has("#type-mentoring") {
			t.Fatal("the stale preview was applied")
		}
		apply.Set("base", doc.AttrOf("input[name=base]", "value"))
		status, loc, _ := a.PostPage(t, ac, "/console/ce/catalogue/import/apply", apply)
		if status != http.StatusSeeOther {
			t.Fatalf("apply: %d", status)
		}
		list := a.GetPage(t, ac, loc, http.StatusOK)
		if !list.Has("#type-mentoring") || !strings.Contains(list.TextOf("#type-teaching_course"), "from 50 to 90") {
			t.Errorf("after the import: %q", list.TextOf("main"))
		}
		if got := list.TextOf("#type-conference_talk"); !strings.Contains(got, "No caps") {
			// The file carried the exported conference talk back: the
			// import writes the file's rules as a new version.
			t.Errorf("conference talk after the import %q", got)
		}
	})
}
