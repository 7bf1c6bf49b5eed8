package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sandpit-nhs/sandpit/internal/ocr/ocrtest"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// TestScreensReadByOCR uploads generated screenshots through the API and
// the pages: one showing a real NHS number is refused with its box, one
// with a test-range number and one with none are stored.
func TestScreensReadByOCR(t *testing.T) {
	ts := ocrtest.Tesseract(t)
	w := newWorld(t, Config{Screens: ts})
	w.populate()
	workflowID := w.createWorkflow("Admissions")
	real, at := ocrtest.ScreenPNG(t, "Patient record", "NHS number 943 476 5919", "Allergies: none known")
	test, _ := ocrtest.ScreenPNG(t, "Patient record", "NHS number 999 777 6666", "Allergies: none known")
	none, _ := ocrtest.ScreenPNG(t, "Patient record", "Ward 7, bed 12", "Allergies: penicillin")
	line := at[1]
	onLine := func(t *testing.T, box map[string]any) {
		t.Helper()
		x, y, bw, bh := box["x"].(float64), box["y"].(float64), box["w"].(float64), box["h"].(float64)
		if y > float64(line.Y+20) || y+bh < float64(line.Y+20) || x < float64(line.X+100) || bw < 100 {
			t.Errorf("box %v is not around the number on the line at %v", box, line)
		}
	}

	t.Run("the API refuses a definition whose screen shows a real NHS number, with the box", func(t *testing.T) {
		def := testDefinition(t, "ocr-1")
		def.Screens[1].Image = sandpit.DataURI("image/png", real)
		status, body := w.api("POST", fmt.Sprintf("/workflows/%d/releases", workflowID), w.tokens["owner"], mustJSON(t, def))
		var e struct {
			Error struct {
				Code   string                    `json:"code"`
				Fields map[string]string         `json:"fields"`
				Params map[string]map[string]any `json:"params"`
			} `json:"error"`
		}
		json.Unmarshal([]byte(body), &e)
		if status != http.StatusUnprocessableEntity || e.Error.Fields["screens[1].image"] == "" {
			t.Fatalf("status = %d %.400s", status, body)
		}
		box, _ := e.Error.Params["screens[1].image"]["box"].(map[string]any)
		if box == nil {
			t.Fatalf("no box in %s", body)
		}
		onLine(t, box)
		if strings.Contains(body, "5919") {
			t.Errorf("the answer repeats the number: %s", body)
		}
	})
	t.Run("the API stores screens with a test-range number or none", func(t *testing.T) {
		def := testDefinition(t, "ocr-2")
		def.Screens[0].Image = sandpit.DataURI("image/png", test)
		def.Screens[1].Image = sandpit.DataURI("image/png", none)
		w.createRelease(workflowID, def)
	})

	owner := w.browser()
	owner.signIn(w.users["owner"].Email)
	resp, body := owner.post(fmt.Sprintf("/workflows/%d/releases", workflowID), url.Values{"version": {"ocr-3"}})
	releaseID := idAfter(t, wantStatus(t, resp, body, http.StatusSeeOther), "/releases/")
	release := fmt.Sprintf("/releases/%d", releaseID)

	t.Run("the upload page refuses a screenshot with a real NHS number and marks it", func(t *testing.T) {
		resp, body := owner.postMultipart(release+"/screens", url.Values{"key": {"legacy"}, "title": {"Legacy record"}}, upload{"image", "legacy.png", real})
		wantStatus(t, resp, body, http.StatusUnprocessableEntity)
		for _, want := range []string{"looks like a real NHS number", `href="#image"`, `<rect class="sandpit-refused-screen__box"`, `href="data:image/png;base64,`} {
			if !strings.Contains(body, want) {
				t.Errorf("page lacks %q", want)
			}
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self' data:") {
			t.Errorf("CSP %q does not let the page show the refused image", csp)
		}
		if r, err := w.st.Release(t.Context(), releaseID); err != nil || r.Screen("legacy") != nil {
			t.Errorf("the refused screen was stored: %v", err)
		}
	})
	t.Run("the upload page stores screenshots with a test-range number or none", func(t *testing.T) {
		for key, data := range map[string][]byte{"test": test, "none": none} {
			resp, body := owner.postMultipart(release+"/screens", url.Values{"key": {key}, "title": {key}}, upload{"image", key + ".png", data})
			wantStatus(t, resp, body, http.StatusSeeOther)
		}
		if resp.Header.Get("Content-Security-Policy") != contentSecurityPolicy {
			t.Errorf("CSP changed on an ordinary page")
		}
	})
	t.Run("replacing a screen's image is read too", func(t *testing.T) {
		resp, body := owner.postMultipart(release+"/screens/none", url.Values{"title": {"None"}}, upload{"image", "record.png", real})
		wantStatus(t, resp, body, http.StatusUnprocessableEntity)
		if !strings.Contains(body, `<rect class="sandpit-refused-screen__box"`) {
			t.Errorf("the box is not marked")
		}
	})
}

// TestUploadPagesSayScreensAreNotChecked: with OCR off, the forms that take
// screens say so.
func TestUploadPagesSayScreensAreNotChecked(t *testing.T) {
	for _, screens := range []bool{false, true} {
		cfg := Config{}
		if screens {
			cfg.Screens = ocrtest.Tesseract(t)
		}
		w := newWorld(t, cfg)
		w.populate()
		workflowID := w.createWorkflow("Admissions")
		releaseID := w.createRelease(workflowID, testDefinition(t, "1"))
		owner := w.browser()
		owner.signIn(w.users["owner"].Email)
		for _, path := range []string{fmt.Sprintf("/workflows/%d", workflowID), fmt.Sprintf("/releases/%d", releaseID), fmt.Sprintf("/releases/%d/screens/list", releaseID)} {
			status, body := owner.get(path)
			if status != http.StatusOK {
				t.Fatalf("%s = %d", path, status)
			}
			if got := strings.Contains(body, "Screens are not checked"); got == screens {
				t.Errorf("OCR on = %v: %s says screens are not checked = %v", screens, path, got)
			}
		}
	}
}
