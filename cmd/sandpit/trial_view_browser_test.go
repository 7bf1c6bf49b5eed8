package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/sandpit-nhs/sandpit/internal/demo"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store/storetest"
)

// scripts turns the page's scripts on or off.
func scripts(on bool) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on})
		return err
	})
}

// TestBrowserTrialScreenStaysInView is issue 12's trial in a real browser,
// at 1280 × 800 and at 390 × 844: a task opens on its scenario and only
// "Start task" starts it; after each click the screen's top edge, the
// task's name, "I'm stuck" and "Report a problem" are in view without
// scrolling, with the script and without; no list of links shows until
// asked for; Enter on the image records nothing and offers the list; a click from the list marks the
// attempt assisted; on the phone the screen can be seen at its actual
// size, and clicks hit in both sizes.
func TestBrowserTrialScreenStaysInView(t *testing.T) {
	browser := chromium(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dbURL := storetest.URL(t)
	s := start(t, ctx, map[string]string{"SANDPIT_DATABASE_URL": dbURL}, "--demo")
	db := storetest.Open(t, dbURL, time.Now)
	browserCtx := newBrowser(t, ctx, browser)
	page, cancelPage := context.WithTimeout(browserCtx, 4*time.Minute)
	defer cancelPage()
	axe := mustAxe(t)
	defs, err := demo.Releases()
	if err != nil {
		t.Fatal(err)
	}
	def := defs[2] // 0.2, the open release

	shoot := func(name string) {
		t.Helper()
		shot, err := chromedp.Run(page, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(screenshotDir(), 0o755)
		os.WriteFile(filepath.Join(screenshotDir(), "trial-view-"+name+".png"), shot, 0o644)
	}
	do := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		step, cancel := context.WithTimeout(page, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(step, actions...); err != nil {
			shoot("failed")
			where, _ := chromedp.Run(page, chromedp.Evaluate[string](`location.href`))
			t.Fatalf("%s: %v (at %s)", what, err, where)
		}
	}
	eval := func(js string) bool {
		t.Helper()
		v, err := chromedp.Run(page, chromedp.Evaluate[bool](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return v
	}
	// after runs actions that leave the page, and waits for the next.
	after := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		markPage(t, page)
		do(what, actions...)
		waitNewPage(t, page)
	}

	signInThroughTheForm(t, page, s.URL, "clinician@demo.sandpit.test", "demo-clinician-password")
	do("open trials", chromedp.Navigate(s.URL+"/trials"), chromedp.WaitVisible("main h1"))
	text, err := chromedp.Run(page, chromedp.Text("main"))
	if err != nil || !strings.Contains(text, "What you will do") || strings.Contains(text, def.Notes) {
		t.Errorf("the open-trials card shows the release notes, or not what the clinician will do: %v\n%s", err, text)
	}
	do("take part", chromedp.Click(`main a[href$="/consent"]`), chromedp.WaitVisible("#accepted"))
	do("consent", chromedp.Click("#accepted"), chromedp.Click("#research_use"), chromedp.Click("main form .nhsuk-button"),
		chromedp.WaitVisible("#tasks"))
	home, err := chromedp.Run(page, chromedp.Evaluate[string](`location.pathname`))
	if err != nil {
		t.Fatal(err)
	}
	var trialID int64
	if _, err := fmt.Sscanf(home, "/trials/%d", &trialID); err != nil {
		t.Fatalf("trial home %q: %v", home, err)
	}
	attempt := func(key string) *sandpit.Attempt {
		t.Helper()
		attempts, err := db.Attempts(context.Background(), trialID)
		if err != nil {
			t.Fatal(err)
		}
		return attempts[key]
	}

	// inView checks, once the page has settled on #screen, that the
	// screen's top edge, the task's name and its actions are in the
	// viewport, and that the list of links is shown only when asked for.
	inView := func(when string, list bool) {
		t.Helper()
		const js = `(() => {
			const inside = el => { if (!el) return false; const r = el.getBoundingClientRect();
				return r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth };
			const screen = document.querySelector('input.sandpit-screen');
			const top = screen && screen.getBoundingClientRect().top;
			return screen !== null && top >= 0 && top < innerHeight - 40 &&
				inside(document.querySelector('#screen h1')) &&
				inside(document.querySelector('form[action$="/stuck"] button')) &&
				inside(document.querySelector('form[action$="/report"] button'))
		})()`
		deadline := time.Now().Add(5 * time.Second)
		for !eval(js) {
			if time.Now().After(deadline) {
				shoot("not-in-view")
				box, _ := chromedp.Run(page, chromedp.Evaluate[string](`JSON.stringify({scrollY, innerHeight,
					screen: document.querySelector('input.sandpit-screen')?.getBoundingClientRect(),
					report: document.querySelector('form[action$="/report"] button')?.getBoundingClientRect()})`))
				t.Fatalf("%s: the screen, the task's name or its actions are out of view: %s", when, box)
			}
			time.Sleep(50 * time.Millisecond)
		}
		shown := eval(`(() => { const l = document.querySelector('input[name="link"]'); return l !== null && l.closest('form').offsetParent !== null })()`)
		if shown != list {
			t.Errorf("%s: list of links shown = %v, want %v", when, shown, list)
		}
	}
	// hotspotTo is the index of the hotspot of screen key leading to target.
	hotspotTo := func(key, target string) (int, sandpit.Hotspot) {
		t.Helper()
		for i, h := range def.Screen(key).Hotspots {
			if h.Target == target {
				return i, h
			}
		}
		t.Fatalf("no hotspot from %s to %s", key, target)
		return 0, sandpit.Hotspot{}
	}
	// pointAt clicks image pixel (x, y) of the screen without scrolling
	// the page first when it is in view: panning the frame when the
	// screen is at its actual size.
	pointAt := func(x, y int) {
		t.Helper()
		box, err := chromedp.Run(page, chromedp.Evaluate[map[string]float64](fmt.Sprintf(`(() => {
			const img = document.querySelector('input.sandpit-screen'), frame = img.closest('[data-trial-frame]');
			let r = img.getBoundingClientRect(); const scale = r.width / Number(img.getAttribute('width'));
			frame.scrollLeft = Math.max(0, %d * scale - frame.clientWidth / 2);
			r = img.getBoundingClientRect();
			const py = r.top + %d * scale;
			if (py < 0 || py > innerHeight - 10) window.scrollBy(0, py - innerHeight / 2);
			r = img.getBoundingClientRect();
			return {x: r.left + %d * scale, y: r.top + %d * scale, scale} })()`, x, y, x, y)))
		if err != nil {
			t.Fatal(err)
		}
		after(fmt.Sprintf("click at (%d, %d)", x, y), chromedp.MouseClickXY(box["x"], box["y"]))
	}

	for n, run := range []struct {
		name          string
		width, height int64
	}{{"desktop", 1280, 800}, {"phone", 390, 844}} {
		task := def.Tasks[n]
		taskPath := fmt.Sprintf("%s/tasks/%s", home, task.Key)
		t.Run(run.name, func(t *testing.T) {
			do("viewport", chromedp.EmulateViewport(run.width, run.height))
			do("open the task", chromedp.Navigate(s.URL+taskPath), chromedp.WaitVisible(`form[action$="/start"] button`))
			if eval(`document.querySelector('input.sandpit-screen') !== null`) {
				t.Error("the screen is shown before the task is started")
			}
			if a := attempt(task.Key); a != nil {
				t.Fatalf("opening the task started it: %+v", a)
			}
			shoot(run.name + "-scenario")
			for _, v := range runAxe(t, page, axe) {
				t.Errorf("scenario page: axe %s (%s): %s", v.ID, v.Impact, v.Help)
			}
			after("start the task", chromedp.Click(`form[action$="/start"] button`))
			inView("after Start task", false)
			shoot(run.name + "-started")
			for _, v := range runAxe(t, page, axe) {
				t.Errorf("task page: axe %s (%s): %s", v.ID, v.Impact, v.Help)
			}

			// Enter on the image: without the script on the desktop (the
			// browser posts (0, 0)), with it on the phone.
			if run.name == "desktop" {
				do("turn the script off", scripts(false))
				after("reload without the script", chromedp.Reload())
				if eval(`document.querySelector('[data-trial-frame]').classList.contains('sandpit-screen-frame--fluid')`) {
					t.Fatal("the script still ran")
				}
				inView("without the script", false)
			}
			after("press Enter on the image", chromedp.Focus("input.sandpit-screen"), chromedp.KeyEvent("\r"))
			if a := attempt(task.Key); a.Clicks != 0 || a.LastSeq != 0 {
				t.Errorf("Enter on the image was recorded: %+v", a)
			}
			if !eval(`location.search.includes('keyboard=1') && document.querySelector('input[name="link"]') !== null`) {
				t.Error("Enter on the image did not offer the list of links")
			}
			if run.name == "phone" {
				focused := false
				for range 40 {
					if focused = eval(`document.activeElement.id === 'links'`); focused {
						break
					}
					time.Sleep(50 * time.Millisecond)
				}
				if !focused {
					state, _ := chromedp.Run(page, chromedp.Evaluate[string](`JSON.stringify({href: location.href, active: document.activeElement && document.activeElement.id})`))
					t.Errorf("the list of links is not focused: %s", state)
				}
			}
			inView("after Enter on the image", true)
			shoot(run.name + "-keyboard")
			after("hide the list", chromedp.Click(`.sandpit-task-bar__controls a[href$="/tasks/`+task.Key+`#screen"]`))
			inView("after hiding the list", false)

			if run.name == "phone" {
				// The phone can show the screen at its actual size, panned
				// in its frame; hotspots hit in both sizes.
				do("actual size", chromedp.WaitVisible(`[data-screen-size]`), chromedp.Click(`[data-screen-size]`))
				if !eval(`document.querySelector('input.sandpit-screen').clientWidth === Number(document.querySelector('input.sandpit-screen').getAttribute('width'))`) {
					sizes, _ := chromedp.Run(page, chromedp.Evaluate[string](`(() => { const i = document.querySelector('input.sandpit-screen');
						return JSON.stringify({client: i.clientWidth, offset: i.offsetWidth, attr: i.getAttribute('width'), frame: i.closest('[data-trial-frame]').className}) })()`))
					t.Errorf("Actual size did not show the screen at its natural width: %s", sizes)
				}
				shoot(run.name + "-actual-size")
			}

			// Along the optimal path on the image; the last step from the
			// list of links on the desktop.
			for i := 0; i+1 < len(task.OptimalPath); i++ {
				from, to := task.OptimalPath[i], task.OptimalPath[i+1]
				index, h := hotspotTo(from, to)
				last := i+2 == len(task.OptimalPath)
				if last && run.name == "desktop" {
					after("ask for the list", chromedp.Click(`a[data-list-link]`))
					if !eval(`document.querySelector('input[name="link"]') !== null`) {
						t.Fatal("the list control showed no list")
					}
					inView("after asking for the list", true)
					shoot(run.name + "-list")
					for _, v := range runAxe(t, page, axe) {
						t.Errorf("list of links: axe %s (%s): %s", v.ID, v.Impact, v.Help)
					}
					after("follow "+to+" from the list", chromedp.Click(fmt.Sprintf(`form:has(input[name="link"][value="%d"]) button`, index)))
					break
				}
				if run.name == "phone" && i == 1 {
					do("fit to width", chromedp.Click(`[data-screen-size]`))
				}
				pointAt(h.X+h.W/2, h.Y+h.H/2)
				if run.name == "desktop" && i == 0 {
					// The first click was posted by the image button itself.
					do("turn the script on", scripts(true))
				}
				if last {
					break
				}
				if p := eval(`location.search.includes('miss=1')`); p {
					t.Fatalf("the click from %s to %s missed", from, to)
				}
				inView(fmt.Sprintf("after the click from %s to %s", from, to), false)
			}
			do("rating page", chromedp.WaitVisible(`input[name="ease"]`))
			a := attempt(task.Key)
			if a == nil || a.Outcome != sandpit.OutcomeDirect {
				t.Fatalf("attempt = %+v, want direct", a)
			}
			if want := run.name == "desktop"; a.Assisted() != want {
				t.Errorf("assisted = %v, want %v (%+v)", a.Assisted(), want, a)
			}
			after("rate", chromedp.Click(`input[name="ease"][value="5"]`), chromedp.Click(`main form .nhsuk-button`))
		})
	}
}
