package sandpit_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

func TestCheckImage(t *testing.T) {
	tests := []struct {
		file string
		want string // part of the error; "" for a good image
		w, h int
	}{
		{"ok.png", "", 200, 100},
		{"ok.jpg", "", 200, 100},
		{"truncated.png", "damaged or cut short", 0, 0},
		{"truncated.jpg", "damaged or cut short", 0, 0},
		{"not-an-image.png", "must be a PNG or JPEG", 0, 0},
		{"animation.gif", "must be a PNG or JPEG", 0, 0},
		{"bomb.png", "60000 × 60000 pixels", 0, 0},
		{"too-wide.png", "5000 × 2 pixels", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile("testdata/" + tt.file)
			if err != nil {
				t.Fatal(err)
			}
			img, err := sandpit.CheckImage(data)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if img.Width != tt.w || img.Height != tt.h || !bytes.Equal(img.Data, data) {
					t.Errorf("image = %d × %d", img.Width, img.Height)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one containing %q", err, tt.want)
			}
		})
	}
	t.Run("over 5 MB", func(t *testing.T) {
		data, _ := os.ReadFile("testdata/ok.png")
		big := append(data, make([]byte, sandpit.MaxImageBytes)...)
		if _, err := sandpit.CheckImage(big); err == nil || !strings.Contains(err.Error(), "the most is 5 MB") {
			t.Errorf("error = %v", err)
		}
	})
}

func TestDataURI(t *testing.T) {
	data, _ := os.ReadFile("testdata/ok.png")
	got, err := sandpit.ParseDataURI(sandpit.DataURI("image/png", data))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("round trip: %v", err)
	}
	for _, bad := range []string{"", "http://example.com/x.png", "data:image/png,rawbytes", "data:image/png;base64,@@@"} {
		if _, err := sandpit.ParseDataURI(bad); err == nil {
			t.Errorf("ParseDataURI(%q) accepted", bad)
		}
	}
}
