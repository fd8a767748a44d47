package badge

import (
	"bytes"
	"encoding/xml"
	"image"
	"image/color"
	"image/png"
	"os"
	"strings"
	"testing"

	"example.org/certportal/internal/portal"
)

func sampleLogo(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 200, 100))
	for y := range 100 {
		for x := range 200 {
			img.Set(x, y, color.RGBA{0xe0, 0x80, 0x10, 0xff})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestPNG(t *testing.T) {
	tpl := Template{Code: "SAA-C03", Name: "Solutions Architect – Associate", Level: portal.LevelAssociate,
		ProgramName: "Example Certification Program", Logo: sampleLogo(t)}
	data, err := PNG(tpl)
	if err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("BADGE_OUT"); dir != "" {
		_ = os.WriteFile(dir+"/badge.png", data, 0o644)
		_ = os.WriteFile(dir+"/badge.svg", SVG(tpl), 0o644)
		tpl.Logo = nil
		plain, _ := PNG(tpl)
		_ = os.WriteFile(dir+"/badge-nologo.png", plain, 0o644)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != Size || b.Dy() != Size {
		t.Fatalf("size %v, want %d×%d", b, Size, Size)
	}
	// The corners are transparent, the disc has the level's colour, the
	// logo is drawn at the top.
	if _, _, _, a := img.At(2, 2).RGBA(); a != 0 {
		t.Fatal("corner not transparent")
	}
	want := levelColors[portal.LevelAssociate]
	if got := color.RGBAModel.Convert(img.At(center, 40)).(color.RGBA); got != want {
		t.Fatalf("disc colour %v, want %v", got, want)
	}
	if got := color.RGBAModel.Convert(img.At(center, logoTop+logoBox/2)).(color.RGBA); got != (color.RGBA{0xe0, 0x80, 0x10, 0xff}) {
		t.Fatalf("logo pixel %v", got)
	}
}

func TestSVG(t *testing.T) {
	logo := sampleLogo(t)
	svg := string(SVG(Template{Code: "SAA", Name: `A <b> & "c"`, Level: portal.LevelSpecialty, ProgramName: "P", Logo: logo}))
	if err := xml.Unmarshal([]byte(svg), new(struct{})); err != nil {
		t.Fatalf("not well-formed: %v\n%s", err, svg)
	}
	for _, want := range []string{`viewBox="0 0 600 600"`, ">SAA<", "A &lt;b&gt; &amp; &#34;c&#34;", "data:image/png;base64,", "SPECIALTY", "#9b2d30"} {
		if !strings.Contains(svg, want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	noLogo := string(SVG(Template{Code: "SAA", Name: "N", ProgramName: "Program Name"}))
	if strings.Contains(noLogo, "<image") || !strings.Contains(noLogo, ">Program Name<") {
		t.Errorf("without a logo the program's name is written instead:\n%s", noLogo)
	}
}

func TestWrap(t *testing.T) {
	got := wrap("one two three four five six", 9, 2)
	if len(got) != 2 || got[0] != "one two" || got[1] != "three..." {
		t.Fatalf("wrap = %q", got)
	}
	if got := fontText("Año é?"); got != "ANO E " {
		t.Fatalf("fontText = %q", got)
	}
}
