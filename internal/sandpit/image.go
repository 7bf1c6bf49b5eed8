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
// allocating its pixels.
func CheckImage(data []byte) (*CheckedImage, error) {
	if len(data) > MaxImageBytes {
		return nil, fmt.Errorf("is %.1f MB; the most is 5 MB", float64(len(data))/(1<<20))
	}
	ct := http.DetectContentType(data)
	if ct != "image/png" && ct != "image/jpeg" {
		return nil, fmt.Errorf("must be a PNG or JPEG image")
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || "image/"+format != ct {
		return nil, fmt.Errorf("is not a readable %s image", strings.ToUpper(strings.TrimPrefix(ct, "image/")))
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > MaxImageSide || cfg.Height > MaxImageSide {
		return nil, fmt.Errorf("is %d × %d pixels; the most is %d × %d", cfg.Width, cfg.Height, MaxImageSide, MaxImageSide)
	}
	if _, _, err := image.Decode(bytes.NewReader(data)); err != nil {
		return nil, fmt.Errorf("is damaged or cut short and cannot be shown")
	}
	return &CheckedImage{Data: data, ContentType: ct, Width: cfg.Width, Height: cfg.Height}, nil
}

// DataURI encodes an image as a data URI, as release definitions carry
// images.
func DataURI(contentType string, data []byte) string {
	return "data:" + contentType + ";base64," + base64.StdEncoding.EncodeToString(data)
}

// ParseDataURI reads a base64 image data URI.
func ParseDataURI(uri string) ([]byte, error) {
	rest, ok := strings.CutPrefix(uri, "data:")
	if !ok {
		return nil, fmt.Errorf("must be a data URI like data:image/png;base64,…")
	}
	meta, payload, ok := strings.Cut(rest, ",")
	if !ok || !strings.HasSuffix(meta, ";base64") {
		return nil, fmt.Errorf("must be a base64 data URI like data:image/png;base64,…")
	}
	if base64.StdEncoding.DecodedLen(len(payload)) > MaxImageBytes+3 {
		return nil, fmt.Errorf("is larger than 5 MB")
	}
	data, err := base64.StdEncoding.DecodeString(payload)
	if err != nil {
		return nil, fmt.Errorf("is not valid base64")
	}
	return data, nil
}
