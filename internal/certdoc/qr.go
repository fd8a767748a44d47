package certdoc

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"

	"github.com/boombuler/barcode/qr"
)

// qrModule is the side of one QR module in image pixels; the image is
// scaled by the page, so this only keeps the edges sharp.
const qrModule = 8

// qrQuiet is the margin the QR specification asks for around the code,
// in modules.
const qrQuiet = 4

// qrCode draws text as a QR code (level M) with its quiet zone, as an
// 8-bit gray image: the encoder's own image is 16-bit. Each module is
// filled as a block rather than scaled pixel by pixel.
func qrCode(text string) (*image.Gray, error) {
	code, err := qr.Encode(text, qr.M, qr.Auto)
	if err != nil {
		return nil, fmt.Errorf("certdoc: QR code of %q: %w", text, err)
	}
	b := code.Bounds()
	side := (b.Dx() + 2*qrQuiet) * qrModule
	img := image.NewGray(image.Rect(0, 0, side, side))
	draw.Draw(img, img.Bounds(), &image.Uniform{C: color.White}, image.Point{}, draw.Src)
	black := &image.Uniform{C: color.Black}
	for y := range b.Dy() {
		for x := range b.Dx() {
			if r, _, _, _ := code.At(b.Min.X+x, b.Min.Y+y).RGBA(); r < 0x8000 {
				at := image.Rect(x+qrQuiet, y+qrQuiet, x+qrQuiet+1, y+qrQuiet+1)
				draw.Draw(img, image.Rectangle{Min: at.Min.Mul(qrModule), Max: at.Max.Mul(qrModule)}, black, image.Point{}, draw.Src)
			}
		}
	}
	return img, nil
}
