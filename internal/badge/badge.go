// Package badge draws a certification's badge image from a built-in
// template, as a 600×600 PNG and as an SVG: a disc in the level's colour
// with the program's logo, the certification code large, its name and
// level, and the program's name. Baking the credential into the image is
// openbadges' part.
package badge

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"strings"

	"example.org/certportal/internal/portal"
)

// Size is the width and height of the PNG badge, in pixels.
const Size = 600

// Template is what a badge shows.
type Template struct {
	Code        string // the certification code, drawn large
	Name        string // the certification name
	Level       string // portal.Level…, or "" for none
	ProgramName string
	Logo        []byte // the program's logo as PNG, or nil
}

// levelColors are the disc colours by level.
var levelColors = map[string]color.RGBA{
	portal.LevelFoundational: {0x1b, 0x6e, 0x4f, 0xff},
	portal.LevelAssociate:    {0x1d, 0x4e, 0x89, 0xff},
	portal.LevelProfessional: {0x5b, 0x2c, 0x83, 0xff},
	portal.LevelSpecialty:    {0x9b, 0x2d, 0x30, 0xff},
}

var defaultColor = color.RGBA{0x2f, 0x3e, 0x4e, 0xff}

func (t Template) color() color.RGBA {
	if c, ok := levelColors[t.Level]; ok {
		return c
	}
	return defaultColor
}

// Layout of the badge, in pixels of the 600×600 square.
const (
	center      = Size / 2
	outerRadius = 290
	ringOuter   = 268
	ringInner   = 262
	logoBox     = 110
	logoTop     = 62
	textWidthPx = 400
)

// wrap splits s into at most n lines of at most width characters,
// shortening the last with an ellipsis mark when it does not fit.
func wrap(s string, width, n int) []string {
	var lines []string
	line := ""
	words := strings.Fields(s)
	for i, w := range words {
		switch {
		case line == "":
			line = w
		case len([]rune(line))+1+len([]rune(w)) <= width:
			line += " " + w
		default:
			lines = append(lines, line)
			line = w
		}
		if len(lines) == n {
			rest := strings.Join(words[i:], " ")
			lines[n-1] = shorten(lines[n-1]+" "+rest, width)
			return lines
		}
	}
	if line != "" {
		lines = append(lines, shorten(line, width))
	}
	return lines
}

func shorten(s string, width int) string {
	r := []rune(s)
	if len(r) <= width {
		return s
	}
	return strings.TrimSpace(string(r[:width-3])) + "..."
}

// codeScale is the largest scale at which code fits the text width, at
// most 16 (112 pixels high).
func codeScale(code string) int {
	scale := 16
	for scale > 4 && textWidth(code, scale) > textWidthPx {
		scale--
	}
	return scale
}

// PNG draws the badge as a 600×600 PNG.
func PNG(t Template) ([]byte, error) {
	img := image.NewRGBA(image.Rect(0, 0, Size, Size))
	base := t.color()
	white := color.RGBA{0xff, 0xff, 0xff, 0xff}
	disc(img, outerRadius, base)
	disc(img, ringOuter, white)
	disc(img, ringInner, base)
	if logo := decodeLogo(t.Logo); logo != nil {
		r := logoBox/2 + 8
		circle(img, center, logoTop+logoBox/2, r, white)
		drawLogo(img, logo, image.Rect(center-logoBox/2, logoTop, center+logoBox/2, logoTop+logoBox))
	} else if t.ProgramName != "" {
		for i, line := range wrap(fontText(t.ProgramName), 20, 2) {
			drawText(img, line, center, 112+i*30, 3, white)
		}
	}
	code := fontText(t.Code)
	scale := codeScale(code)
	drawText(img, code, center, 250-7*scale/2, scale, white)
	for i, line := range wrap(fontText(t.Name), 18, 3) {
		drawText(img, line, center, 340+i*36, 4, white)
	}
	if t.Level != "" {
		drawText(img, fontText(t.Level), center, 482, 3, white)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, fmt.Errorf("badge: %w", err)
	}
	return b.Bytes(), nil
}

// disc fills a circle of radius r around the badge's centre.
func disc(img *image.RGBA, r int, c color.RGBA) { circle(img, center, center, r, c) }

// circle fills a circle, its edge smoothed by coverage.
func circle(img *image.RGBA, cx, cy, r int, c color.RGBA) {
	for y := cy - r - 1; y <= cy+r+1; y++ {
		for x := cx - r - 1; x <= cx+r+1; x++ {
			d := math.Hypot(float64(x-cx)+0.5, float64(y-cy)+0.5)
			cover := math.Max(0, math.Min(1, float64(r)-d+0.5))
			if cover == 0 {
				continue
			}
			a := uint8(cover * 255)
			src := image.NewUniform(color.NRGBA{c.R, c.G, c.B, a})
			draw.Draw(img, image.Rect(x, y, x+1, y+1), src, image.Point{}, draw.Over)
		}
	}
}

func decodeLogo(data []byte) image.Image {
	if len(data) == 0 {
		return nil
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil
	}
	return img
}

// drawLogo draws logo into box, keeping its proportions, each pixel the
// average of the source pixels it covers.
func drawLogo(dst *image.RGBA, logo image.Image, box image.Rectangle) {
	sb := logo.Bounds()
	scale := math.Min(float64(box.Dx())/float64(sb.Dx()), float64(box.Dy())/float64(sb.Dy()))
	w, h := int(float64(sb.Dx())*scale), int(float64(sb.Dy())*scale)
	if w < 1 || h < 1 {
		return
	}
	ox, oy := box.Min.X+(box.Dx()-w)/2, box.Min.Y+(box.Dy()-h)/2
	for y := range h {
		y0, y1 := sb.Min.Y+y*sb.Dy()/h, sb.Min.Y+max((y+1)*sb.Dy()/h, y*sb.Dy()/h+1)
		for x := range w {
			x0, x1 := sb.Min.X+x*sb.Dx()/w, sb.Min.X+max((x+1)*sb.Dx()/w, x*sb.Dx()/w+1)
			var r, g, b, a, n uint64
			for sy := y0; sy < y1; sy++ {
				for sx := x0; sx < x1; sx++ {
					cr, cg, cb, ca := logo.At(sx, sy).RGBA()
					r, g, b, a, n = r+uint64(cr), g+uint64(cg), b+uint64(cb), a+uint64(ca), n+1
				}
			}
			px := color.RGBA64{uint16(r / n), uint16(g / n), uint16(b / n), uint16(a / n)}
			draw.Draw(dst, image.Rect(ox+x, oy+y, ox+x+1, oy+y+1), image.NewUniform(px), image.Point{}, draw.Over)
		}
	}
}

// SVG draws the badge as an SVG of the same design, the logo embedded as
// a data URI.
func SVG(t Template) []byte {
	c := t.color()
	fill := fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B)
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>`+"\n")
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="%s">`, Size, Size, Size, Size, esc(t.Code+" "+t.Name))
	fmt.Fprintf(&b, `<title>%s</title>`, esc(t.Name))
	fmt.Fprintf(&b, `<circle cx="%d" cy="%d" r="%d" fill="%s"/>`, center, center, outerRadius, fill)
	fmt.Fprintf(&b, `<circle cx="%d" cy="%d" r="%d" fill="none" stroke="#ffffff" stroke-width="%d"/>`, center, center, (ringOuter+ringInner)/2, ringOuter-ringInner)
	font := `font-family="Helvetica, Arial, sans-serif" fill="#ffffff" text-anchor="middle"`
	if len(t.Logo) > 0 && decodeLogo(t.Logo) != nil {
		fmt.Fprintf(&b, `<circle cx="%d" cy="%d" r="%d" fill="#ffffff"/>`, center, logoTop+logoBox/2, logoBox/2+8)
		fmt.Fprintf(&b, `<image x="%d" y="%d" width="%d" height="%d" preserveAspectRatio="xMidYMid meet" href="data:image/png;base64,%s"/>`,
			center-logoBox/2, logoTop, logoBox, logoBox, base64.StdEncoding.EncodeToString(t.Logo))
	} else if t.ProgramName != "" {
		for i, line := range wrap(t.ProgramName, 26, 2) {
			fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="26" %s>%s</text>`, center, 145+i*32, font, esc(line))
		}
	}
	size := min(120, 620/max(len([]rune(t.Code)), 1))
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="%d" font-weight="bold" %s>%s</text>`, center, 250+size/3, size, font, esc(t.Code))
	for i, line := range wrap(t.Name, 24, 3) {
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="28" %s>%s</text>`, center, 365+i*36, font, esc(line))
	}
	if t.Level != "" {
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="22" letter-spacing="3" %s>%s</text>`, center, 490, font, esc(strings.ToUpper(t.Level)))
	}
	b.WriteString("</svg>\n")
	return []byte(b.String())
}

func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
