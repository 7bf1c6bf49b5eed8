package ocr_test

import (
	"bytes"
	"image/png"
	"testing"

	"github.com/sandpit-nhs/sandpit/internal/ocr/ocrtest"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

func TestTesseractFindsNHSNumbersInScreens(t *testing.T) {
	ts := ocrtest.Tesseract(t)
	tests := []struct {
		name  string
		lines []string
		line  int // the line whose number is refused, or -1
	}{
		{"a real NHS number", []string{"Patient record", "NHS number 943 476 5919", "Allergies: none known"}, 1},
		{"a test-range number", []string{"Patient record", "NHS number 999 777 6666", "Allergies: none known"}, -1},
		{"no number", []string{"Patient record", "Ward 7, bed 12", "Allergies: penicillin"}, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, at := ocrtest.ScreenPNG(t, tt.lines...)
			words, err := ts.ReadWords(t.Context(), data)
			if err != nil {
				t.Fatal(err)
			}
			if len(words) < 4 {
				t.Fatalf("read %d words: %+v", len(words), words)
			}
			boxes := sandpit.ScreenIdentifiers(words)
			if tt.line < 0 {
				if len(boxes) != 0 {
					t.Errorf("refused at %v; words %+v", boxes, words)
				}
				return
			}
			if len(boxes) != 1 {
				t.Fatalf("boxes = %v, want 1; words %+v", boxes, words)
			}
			b, top := boxes[0], at[tt.line]
			// The number follows "NHS number" on its line: its box lies on
			// that line, right of the label.
			if b.Y > top.Y+20 || b.Y+b.H < top.Y+20 || b.X < top.X+100 || b.W < 100 {
				t.Errorf("box %+v is not around the number on the line at %v", b, top)
			}
		})
	}
}

// BenchmarkTesseractScreen measures OCR of one 1024 × 768 screen;
// BenchmarkDecodeScreen decodes the same PNG, for the ratio.
func BenchmarkTesseractScreen(b *testing.B) {
	ts := ocrtest.Tesseract(b)
	data, _ := ocrtest.ScreenPNG(b, "Patient record", "NHS number 943 476 5919", "Allergies: none known", "Ward 7, bed 12")
	for b.Loop() {
		if _, err := ts.ReadWords(b.Context(), data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeScreen(b *testing.B) {
	data, _ := ocrtest.ScreenPNG(b, "Patient record", "NHS number 943 476 5919", "Allergies: none known", "Ward 7, bed 12")
	for b.Loop() {
		if _, err := png.Decode(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}
