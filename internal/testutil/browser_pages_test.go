package testutil

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

// textsPage is a Spanish page with text in the places PageTexts reads and
// in places it must skip.
const textsPage = `<!doctype html>
<html lang="es">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Su carrito</title>
<style>.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0) }</style>
</head>
<body><main>
<h1>Su carrito</h1>
<p id="split">Retenida durante <strong>14 min</strong> más.</p>
<p hidden>Texto oculto</p>
<p style="display: none">Tampoco se ve</p>
<p><span class="visually-hidden">Para lectores de pantalla</span></p>
<p>Examen: <span lang="en">Certified Solutions Architect</span></p>
<nav aria-label="Principal"><a href="/">Inicio</a></nav>
<form method="get" action="/next">
<label for="unit">Unidad</label>
<select id="unit" name="unit"><option value="km">kilómetros</option><option value="mi">[schedule.unit.mi]</option></select>
<input type="submit" value="Buscar">
</form>
<script>document.title = document.title;</script>
</main></body>
</html>`

func TestBrowserPageTexts(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, textsPage)
	}))
	t.Cleanup(srv.Close)
	b := NewBrowser(t)
	b.Navigate(srv.URL)
	lang, texts := b.PageTexts()
	if lang != "es" {
		t.Errorf("page language %q, want es", lang)
	}
	for _, want := range []PageText{
		{"Su carrito", "es"},                    // title and h1
		{"Retenida durante", "es"},              // a text node
		{"Retenida durante 14 min más.", "es"},  // the sentence whole
		{"Para lectores de pantalla", "es"},     // visually hidden, read aloud
		{"Certified Solutions Architect", "en"}, // marked as English
		{"Principal", "es"},                     // aria-label
		{"kilómetros", "es"},                    // an option
		{"[schedule.unit.mi]", "es"},            // an option
		{"Buscar", "es"},                        // a button's value
	} {
		if !slices.Contains(texts, want) {
			t.Errorf("PageTexts lacks %+v; got %+v", want, texts)
		}
	}
	for _, pt := range texts {
		for _, hidden := range []string{"Texto oculto", "Tampoco se ve", "document.title"} {
			if strings.Contains(pt.Text, hidden) {
				t.Errorf("PageTexts has %q, which is not shown", pt.Text)
			}
		}
	}
	if got, want := messageIDsIn(texts), []string{"[schedule.unit.mi]"}; !slices.Equal(got, want) {
		t.Errorf("message IDs %q, want %q", got, want)
	}
	if got := b.Value("#unit"); got != "km" {
		t.Errorf(`Value("#unit") = %q, want km`, got)
	}
	if !b.HasElementWithin(`#unit option[value="mi"]`, time.Second) || b.HasElementWithin("#missing", 200*time.Millisecond) {
		t.Error("HasElementWithin does not tell a present option from a missing element")
	}
	if got := messageIDsIn([]PageText{{Text: "Plazas [2 de 10] y [nota] · a.b"}}); len(got) != 0 {
		t.Errorf("message IDs in ordinary brackets: %q", got)
	}
}

func TestPageBrowserLanguageSizeAndChecks(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="es"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Idioma</title></head>
<body><main><h1>Idioma</h1><p id="accept">%s</p><p id="width"></p><p id="nav"></p>
<form method="get" action="/"><button type="submit">Otra vez</button></form>
<script>
document.getElementById('width').textContent = String(window.innerWidth);
document.getElementById('nav').textContent = navigator.languages.join(',');
</script></main></body></html>`, r.Header.Get("Accept-Language"))
	}))
	t.Cleanup(srv.Close)
	b := NewPageBrowser(t, "es-ES,es", PhoneViewport)
	pages := 0
	b.OnPage(func() { pages++ })
	b.Navigate(srv.URL)
	if got := b.Text("#accept"); !strings.HasPrefix(got, "es-ES,es") {
		t.Errorf("Accept-Language %q, want es-ES,es first", got)
	}
	if got := b.Text("#nav"); got != "es-ES,es" {
		t.Errorf("navigator.languages %q, want es-ES,es", got)
	}
	if got, want := b.Text("#width"), fmt.Sprint(PhoneWidth); got != want {
		t.Errorf("window.innerWidth = %s, want %s", got, want)
	}
	b.Submit("button[type=submit]")
	if pages != 2 {
		t.Errorf("the page checks ran %d times for 2 pages", pages)
	}
}
