package pdf

import (
	"fmt"
	"image"
	"image/color"
)

type imageXObject struct {
	img image.Image
}

// image writes an image XObject (ISO 32000-1, 8.9.5) with 8-bit samples.
func (w *writer) image(im imageXObject) (ref, error) {
	b := im.img.Bounds()
	dims := fmt.Sprintf("/Type /XObject /Subtype /Image /Width %d /Height %d /BitsPerComponent 8", b.Dx(), b.Dy())
	if g, ok := im.img.(*image.Gray); ok {
		data := make([]byte, 0, b.Dx()*b.Dy())
		for y := b.Min.Y; y < b.Max.Y; y++ {
			i := g.PixOffset(b.Min.X, y)
			data = append(data, g.Pix[i:i+b.Dx()]...)
		}
		return w.stream(dims+" /ColorSpace /DeviceGray", data, true)
	}
	rgb := make([]byte, 0, 3*b.Dx()*b.Dy())
	alpha := make([]byte, 0, b.Dx()*b.Dy())
	opaque := true
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.NRGBAModel.Convert(im.img.At(x, y)).(color.NRGBA)
			rgb = append(rgb, c.R, c.G, c.B)
			alpha = append(alpha, c.A)
			opaque = opaque && c.A == 0xFF
		}
	}
	if !opaque {
		mask, err := w.stream(dims+" /ColorSpace /DeviceGray", alpha, true)
		if err != nil {
			return 0, err
		}
		dims += " /SMask " + mask.String()
	}
	return w.stream(dims+" /ColorSpace /DeviceRGB", rgb, true)
}
