// Package ocr reads the words in screen images with Tesseract, so that
// screens go through the same NHS-number scanner as typed text.
package ocr

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// Tesseract runs the tesseract command. The CLI is used rather than a cgo
// binding: it keeps the build pure Go (no leptonica/tesseract headers in
// every build and test), a crash in OCR cannot take the server down, and
// the process is killed with the request's context. Starting it costs
// about 100 ms on a screen that takes a second to read, so little is lost.
type Tesseract struct {
	// Path is the tesseract binary.
	Path string
	// Lang is the trained data to use, "eng" by default.
	Lang string
}

// Find returns a Tesseract running binary (a path, or a name looked up on
// PATH such as "tesseract"), or an error saying it is missing.
func Find(binary string) (*Tesseract, error) {
	path, err := exec.LookPath(binary)
	if err != nil {
		return nil, fmt.Errorf("ocr: %s not found (install Debian's tesseract-ocr, or set SANDPIT_OCR=off to leave screens unchecked): %w", binary, err)
	}
	return &Tesseract{Path: path}, nil
}

// ReadWords returns the words Tesseract reads in a PNG or JPEG image, with
// their boxes in image pixels.
func (t *Tesseract) ReadWords(ctx context.Context, image []byte) ([]sandpit.Word, error) {
	lang := t.Lang
	if lang == "" {
		lang = "eng"
	}
	cmd := exec.CommandContext(ctx, t.Path, "stdin", "stdout", "-l", lang, "--psm", "11", "tsv")
	cmd.Stdin = bytes.NewReader(image)
	// One thread per image: requests run side by side already, and OpenMP's
	// threads fighting over two cores make each read slower.
	cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("ocr: %w", ctx.Err())
		}
		return nil, fmt.Errorf("ocr: tesseract: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return ParseTSV(stdout.Bytes())
}

// ParseTSV reads Tesseract's TSV output: one row per page, block,
// paragraph, line and word; words are level 5.
func ParseTSV(data []byte) ([]sandpit.Word, error) {
	var words []sandpit.Word
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	header := true
	for sc.Scan() {
		if header {
			header = false
			continue
		}
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 12 || cols[0] != "5" {
			continue
		}
		n := make([]int, 10)
		for i := range n {
			v, err := strconv.Atoi(cols[i])
			if err != nil {
				return nil, errors.New("ocr: tesseract wrote a row that is not TSV")
			}
			n[i] = v
		}
		text := strings.TrimSpace(cols[11])
		if text == "" {
			continue
		}
		// Line numbers restart in each block and paragraph.
		line := n[2]<<20 | n[3]<<10 | n[4]
		words = append(words, sandpit.Word{Text: text, Line: line, Box: sandpit.Box{X: n[6], Y: n[7], W: n[8], H: n[9]}})
	}
	return words, sc.Err()
}
