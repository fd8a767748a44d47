package certdoc

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/qr"
)

// qrModule is the side of one QR module in image pixels; the image is
// scaled by the page, so this only keeps the edges sharp.
const qrModule = 8

// qrQuiet is the margin the QR specification asks for around the code,
// in modules.
const qrQuiet = 4

// qrCode draws text as a QR code (level M) with its quiet zone, as an
// 8-bit gray image: the encoder's own image is 16-bit.
func qrCode(text string) (*image.Gray, error) {
	code, err := qr.Encode(text, qr.M, qr.Auto)
	if err != nil {
		return nil, fmt.Errorf("certdoc: QR code of %q: %w", text, err)
	}
	modules := code.Bounds().Dx()
	side := modules * qrModule
	if code, err = barcode.Scale(code, side, side); err != nil {
		return nil, fmt.Errorf("certdoc: QR code of %q: %w", text, err)
	}
	margin := qrQuiet * qrModule
	img := image.NewGray(image.Rect(0, 0, side+2*margin, side+2*margin))
	draw.Draw(img, img.Bounds(), &image.Uniform{C: color.White}, image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(margin, margin, margin+side, margin+side), code, code.Bounds().Min, draw.Src)
	return img, nil
}
