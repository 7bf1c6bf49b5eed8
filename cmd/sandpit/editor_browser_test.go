package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// editorPage drives one page of the browser tests of the editor: each step
// has its own deadline and a failure leaves a screenshot and the address.
type editorPage struct {
	t    *testing.T
	ctx  context.Context
	base string
	axe  []byte
}

func newEditorPage(t *testing.T) *editorPage {
	browser := chromium(t)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	s := start(t, ctx, map[string]string{}, "--demo")
	browserCtx := newBrowser(t, ctx, browser)
	page, cancelPage := context.WithTimeout(browserCtx, 4*time.Minute)
	t.Cleanup(cancelPage)
	return &editorPage{t: t, ctx: page, base: s.URL, axe: mustAxe(t)}
}

// shoot saves a screenshot of the whole page as editor-name.png.
func (p *editorPage) shoot(name string) {
	p.t.Helper()
	shot, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(90))
	if err != nil {
		p.t.Fatal(err)
	}
	os.MkdirAll(screenshotDir(), 0o755)
	os.WriteFile(filepath.Join(screenshotDir(), "editor-"+name+".png"), shot, 0o644)
}

// do runs actions, failing the test with a screenshot when they fail.
func (p *editorPage) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	step, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(step, actions...); err != nil {
		p.shoot("failed")
		where, _ := chromedp.Run(p.ctx, chromedp.Evaluate[string](`location.href`))
		p.t.Fatalf("%s: %v (at %s)", what, err, where)
	}
}

// waitFor waits until js is true on the page.
func (p *editorPage) waitFor(what, js string) {
	p.t.Helper()
	if _, err := chromedp.Run(p.ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		p.shoot("failed")
		p.t.Fatalf("wait for %s: %v", what, err)
	}
}

// eval evaluates js on the page.
func eval[T any](p *editorPage, js string) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		p.t.Fatalf("%s: %v", js, err)
	}
	return v
}

// checkPage runs axe on the page and takes its screenshots at 1280 and at
// 390 pixels wide.
func (p *editorPage) checkPage(name string) {
	p.t.Helper()
	for _, v := range runAxe(p.t, p.ctx, p.axe) {
		p.t.Errorf("%s: axe %s (%s): %s, at %v", name, v.ID, v.Impact, v.Help, v.Nodes)
	}
	if overflow := eval[bool](p, `document.documentElement.scrollWidth > document.documentElement.clientWidth`); overflow {
		p.t.Errorf("%s: the page is wider than the window", name)
	}
	p.shoot(name + "-desktop")
	p.do("narrow the window", chromedp.EmulateViewport(390, 844))
	if overflow := eval[bool](p, `document.documentElement.scrollWidth > document.documentElement.clientWidth`); overflow {
		p.t.Errorf("%s: the page is wider than a 390 px phone", name)
	}
	p.shoot(name + "-phone")
	p.do("widen the window", chromedp.EmulateViewport(1280, 900))
}

// newRelease starts release version of the demo workflow as its product
// owner and returns its path.
func (p *editorPage) newRelease(version string) string {
	p.t.Helper()
	signInThroughTheForm(p.t, p.ctx, p.base, "owner@demo.sandpit.test", "demo-owner-password")
	p.do("start a new release",
		chromedp.Navigate(p.base+"/workflows/1"),
		chromedp.WaitVisible("#version"),
		chromedp.SendKeys("#version", version),
		chromedp.Click(`form[action="/workflows/1/releases"] .nhsuk-button`),
		chromedp.WaitVisible(`#publish`),
	)
	return eval[string](p, `location.pathname`)
}

// imageBox is where the screen image is on the page, and its scale:
// rendered pixels per image pixel.
type imageBox struct{ X, Y, Scale float64 }

// rect is a hotspot's box in image pixels.
type rect struct{ X, Y, W, H float64 }

func (p *editorPage) imageBox() imageBox {
	p.t.Helper()
	b := eval[map[string]float64](p, `(() => {
		const img = document.querySelector('#screen-image')
		img.scrollIntoView({block: 'start'})
		const r = img.getBoundingClientRect()
		return {x: r.x, y: r.y, scale: r.width / img.naturalWidth}
	})()`)
	return imageBox{b["x"], b["y"], b["scale"]}
}

// drag drags the mouse on the image from image pixel (x0, y0) to (x1, y1)
// in small steps, as a hand would.
func (p *editorPage) drag(what string, x0, y0, x1, y1 float64) {
	p.t.Helper()
	b := p.imageBox()
	at := func(x, y float64) (float64, float64) { return b.X + x*b.Scale, b.Y + y*b.Scale }
	fx, fy := at(x0, y0)
	tx, ty := at(x1, y1)
	actions := []chromedp.Action[chromedp.Void]{
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, fx, fy),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMousePressed, fx, fy, chromedp.ButtonLeft, chromedp.ClickCount(1)),
	}
	for i := 1; i <= 8; i++ {
		f := float64(i) / 8
		actions = append(actions, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, fx+(tx-fx)*f, fy+(ty-fy)*f, chromedp.ButtonLeft))
	}
	actions = append(actions, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseReleased, tx, ty, chromedp.ButtonLeft, chromedp.ClickCount(1)))
	p.do(what, actions...)
}

// click clicks the image at image pixel (x, y).
func (p *editorPage) click(what string, x, y float64) {
	p.t.Helper()
	b := p.imageBox()
	cx, cy := b.X+x*b.Scale, b.Y+y*b.Scale
	p.do(what,
		chromedp.MouseEvent(input.DispatchMouseEventTypeMousePressed, cx, cy, chromedp.ButtonLeft, chromedp.ClickCount(1)),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseReleased, cx, cy, chromedp.ButtonLeft, chromedp.ClickCount(1)),
	)
}

// hotspotRow is a row of the hotspot form as the page holds it.
type hotspotRow struct {
	X, Y, W, H    string
	Target, Label string
	Removed, New  bool
}

// rows reads every row of the hotspot form.
func (p *editorPage) rows() []hotspotRow {
	p.t.Helper()
	return eval[[]hotspotRow](p, `[...document.querySelectorAll('.sandpit-hotspot')].map(row => {
		const v = (name) => { const el = row.querySelector('[name="' + name + '"]'); return el ? el.value : '' }
		const remove = row.querySelector('[name="remove"]')
		return {X: v('x'), Y: v('y'), W: v('w'), H: v('h'), Target: v('target'), Label: v('label'),
			Removed: remove !== null && remove.checked, New: row.hasAttribute('data-new')}
	})`)
}

// near reports whether the row's box is within tolerance image pixels of r.
func (r hotspotRow) near(want rect, tolerance float64) bool {
	got := []string{r.X, r.Y, r.W, r.H}
	for i, w := range []float64{want.X, want.Y, want.W, want.H} {
		n, err := strconv.ParseFloat(got[i], 64)
		if err != nil || math.Abs(n-w) > tolerance {
			return false
		}
	}
	return true
}

// TestBrowserHotspotEditor draws, moves, resizes and deletes hotspots with
// the mouse and the keyboard in a real browser, saves them all at once,
// and finds exactly those after a reload, where they were dragged to.
func TestBrowserHotspotEditor(t *testing.T) {
	p := newEditorPage(t)
	release := p.newRelease("0.3")
	p.do("open the editor of the success screen",
		chromedp.Navigate(p.base+release+"/screens/done"),
		chromedp.WaitVisible("#screen-image"),
	)
	p.waitFor("the editor's script", `!document.querySelector('#editor-help').hidden`)
	before := p.rows()
	kept := 0
	for _, r := range before {
		if !r.New {
			kept++
		}
	}
	if b := p.imageBox(); b.Scale < 0.5 {
		t.Fatalf("the image is shown at %.2f of its size", b.Scale)
	}

	// Three boxes in an empty part of the screen: A, B and C.
	a, bBox, c := rect{40, 320, 120, 50}, rect{200, 320, 120, 50}, rect{40, 420, 120, 50}
	for _, r := range []struct {
		name string
		rect
	}{{"A", a}, {"B", bBox}, {"C", c}} {
		n := len(p.rows())
		p.drag("draw "+r.name, r.X, r.Y, r.X+r.W, r.Y+r.H)
		p.waitFor("a row for "+r.name, fmt.Sprintf(`document.querySelectorAll('.sandpit-hotspot').length === %d && !document.querySelector('.a9s-shape-handle')`, n+1))
	}
	focus := eval[string](p, `document.activeElement ? document.activeElement.tagName + '#' + document.activeElement.id : ''`)
	scrolled := eval[float64](p, `document.querySelector('#screen-image').getBoundingClientRect().top`)
	rows := p.rows()
	drawn := rows[kept : kept+3]
	p.shoot("hotspots-drawn")
	for i, want := range []rect{a, bBox, c} {
		if !drawn[i].near(want, 3) {
			t.Errorf("drawn hotspot %d = %+v, want about %+v", i+1, drawn[i], want)
		}
	}
	if strings.HasPrefix(focus, "INPUT") || strings.HasPrefix(focus, "SELECT") {
		t.Errorf("after drawing, focus jumped to the form's %s", focus)
	}
	if scrolled < 0 {
		t.Errorf("after drawing, the image's top is at %.0f px: the page scrolled away from it", scrolled)
	}

	// Move B by (60, 40): select it, then drag it from its middle.
	p.click("select B", bBox.X+bBox.W/2, bBox.Y+bBox.H/2)
	p.drag("move B", bBox.X+bBox.W/2, bBox.Y+bBox.H/2, bBox.X+bBox.W/2+60, bBox.Y+bBox.H/2+40)
	moved := rect{bBox.X + 60, bBox.Y + 40, bBox.W, bBox.H}
	// Resize C by dragging its bottom right corner by (50, 30).
	p.click("select C", c.X+c.W/2, c.Y+c.H/2)
	p.drag("resize C", c.X+c.W, c.Y+c.H, c.X+c.W+50, c.Y+c.H+30)
	resized := rect{c.X, c.Y, c.W + 50, c.H + 30}
	// Delete A: select it and press Delete.
	p.click("select A", a.X+a.W/2, a.Y+a.H/2)
	p.do("delete A", chromedp.KeyEvent(kb.Delete))
	p.click("leave the selection", 5, 5)
	p.shoot("hotspots-edited")
	rows = p.rows()
	if !rows[kept].Removed || !rows[kept+1].near(moved, 4) || !rows[kept+2].near(resized, 4) {
		t.Fatalf("after the changes the rows are %+v, want A removed, B at %+v and C at %+v", rows[kept:], moved, resized)
	}

	// Where B and C lead, by screen title, typed by keyboard.
	ids := eval[[]string](p, `[...document.querySelectorAll('.sandpit-hotspot select')].map(s => s.id)`)
	p.do("choose where B and C lead",
		chromedp.SetValue("#"+ids[kept+1], "ward_list"),
		chromedp.SetValue("#"+ids[kept+2], "record"),
	)
	labels := eval[[]string](p, `[...document.querySelectorAll('.sandpit-hotspot [name="label"]')].map(s => s.id)`)
	p.do("label B", chromedp.SendKeys("#"+labels[kept+1], "Back to the ward list"))
	requests := eval[float64](p, `performance.getEntriesByType('navigation').length + performance.getEntriesByType('resource').filter(r => r.initiatorType === 'fetch' || r.initiatorType === 'xmlhttprequest').length`)
	if requests != 1 {
		t.Errorf("the page made %.0f requests while editing, want none after loading", requests-1)
	}
	p.checkPage("hotspot-editor")
	p.do("save once",
		chromedp.Click(`.sandpit-hotspot-form > .nhsuk-button`),
		chromedp.WaitVisible(".nhsuk-notification-banner--success"),
	)
	p.do("reload", chromedp.Reload(), chromedp.WaitVisible("#screen-image"))
	saved := p.rows()
	var got []hotspotRow
	for _, r := range saved {
		if !r.New {
			got = append(got, r)
		}
	}
	if len(got) != kept+2 {
		t.Fatalf("after saving, %d hotspots: %+v; want the %d there were and B and C", len(got), got, kept)
	}
	if b := got[kept]; !b.near(moved, 4) || b.Target != "ward_list" || b.Label != "Back to the ward list" {
		t.Errorf("saved B = %+v, want about %+v leading to the ward list", b, moved)
	}
	if c := got[kept+1]; !c.near(resized, 4) || c.Target != "record" {
		t.Errorf("saved C = %+v, want about %+v leading to the record", c, resized)
	}
	boxes := eval[int](p, `document.querySelectorAll('.a9s-annotation[data-id]').length`)
	if boxes != kept+2 {
		t.Errorf("%d boxes drawn on the image after the reload, want %d: %s", boxes, kept+2, eval[string](p, `[...document.querySelectorAll('.a9s-annotation')].map(e => e.outerHTML).join('\n')`))
	}
	p.checkPage("hotspot-editor-saved")

	// By keyboard: from the image, Tab leads on to the first number field
	// with nothing in between that traps focus.
	p.do("focus the back link", chromedp.Focus(`.nhsuk-back-link`))
	var path []string
	for range 12 {
		p.do("tab", chromedp.KeyEvent(kb.Tab))
		path = append(path, eval[string](p, `document.activeElement.tagName.toLowerCase() + (document.activeElement.id ? '#' + document.activeElement.id : '')`))
		if path[len(path)-1] == "input#x-0" {
			break
		}
	}
	if path[len(path)-1] != "input#x-0" {
		t.Errorf("Tab from the back link went %v, never reaching the first hotspot's x", path)
	}
	t.Logf("Tab order: %v", path)

	fmt.Fprintln(os.Stderr, "hotspot editor: screenshots in", screenshotDir())
}

// TestBrowserPublish publishes a release with a problem in a real
// browser: the publish page says what is wrong by title, its link opens
// the editor where the fix goes, the fix is drawn and saved, and the
// release is published through the confirmation page.
func TestBrowserPublish(t *testing.T) {
	p := newEditorPage(t)
	release := p.newRelease("0.3")

	// Break the best path: nothing on "reconcile" leads to "done" any more.
	p.do("open the editor of the reconcile screen", chromedp.Navigate(p.base+release+"/screens/reconcile"), chromedp.WaitVisible("#screen-image"))
	removed := eval[int](p, `(() => {
		let n = 0
		document.querySelectorAll('.sandpit-hotspot').forEach(row => {
			const target = row.querySelector('[name="target"]'), remove = row.querySelector('[name="remove"]')
			if (target.value === 'done' && remove) { remove.checked = true; n++ }
		})
		return n })()`)
	if removed == 0 {
		t.Fatal("no hotspot on the reconcile screen leads to done")
	}
	p.do("save without the link", chromedp.Click(`.sandpit-hotspot-form > .nhsuk-button`), chromedp.WaitVisible(".nhsuk-notification-banner--success"))

	p.do("open the release", chromedp.Navigate(p.base+release), chromedp.WaitVisible("#publish"))
	if eval[bool](p, `document.querySelector('form[action$="/publish"]') !== null`) {
		t.Error("the release page publishes in one click")
	}
	if !eval[bool](p, `document.querySelector('a[href$="/preview"]') !== null`) {
		t.Error("preview is not offered while the release has a problem")
	}
	p.do("see what to fix", chromedp.Click(`a[href="`+release+`/publish"]`), chromedp.WaitVisible("#problems"))
	problems := eval[[]string](p, `[...document.querySelectorAll('#problems li a')].map(a => a.textContent.trim())`)
	want := "On 'Medicines reconciliation: Mrs Patel', no hotspot leads to 'Reconciliation complete', so task 'Reconcile Mrs Patel's medicines on admission' can't follow its best path"
	if len(problems) != 1 || !strings.HasPrefix(problems[0], want) || !strings.HasSuffix(problems[0], "can't follow its best path") {
		title := eval[string](p, `document.querySelector('h1').textContent`)
		t.Fatalf("%s: problems %q, want one starting %q", title, problems, want)
	}
	if eval[bool](p, `document.querySelector('main form[action$="/publish"]') !== null`) {
		t.Error("the publish page offers to publish a release with a problem")
	}
	p.checkPage("publish-problems")

	p.do("preview it anyway", chromedp.Navigate(p.base+release+"/preview"), chromedp.WaitVisible("#preview-problems"))
	p.checkPage("preview-with-problems")

	p.do("follow the problem's link", chromedp.Navigate(p.base+release+"/publish"), chromedp.WaitVisible("#problems"),
		chromedp.Click(`#problems li a`), chromedp.WaitVisible("#fix"))
	if path := eval[string](p, `location.pathname + location.hash`); path != release+"/screens/reconcile#fix" {
		t.Errorf("the problem's link opened %s, want the reconcile screen's editor", path)
	}
	p.waitFor("the editor's script", `!document.querySelector('#editor-help').hidden`)
	if top := eval[float64](p, `document.querySelector('#hotspot-editor').getBoundingClientRect().top`); top < 0 || top > 450 {
		t.Errorf("the image is %.0f px from the top of the window, want it in view under the fix", top)
	}
	p.checkPage("fix-in-editor")

	// The fix: a hotspot drawn over the image's bottom right, which the
	// editor makes lead to the screen the problem named.
	n := len(p.rows())
	p.drag("draw the missing link", 700, 600, 900, 660)
	p.waitFor("the drawn row", fmt.Sprintf(`document.querySelectorAll('.sandpit-hotspot').length === %d`, n+1))
	rows := p.rows()
	var drawn *hotspotRow
	for i := range rows {
		if rows[i].near(rect{700, 600, 200, 60}, 3) {
			drawn = &rows[i]
		}
	}
	if drawn == nil || drawn.Target != "done" {
		t.Fatalf("rows = %+v, want one drawn at 700, 600 leading to done", rows)
	}
	p.do("save the fix", chromedp.Click(`.sandpit-hotspot-form > .nhsuk-button`), chromedp.WaitVisible(".nhsuk-notification-banner--success"))

	p.do("back to publishing", chromedp.Navigate(p.base+release+"/publish"), chromedp.WaitVisible(`main form[action$="/publish"]`))
	confirm := eval[string](p, `document.querySelector('main').innerText`)
	for _, words := range []string{"Publishing cannot be undone", "What clinicians will see", "2 tasks on 6 screens"} {
		if !strings.Contains(confirm, words) {
			t.Errorf("the confirmation page lacks %q:\n%s", words, confirm)
		}
	}
	p.checkPage("publish-confirm")
	p.do("publish", chromedp.Click(`main form[action$="/publish"] .nhsuk-button`), chromedp.WaitVisible(".nhsuk-notification-banner--success"))
	if status := eval[string](p, `document.querySelector('#release-summary .nhsuk-tag').textContent`); !strings.Contains(strings.ToLower(status), "open") {
		t.Errorf("after publishing the release is %q", status)
	}
}

// TestBrowserHotspotEditorWithoutScripts saves two hotspots at once with
// scripts off: the same form, typed into, with no drawing offered.
func TestBrowserHotspotEditorWithoutScripts(t *testing.T) {
	p := newEditorPage(t)
	release := p.newRelease("0.3")
	p.do("turn scripts off and open the editor", scripts(false), chromedp.Navigate(p.base+release+"/screens/done"), chromedp.WaitVisible("#screen-image"))
	if eval[bool](p, `!document.querySelector('#editor-help').hidden`) {
		t.Error("without scripts the page offers drawing")
	}
	before := p.rows()
	blank := strconv.Itoa(len(before) - 1)
	p.do("type a hotspot into the empty row",
		chromedp.SendKeys("#x-"+blank, "10"), chromedp.SendKeys("#y-"+blank, "20"),
		chromedp.SendKeys("#w-"+blank, "30"), chromedp.SendKeys("#h-"+blank, "40"),
		chromedp.SetValue("#target-"+blank, "record"),
		chromedp.Click(`#remove-0`),
		chromedp.Click(`.sandpit-hotspot-form > .nhsuk-button`),
		chromedp.WaitVisible(".nhsuk-notification-banner--success"),
	)
	after := p.rows()
	if len(after) != len(before) || !after[len(after)-2].near(rect{10, 20, 30, 40}, 0) || after[len(after)-2].Target != "record" {
		t.Errorf("rows = %+v, want the first removed and the typed one added, in one save", after)
	}
	// axe needs scripts; the page's own stay as they were loaded: not run.
	p.do("turn scripts on for axe", scripts(true))
	p.checkPage("hotspot-editor-no-script")
}
