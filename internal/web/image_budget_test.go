package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// bombPNG is issue 14's costly screen: a small file whose header declares
// w × h pixels of 16 bits per channel, which decodes to 8 bytes a pixel.
func bombPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA64(image.Rect(0, 0, w, h))
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// busyPNG is a w × h 8-bit screen with a band of noise, so that its file is
// about noise bytes long.
func busyPNG(t testing.TB, w, h, noise int) []byte {
	t.Helper()
	// NRGBA: 4 bytes a pixel once decoded, the most an 8-bit image takes.
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < noise && i < len(img.Pix); i++ {
		img.Pix[i] = uint8(r.IntN(256))
	}
	for i := noise; i < len(img.Pix); i++ {
		img.Pix[i] = 200
	}
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// definitionOf is a draft definition of n screens, each showing data.
func definitionOf(n int, data []byte) sandpit.Definition {
	uri := sandpit.DataURI("image/png", data)
	def := sandpit.Definition{Version: "9.9"}
	for i := range n {
		def.Screens = append(def.Screens, sandpit.Screen{Key: fmt.Sprintf("s%d", i), Title: fmt.Sprintf("Screen %d", i), Image: uri, Hotspots: []sandpit.Hotspot{}})
	}
	return def
}

// TestImageBudget holds issue 14's costly images: refused from their
// headers, before anything is decoded, naming the limit.
func TestImageBudget(t *testing.T) {
	w := newWorld(t, Config{})
	w.populate()
	wf := w.createWorkflow("Budget")
	tests := []struct {
		name  string
		def   sandpit.Definition
		field string
		words string
	}{
		{"16 bits per channel", definitionOf(1, bombPNG(t, 64, 64)), "screens[0].image", "8 bits"},
		{"more pixels in all than a definition may hold", definitionOf(sandpit.MaxDefinitionPixels/(4096*4096)+1, busyPNG(t, 4096, 4096, 0)), "screens", "million pixels"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			status, body := w.api("POST", fmt.Sprintf("/workflows/%d/releases", wf), w.tokens["owner"], mustJSON(t, tt.def))
			if status != http.StatusUnprocessableEntity || !strings.Contains(body, tt.field) || !strings.Contains(body, tt.words) {
				t.Errorf("%d %.600s, want 422 naming %s: …%s…", status, body, tt.field, tt.words)
			}
			t.Logf("answered in %s", time.Since(start))
		})
	}
}

// TestImportMemory measures issue 14's four concurrent maximal imports:
// peak resident memory must stay under 300 MB and every client must be
// answered before the server's 30 s write timeout. It takes a while, so it
// runs only with SANDPIT_MEASURE_IMPORTS=1 (make measure-imports).
func TestImportMemory(t *testing.T) {
	if os.Getenv("SANDPIT_MEASURE_IMPORTS") == "" {
		t.Skip("set SANDPIT_MEASURE_IMPORTS=1 to measure")
	}
	w := newWorld(t, Config{})
	w.populate()
	srv := httptest.NewUnstartedServer(w.srv)
	srv.Config.WriteTimeout = 30 * time.Second
	srv.Start()
	defer srv.Close()
	kinds := []struct {
		name string
		def  func() sandpit.Definition
	}{
		// The screens, declared 4096 × 4096 × 16 bits: as many as
		// fit in the body limit (the 100 are a 413 at once).
		{"hostile", func() sandpit.Definition { return definitionOf(60, bombPNG(t, 4096, 4096)) }},
		// The largest definition accepted: as many full-size screens as the
		// pixel budget allows, each a file of about 0.65 MB that would decode
		// to 64 MB, filling the 16 MB body limit.
		{"largest accepted", func() sandpit.Definition {
			return definitionOf(int(sandpit.MaxDefinitionPixels/(4096*4096)), busyPNG(t, 4096, 4096, 640000))
		}},
	}
	for _, kind := range kinds {
		t.Run(kind.name, func(t *testing.T) {
			body, _ := json.Marshal(kind.def())
			var workflows [4]int64
			for i := range workflows {
				workflows[i] = w.createWorkflow(fmt.Sprintf("Memory %s %d", kind.name, i))
			}
			// Only the body is kept: the fixture's images are let go, so
			// what is measured is the server's.
			debug.FreeOSMemory()
			before := rss(t, "VmRSS")
			var peakHeap, peakRSS atomic.Uint64
			stop := make(chan struct{})
			sampled := make(chan struct{})
			go func() {
				defer close(sampled)
				var ms runtime.MemStats
				for {
					select {
					case <-stop:
						return
					case <-time.After(20 * time.Millisecond):
						runtime.ReadMemStats(&ms)
						if ms.HeapInuse > peakHeap.Load() {
							peakHeap.Store(ms.HeapInuse)
						}
						if r := rss(t, "VmRSS"); r > peakRSS.Load() {
							peakRSS.Store(r)
						}
					}
				}
			}()
			var wg sync.WaitGroup
			for i := range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					start := time.Now()
					req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/workflows/%d/releases", srv.URL, workflows[i]), bytes.NewReader(body))
					req.Header.Set("Authorization", "Bearer "+w.tokens["owner"])
					req.Header.Set("Content-Type", "application/json")
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Errorf("import %d: no answer after %s: %v", i, time.Since(start), err)
						return
					}
					resp.Body.Close()
					t.Logf("import %d: %d after %s", i, resp.StatusCode, time.Since(start).Round(time.Millisecond))
				}()
			}
			wg.Wait()
			close(stop)
			<-sampled
			t.Logf("body %.1f MB; RSS before %d MB, peak RSS during the imports %d MB; peak heap in use %d MB",
				float64(len(body))/(1<<20), before>>10, peakRSS.Load()>>10, peakHeap.Load()>>20)
			if peakRSS.Load() > 300<<10 {
				t.Errorf("peak RSS %d MB, want under 300 MB", peakRSS.Load()>>10)
			}
		})
	}
}

// rss reads field (VmRSS, VmHWM) of this process's status, in kB.
func rss(t *testing.T, field string) uint64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			var kb uint64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &kb)
			return kb
		}
	}
	return 0
}
