package sandpit

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // registers JPEG for image.Decode
	_ "image/png"  // registers PNG for image.Decode
	"net/http"
	"strings"
)

// Limits on screen images.
const (
	MaxImageBytes = 5 << 20
	MaxImageSide  = 4096
	// MaxImageBitDepth is the most bits per channel: a 16-bit PNG decodes
	// to 8 bytes a pixel, twice an 8-bit one, and screenshots never need it.
	MaxImageBitDepth = 8
	// MaxDefinitionPixels bounds the pixels of a release's screens in all,
	// and so the time its import spends decoding them.
	MaxDefinitionPixels = 16 * MaxImageSide * MaxImageSide
)

// ImageHeader is what an image's header says, read without decoding it.
type ImageHeader struct {
	ContentType string // image/png or image/jpeg
	Width       int
	Height      int
	BitDepth    int // bits per channel
}

// Pixels is the image's width × height.
func (h ImageHeader) Pixels() int { return h.Width * h.Height }

// CheckImageHeader reads and checks data's header only: PNG or JPEG, at
// most 5 MB, 4096 pixels a side and 8 bits a channel. Nothing is decoded,
// so a decompression bomb costs nothing here. A refusal is EINVALID with
// one field error on "image".
func CheckImageHeader(data []byte) (ImageHeader, error) {
	if len(data) > MaxImageBytes {
		return ImageHeader{}, imageInvalid(fileTooLarge("image", len(data)))
	}
	ct := http.DetectContentType(data)
	if ct != "image/png" && ct != "image/jpeg" {
		return ImageHeader{}, imageInvalid(BadFormat("image", "a PNG or JPEG image"))
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || "image/"+format != ct {
		return ImageHeader{}, imageInvalid(BadFormat("image", "a readable "+strings.ToUpper(strings.TrimPrefix(ct, "image/"))+" image"))
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > MaxImageSide || cfg.Height > MaxImageSide {
		return ImageHeader{}, imageInvalid(FieldError{Field: "image", Code: FieldImageSize, Params: Params{"width": cfg.Width, "height": cfg.Height, "max": MaxImageSide}})
	}
	h := ImageHeader{ContentType: ct, Width: cfg.Width, Height: cfg.Height, BitDepth: 8}
	// A PNG's IHDR chunk follows the 8-byte signature and 8 bytes of chunk
	// length and type; its bit depth is the byte after width and height.
	// (Go decodes only 8-bit JPEGs.) The colour model says so too: Go
	// decodes 16-bit PNGs into 16-bit models.
	if ct == "image/png" && len(data) > 24 {
		h.BitDepth = int(data[24])
	}
	switch cfg.ColorModel {
	case color.RGBA64Model, color.NRGBA64Model, color.Gray16Model:
		h.BitDepth = max(h.BitDepth, 16)
	}
	if h.BitDepth > MaxImageBitDepth {
		return ImageHeader{}, imageInvalid(BadFormat("image", fmt.Sprintf("an image of at most %d bits per channel (this one has %d)", MaxImageBitDepth, h.BitDepth)))
	}
	return h, nil
}

// CheckedImage is an image whose bytes were checked and decoded.
type CheckedImage struct {
	Data        []byte
	ContentType string // image/png or image/jpeg
	Width       int
	Height      int
}

// CheckImage accepts PNG or JPEG bytes that pass CheckImageHeader and
// decode whole. The header is checked before anything is decoded, so a
// decompression bomb is refused without allocating its pixels. A refusal
// is EINVALID with one field error on "image".
func CheckImage(data []byte) (*CheckedImage, error) {
	h, err := CheckImageHeader(data)
	if err != nil {
		return nil, err
	}
	return decodeChecked(data, h)
}

// decodeChecked decodes data, whose header h was checked, to be sure the
// image is whole.
func decodeChecked(data []byte, h ImageHeader) (*CheckedImage, error) {
	damaged := imageInvalid(BadFormat("image", "a whole image, not damaged or cut short"))
	// A PNG is checked chunk by chunk and row by row, never holding its
	// pixels (up to 64 MB); a JPEG, or an interlaced PNG, is decoded.
	if h.ContentType == "image/png" {
		if ok, known := pngWhole(data, h); known {
			if !ok {
				return nil, damaged
			}
			return &CheckedImage{Data: data, ContentType: h.ContentType, Width: h.Width, Height: h.Height}, nil
		}
	}
	if _, _, err := image.Decode(bytes.NewReader(data)); err != nil {
		return nil, damaged
	}
	return &CheckedImage{Data: data, ContentType: h.ContentType, Width: h.Width, Height: h.Height}, nil
}

// Decoders bounds how many images are decoded at once across every
// request: each decode holds the image's pixels (up to 64 MB), so the
// bound is the memory imports can take, and it is sized to the cores
// since decoding is all CPU. The zero value (nil) does not bound.
type Decoders chan struct{}

// NewDecoders returns a bound of n decodes at once.
func NewDecoders(n int) Decoders { return make(Decoders, max(n, 1)) }

// CheckImage is CheckImage with the decode under d's bound.
func (d Decoders) CheckImage(data []byte) (*CheckedImage, error) {
	h, err := CheckImageHeader(data)
	if err != nil {
		return nil, err
	}
	var img *CheckedImage
	d.decode(func() { img, err = decodeChecked(data, h) })
	return img, err
}

// decode runs fn once a decode slot is free.
func (d Decoders) decode(fn func()) {
	if d != nil {
		d <- struct{}{}
		defer func() { <-d }()
	}
	fn()
}

// fileTooLarge says field's file of n bytes is over the image limit.
func fileTooLarge(field string, n int) FieldError {
	return FieldError{Field: field, Code: FieldFileSize, Params: Params{"mb": fmt.Sprintf("%.1f", float64(n)/(1<<20)), "max_mb": MaxImageBytes >> 20}}
}

// imageInvalid is the EINVALID error of one problem with an image; its
// message carries the problem, so logs and tests can read it.
func imageInvalid(f FieldError) *Error {
	return Invalid("The image "+f.Phrase()+".", f)
}

// DataURI encodes an image as a data URI, as release definitions carry
// images.
func DataURI(contentType string, data []byte) string {
	return "data:" + contentType + ";base64," + base64.StdEncoding.EncodeToString(data)
}

// ParseDataURI reads a base64 image data URI. A refusal is EINVALID with
// one field error on "image".
func ParseDataURI(uri string) ([]byte, error) {
	rest, ok := strings.CutPrefix(uri, "data:")
	if !ok {
		return nil, imageInvalid(BadFormat("image", "a data URI like data:image/png;base64,…"))
	}
	meta, payload, ok := strings.Cut(rest, ",")
	if !ok || !strings.HasSuffix(meta, ";base64") {
		return nil, imageInvalid(BadFormat("image", "a base64 data URI like data:image/png;base64,…"))
	}
	if n := base64.StdEncoding.DecodedLen(len(payload)); n > MaxImageBytes+3 {
		return nil, imageInvalid(fileTooLarge("image", n))
	}
	data, err := base64.StdEncoding.DecodeString(payload)
	if err != nil {
		return nil, imageInvalid(BadFormat("image", "valid base64"))
	}
	return data, nil
}
