package ocr_test

import (
	"bytes"
	"image/png"
	"testing"

	"github.com/sandpit-nhs/sandpit/internal/ocr"
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

func TestParseTSV(t *testing.T) {
	tsv := "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n" +
		"1\t1\t0\t0\t0\t0\t0\t0\t1024\t768\t-1\t\n" +
		"4\t1\t1\t1\t1\t0\t60\t100\t400\t28\t-1\t\n" +
		"5\t1\t1\t1\t1\t1\t60\t100\t50\t28\t96.1\tNHS\n" +
		"5\t1\t1\t1\t1\t2\t232\t100\t50\t28\t95.0\t943\n" +
		"5\t1\t1\t1\t1\t3\t290\t100\t10\t28\t95.0\t \n" +
		"5\t1\t2\t1\t1\t1\t60\t200\t60\t28\t91.0\t476-5919\n"
	words, err := ocr.ParseTSV([]byte(tsv))
	if err != nil {
		t.Fatal(err)
	}
	if len(words) != 3 || words[1].Text != "943" || words[1].Box != (sandpit.Box{X: 232, Y: 100, W: 50, H: 28}) ||
		words[0].Line != words[1].Line || words[2].Line == words[1].Line {
		t.Fatalf("words = %+v", words)
	}
	// A number split over two lines is still one number to the scanner,
	// and its box holds both parts.
	boxes := sandpit.ScreenIdentifiers(words)
	if len(boxes) != 1 || boxes[0] != (sandpit.Box{X: 60, Y: 100, W: 222, H: 128}) {
		t.Errorf("boxes = %+v", boxes)
	}
	if _, err := ocr.ParseTSV([]byte("header\n5\t1\tx\t1\t1\t1\t0\t0\t1\t1\t9\tword\n")); err == nil {
		t.Error("a row that is not numbers was read")
	}
}
