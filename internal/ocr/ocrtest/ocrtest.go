// Package ocrtest draws screens with text for tests of OCR, and finds the
// tesseract binary they need.
package ocrtest

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"github.com/sandpit-nhs/sandpit/internal/ocr"
)

// LineHeight is how far apart ScreenPNG draws its lines.
const LineHeight = 90

// ScreenPNG draws lines of text in black on a white 1024 × 768 screen at
// 28 px, as a legacy system's screenshot would show them, and returns the
// PNG and each line's top-left corner.
func ScreenPNG(t testing.TB, lines ...string) ([]byte, []image.Point) {
	t.Helper()
	f, err := opentype.Parse(goregular.TTF)
	if err != nil {
		t.Fatal(err)
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: 28, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		t.Fatal(err)
	}
	img := image.NewRGBA(image.Rect(0, 0, 1024, 768))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	d := &font.Drawer{Dst: img, Src: image.NewUniform(color.Black), Face: face}
	var at []image.Point
	for i, line := range lines {
		x, y := 60, 120+i*LineHeight
		d.Dot = fixed.P(x, y)
		d.DrawString(line)
		at = append(at, image.Pt(x, y-28))
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), at
}

// Tesseract returns the OCR for a test, skipping the test when the binary
// is missing, unless SANDPIT_TEST_OCR is set (as CI sets it) to make that
// a failure.
func Tesseract(t testing.TB) *ocr.Tesseract {
	t.Helper()
	ts, err := ocr.Find("tesseract")
	if err != nil {
		if os.Getenv("SANDPIT_TEST_OCR") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	return ts
}
