package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sandpit-nhs/sandpit/internal/demo"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// TestBrowserTrial is the trials issue's "done when" in a real browser: the
// demo clinician takes release 0.2 by clicking on its screens, reports a
// problem with a pin, answers the SUS, finishes, finds the report under "My
// feedback", and withdraws. Every page on the way is checked by axe-core.
func TestBrowserTrial(t *testing.T) {
	browser := chromium(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := start(t, ctx, map[string]string{}, "--demo")
	browserCtx := newBrowser(t, ctx, browser)
	page, cancelPage := context.WithTimeout(browserCtx, 3*time.Minute)
	defer cancelPage()
	axe := mustAxe(t)
	defs, err := demo.Releases()
	if err != nil {
		t.Fatal(err)
	}
	def := defs[2] // 0.2, the open release
	if err := def.Validate(); err != nil {
		t.Fatal(err)
	}
	for i := range def.Screens {
		img, err := sandpit.CheckImage(mustData(t, def.Screens[i].Image))
		if err != nil {
			t.Fatal(err)
		}
		def.Screens[i].Width, def.Screens[i].Height = img.Width, img.Height
	}

	check := func(name string) {
		t.Helper()
		shot, err := chromedp.Run(page, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(screenshotDir(), 0o755)
		os.WriteFile(filepath.Join(screenshotDir(), "trial-"+name+".png"), shot, 0o644)
		for _, v := range runAxe(t, page, axe) {
			t.Errorf("%s: axe %s (%s): %s", name, v.ID, v.Impact, v.Help)
		}
	}
	do := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		step, cancel := context.WithTimeout(page, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(step, actions...); err != nil {
			shot, _ := chromedp.Run(page, chromedp.FullScreenshot(100))
			os.WriteFile(filepath.Join(screenshotDir(), "trial-failed.png"), shot, 0o644)
			where, _ := chromedp.Run(page, chromedp.Evaluate[string](`location.href`))
			t.Fatalf("%s: %v (at %s)", what, err, where)
		}
	}
	path := func() string {
		p, err := chromedp.Run(page, chromedp.Evaluate[string](`location.pathname + location.search`))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}

	signInThroughTheForm(t, page, s.URL, "clinician@demo.sandpit.test", "demo-clinician-password")
	do("open trials", chromedp.Navigate(s.URL+"/trials"), chromedp.WaitVisible("main h1"))
	check("list")
	do("take part", chromedp.Click(`main a[href$="/consent"]`), chromedp.WaitVisible("#accepted"))
	check("consent")
	do("consent", chromedp.Click("#accepted"), chromedp.Click("#research_use"), chromedp.Click("main form .nhsuk-button"),
		chromedp.WaitVisible("#tasks"))
	check("home")
	trialHome := path()

	for n, task := range def.Tasks {
		do("start "+task.Key, chromedp.Navigate(s.URL+trialHome), chromedp.WaitVisible("#tasks"),
			chromedp.Click(fmt.Sprintf(`main a[href$="/tasks/%s"]`, task.Key)), chromedp.WaitVisible(`form[action$="/start"] button`))
		markPage(t, page)
		do("start task "+task.Key, chromedp.Click(`form[action$="/start"] button`))
		waitNewPage(t, page)
		do("the screen", chromedp.WaitVisible("input.sandpit-screen"))
		if n == 0 {
			check("task")
			// A problem on the first screen, pinned by clicking on its image.
			do("report a problem", chromedp.Click(`form[action$="/tasks/`+task.Key+`/report"] button`), chromedp.WaitVisible(".sandpit-pin-image"))
			clickImage(t, page, ".sandpit-pin-image", 200, 120)
			x, _ := chromedp.Run(page, chromedp.Value("#x"))
			if x == "" {
				t.Fatal("clicking the report image placed no pin")
			}
			do("describe the problem", chromedp.Click(`input[name="category"][value="layout"]`), chromedp.Click(`input[name="severity"][value="3"]`),
				chromedp.SendKeys("#text", "The reconcile button is easy to miss among the ward list's buttons."))
			check("report")
			markPage(t, page)
			do("send the report", chromedp.Click(`main form[action$="/report"] .nhsuk-button`))
			waitNewPage(t, page)
			do("back on the screen", chromedp.WaitVisible("input.sandpit-screen"))
		}
		// Click along the optimal path, on the image itself.
		for i := 0; i+1 < len(task.OptimalPath); i++ {
			screen := def.Screen(task.OptimalPath[i])
			var target *sandpit.Hotspot
			for j := range screen.Hotspots {
				if screen.Hotspots[j].Target == task.OptimalPath[i+1] {
					target = &screen.Hotspots[j]
					break
				}
			}
			if target == nil {
				t.Fatalf("no hotspot from %s to %s", screen.Key, task.OptimalPath[i+1])
			}
			markPage(t, page)
			clickImage(t, page, "input.sandpit-screen", target.X+target.W/2, target.Y+target.H/2)
			waitNewPage(t, page)
			if p := path(); strings.Contains(p, "miss=1") {
				t.Fatalf("the click on %q at image pixel (%d, %d) missed: %s", target.Label, target.X+target.W/2, target.Y+target.H/2, p)
			}
		}
		do("rating page", chromedp.WaitVisible(`input[name="ease"]`))
		if n == 0 {
			check("rating")
		}
		markPage(t, page)
		do("rate", chromedp.Click(`input[name="ease"][value="6"]`), chromedp.Click(`main form .nhsuk-button`))
		waitNewPage(t, page)
	}

	do("questionnaire", chromedp.Navigate(s.URL+strings.Split(trialHome, "?")[0]+"/sus"), chromedp.WaitVisible(`input[name="q1"]`))
	check("sus")
	for q := 1; q <= 10; q++ {
		answer := 4
		if q%2 == 0 {
			answer = 2
		}
		do("answer", chromedp.Click(fmt.Sprintf(`input[name="q%d"][value="%d"]`, q, answer)))
	}
	do("send answers", chromedp.Click(`main form .nhsuk-button`), chromedp.WaitVisible(`form[action$="/complete"]`))
	markPage(t, page)
	do("finish", chromedp.Click(`form[action$="/complete"] .nhsuk-button`))
	waitNewPage(t, page)
	if !strings.HasSuffix(path(), "/done") {
		t.Fatalf("after finishing: %s", path())
	}
	check("done")

	do("my feedback", chromedp.Navigate(s.URL+"/feedback"), chromedp.WaitVisible("main h1"))
	text, err := chromedp.Run(page, chromedp.Text("main"))
	if err != nil || !strings.Contains(text, "The reconcile button is easy to miss") {
		t.Fatalf("My feedback lacks the report: %v\n%s", err, text)
	}
	check("feedback")
	do("withdraw", chromedp.Click(fmt.Sprintf(`main a[href="%s/withdraw"]`, strings.Split(trialHome, "?")[0])), chromedp.WaitVisible(`form[action$="/withdraw"]`))
	check("withdraw")
	do("confirm", chromedp.Click(`form[action$="/withdraw"] .nhsuk-button`), chromedp.WaitVisible(".nhsuk-notification-banner--success"))
	text, _ = chromedp.Run(page, chromedp.Text("main"))
	if strings.Contains(text, "The reconcile button is easy to miss") {
		t.Error("the report survived withdrawal")
	}
}

// markPage marks the page shown now, so that waitNewPage can tell when the
// browser has moved on from it.
func markPage(t *testing.T, ctx context.Context) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.sandpitOldPage = true`)); err != nil {
		t.Fatal(err)
	}
}

// waitNewPage waits until a page other than the marked one has loaded.
func waitNewPage(t *testing.T, ctx context.Context) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		// Evaluating while the browser navigates fails; that is no answer.
		moved, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.sandpitOldPage === undefined && document.readyState === 'complete'`))
		if err == nil && moved {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	shot, _ := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	os.WriteFile(filepath.Join(screenshotDir(), "trial-stuck.png"), shot, 0o644)
	t.Fatal("the page did not change")
}

// clickImage clicks image pixel (x, y) of the image matched by sel, wherever
// the layout has put and scaled it.
func clickImage(t *testing.T, ctx context.Context, sel string, x, y int) {
	t.Helper()
	box, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]float64](fmt.Sprintf(`(() => {
		const img = document.querySelector(%q); img.scrollIntoView({block: 'center'});
		const r = img.getBoundingClientRect(); return {x: r.x, y: r.y, w: r.width, nw: Number(img.getAttribute('width')) || img.naturalWidth} })()`, sel)))
	if err != nil {
		t.Fatal(err)
	}
	scale := box["w"] / box["nw"]
	if err := chromedp.Do(ctx, chromedp.MouseClickXY(box["x"]+float64(x)*scale, box["y"]+float64(y)*scale)); err != nil {
		t.Fatal(err)
	}
}

func mustData(t *testing.T, uri string) []byte {
	data, err := sandpit.ParseDataURI(uri)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
