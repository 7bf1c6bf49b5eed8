package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// TestBrowserHotspotEditor draws a hotspot with the mouse in a real browser:
// the demo product owner starts a new release, drags a rectangle on a screen
// and saves it, and the form carries it in image pixels.
func TestBrowserHotspotEditor(t *testing.T) {
	browser := chromium(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := start(t, ctx, map[string]string{}, "--demo")
	browserCtx := newBrowser(t, ctx, browser)
	pageCtx, cancelPage := context.WithTimeout(browserCtx, 90*time.Second)
	defer cancelPage()

	signInThroughTheForm(t, pageCtx, s.URL, "owner@demo.sandpit.test", "demo-owner-password")
	err := chromedp.Do(pageCtx,
		chromedp.Navigate(s.URL+"/workflows/1"),
		chromedp.WaitVisible("#version"),
		chromedp.SendKeys("#version", "0.3"),
		chromedp.Click(`form[action="/workflows/1/releases"] .nhsuk-button`),
		chromedp.WaitVisible(`form[action$="/publish"]`),
	)
	if err != nil {
		t.Fatalf("start a new release: %v", err)
	}
	release, err := chromedp.Run(pageCtx, chromedp.Evaluate[string](`location.pathname`))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(pageCtx, chromedp.Navigate(s.URL+release+"/screens/record"), chromedp.WaitVisible("#screen-image")); err != nil {
		t.Fatal(err)
	}
	rows, err := chromedp.Run(pageCtx, chromedp.Evaluate[int](`document.querySelectorAll('.sandpit-hotspot').length`))
	if err != nil {
		t.Fatal(err)
	}
	blank := strconv.Itoa(rows - 1) // the empty row for a new hotspot
	box, err := chromedp.Run(pageCtx, chromedp.Evaluate[map[string]float64](
		`(() => { const img = document.querySelector('#screen-image'); img.scrollIntoView({block: 'start'}); const r = img.getBoundingClientRect(); return {x: r.x, y: r.y, w: r.width, nw: document.querySelector('#screen-image').naturalWidth} })()`))
	if err != nil {
		t.Fatal(err)
	}
	scale := box["w"] / box["nw"]
	// Drag from image pixel (100, 200) to (300, 250).
	from := [2]float64{box["x"] + 100*scale, box["y"] + 200*scale}
	to := [2]float64{box["x"] + 300*scale, box["y"] + 250*scale}
	err = chromedp.Do(pageCtx,
		chromedp.MouseEvent(input.DispatchMouseEventTypeMousePressed, from[0], from[1], chromedp.ButtonLeft, chromedp.ClickCount(1)),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, (from[0]+to[0])/2, (from[1]+to[1])/2, chromedp.ButtonLeft),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, to[0], to[1], chromedp.ButtonLeft),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseReleased, to[0], to[1], chromedp.ButtonLeft, chromedp.ClickCount(1)),
	)
	if err != nil {
		t.Fatal(err)
	}
	fields, err := chromedp.Run(pageCtx, chromedp.Evaluate[map[string]string](`(() => {
		const v = (f) => document.getElementById(f + '-`+blank+`').value
		return {x: v('x'), y: v('y'), w: v('w'), h: v('h')} })()`))
	if err != nil {
		t.Fatal(err)
	}
	near := func(got string, want float64) bool {
		n, err := strconv.ParseFloat(got, 64)
		return err == nil && n >= want-2/scale-1 && n <= want+2/scale+1
	}
	if !near(fields["x"], 100) || !near(fields["y"], 200) || !near(fields["w"], 200) || !near(fields["h"], 50) {
		b, _ := json.Marshal(fields)
		t.Fatalf("the drag filled %s, want about x 100, y 200, w 200, h 50 (scale %.2f)", b, scale)
	}
	shot, err := chromedp.Run(pageCtx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(screenshotDir(), 0o755)
	os.WriteFile(filepath.Join(screenshotDir(), "hotspot-editor-drawing.png"), shot, 0o644)

	err = chromedp.Do(pageCtx,
		chromedp.SetValue("#target-"+blank, "done"),
		chromedp.SendKeys("#label-"+blank, "Drawn in the browser"),
		chromedp.Click(`.sandpit-hotspot-form .nhsuk-button`),
		chromedp.WaitVisible(".nhsuk-notification-banner--success"),
	)
	if err != nil {
		t.Fatalf("save the hotspot: %v", err)
	}
	saved, err := chromedp.Run(pageCtx, chromedp.Evaluate[int](`document.querySelectorAll('.sandpit-hotspot').length`))
	if err != nil || saved != rows+1 {
		t.Errorf("hotspot rows after saving = %d (%v), want %d", saved, err, rows+1)
	}
	violations := runAxe(t, pageCtx, mustAxe(t))
	for _, v := range violations {
		t.Errorf("axe %s: %s", v.ID, v.Help)
	}
}
