package sandpit_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// TestPNGCheckedWithoutDecoding: a PNG is accepted or refused as decoding
// it would, though its pixels are never held.
func TestPNGCheckedWithoutDecoding(t *testing.T) {
	encode := func(img image.Image) []byte {
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	r := image.Rect(0, 0, 37, 23)
	pal := image.NewPaletted(r, color.Palette{color.Black, color.White, color.Gray{128}})
	rgba := image.NewNRGBA(r)
	gray := image.NewGray(r)
	opaque := image.NewRGBA(r)
	for i := range rgba.Pix {
		rgba.Pix[i] = uint8(i * 7)
	}
	for i := range opaque.Pix {
		opaque.Pix[i] = 255
	}
	for name, img := range map[string]image.Image{"paletted": pal, "nrgba": rgba, "gray": gray, "opaque rgb": opaque} {
		data := encode(img)
		t.Run(name, func(t *testing.T) {
			if _, err := sandpit.CheckImage(data); err != nil {
				t.Errorf("whole: %v", err)
			}
			if _, err := sandpit.CheckImage(data[:len(data)-20]); err == nil {
				t.Error("cut short: accepted")
			}
			bad := bytes.Clone(data)
			bad[len(bad)/2] ^= 0x40
			if _, err := sandpit.CheckImage(bad); err == nil {
				t.Error("a byte changed: accepted")
			}
		})
	}
}
