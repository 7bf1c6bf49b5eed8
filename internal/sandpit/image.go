package sandpit

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image"
	_ "image/jpeg" // registers JPEG for image.Decode
	_ "image/png"  // registers PNG for image.Decode
	"net/http"
	"strings"
)

// Limits on screen images.
const (
	MaxImageBytes = 5 << 20
	MaxImageSide  = 4096
)

// CheckedImage is an image whose bytes were checked and decoded.
type CheckedImage struct {
	Data        []byte
	ContentType string // image/png or image/jpeg
	Width       int
	Height      int
}

// CheckImage accepts PNG or JPEG bytes of at most 5 MB and 4096 × 4096
// pixels that decode whole. The dimensions are read from the header before
// anything is decoded, so a decompression bomb is refused without
// allocating its pixels. A refusal is EINVALID with one field error on
// "image".
func CheckImage(data []byte) (*CheckedImage, error) {
	if len(data) > MaxImageBytes {
		return nil, imageInvalid(fileTooLarge("image", len(data)))
	}
	ct := http.DetectContentType(data)
	if ct != "image/png" && ct != "image/jpeg" {
		return nil, imageInvalid(BadFormat("image", "a PNG or JPEG image"))
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || "image/"+format != ct {
		return nil, imageInvalid(BadFormat("image", "a readable "+strings.ToUpper(strings.TrimPrefix(ct, "image/"))+" image"))
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > MaxImageSide || cfg.Height > MaxImageSide {
		return nil, imageInvalid(FieldError{Field: "image", Code: FieldImageSize, Params: Params{"width": cfg.Width, "height": cfg.Height, "max": MaxImageSide}})
	}
	if _, _, err := image.Decode(bytes.NewReader(data)); err != nil {
		return nil, imageInvalid(BadFormat("image", "a whole image, not damaged or cut short"))
	}
	return &CheckedImage{Data: data, ContentType: ct, Width: cfg.Width, Height: cfg.Height}, nil
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
