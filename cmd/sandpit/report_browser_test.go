package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/sandpit-nhs/sandpit/internal/demo"
)

// TestBrowserReportSummaryAndCharts opens the demo's release report and
// show-and-tell at a desktop and a phone width: the summary names the safety
// concern first, axe finds nothing wrong and has no chart text whose
// contrast it cannot work out, and the page height is logged.
func TestBrowserReportSummaryAndCharts(t *testing.T) {
	browser := chromium(t)
	axe := mustAxe(t)
	shots := screenshotDir()
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := start(t, ctx, map[string]string{}, "--demo")
	var owner demo.Account
	for _, a := range demo.Accounts() {
		if a.Email == "owner@demo.sandpit.test" {
			owner = a
		}
	}
	browserCtx := newBrowser(t, ctx, browser)
	signCtx, cancelSign := context.WithTimeout(browserCtx, 60*time.Second)
	signInThroughTheForm(t, signCtx, s.URL, owner.Email, owner.Password)
	cancelSign()

	pages := []struct{ name, path string }{
		{"report-0.1", "/releases/2/report"},
		{"report-0.2", "/releases/3/report"},
		{"show-and-tell-0.1", "/releases/2/show-and-tell"},
		{"show-and-tell-0.2", "/releases/3/show-and-tell"},
	}
	for _, width := range []int64{1280, 390} {
		for _, page := range pages {
			t.Run(fmt.Sprintf("%s at %d px", page.name, width), func(t *testing.T) {
				pageCtx, cancel := context.WithTimeout(browserCtx, 90*time.Second)
				defer cancel()
				err := chromedp.Do(pageCtx,
					chromedp.EmulateViewport(width, 900),
					chromedp.Navigate(s.URL+page.path),
					chromedp.WaitReady("body"),
				)
				if err != nil {
					t.Fatal(err)
				}
				if page.name == "report-0.1" {
					first, err := chromedp.Run(pageCtx, chromedp.Evaluate[string](`document.querySelector('#summary + ol > li').innerText`))
					if err != nil || !strings.HasPrefix(first, "Safety concern") {
						t.Errorf("the summary's first line is %q (%v), want the safety concern", first, err)
					}
				}
				height, err := chromedp.Run(pageCtx, chromedp.Evaluate[int](`document.documentElement.scrollHeight`))
				if err != nil {
					t.Fatal(err)
				}
				scroll, err := chromedp.Run(pageCtx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("%s at %d px: %d px high, %d px wide", page.path, width, height, scroll)
				if scroll > int(width) {
					wide, _ := chromedp.Run(pageCtx, chromedp.Evaluate[[]string](fmt.Sprintf(`[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > %d).slice(0, 8).map(e => e.tagName + '.' + e.className)`, width)))
					t.Errorf("%s at %d px scrolls sideways: %d px wide; too wide: %v", page.path, width, scroll, wide)
				}
				screenshot, err := chromedp.Run(pageCtx, chromedp.FullScreenshot(90))
				if err != nil {
					t.Fatal(err)
				}
				file := filepath.Join(shots, fmt.Sprintf("%s-%d.png", page.name, width))
				if err := os.WriteFile(file, screenshot, 0o644); err != nil {
					t.Fatal(err)
				}
				t.Logf("screenshot: %s", file)
				violations, review := runAxeWithReview(t, pageCtx, axe)
				for _, v := range violations {
					var targets []string
					for _, n := range v.Nodes {
						targets = append(targets, fmt.Sprint(n.Target...))
					}
					t.Errorf("axe %s (%s): %s at %s", v.ID, v.Impact, v.Help, strings.Join(targets, ", "))
				}
				for _, v := range review {
					if v.ID != "color-contrast" {
						continue
					}
					var targets []string
					for _, n := range v.Nodes {
						targets = append(targets, fmt.Sprint(n.Target...))
					}
					t.Errorf("axe cannot work out the contrast of %d pieces of text (%s): %s", len(v.Nodes), v.Nodes[0].Any[0].Message, strings.Join(targets, ", "))
				}
			})
		}
	}
}

// TestBrowserShowAndTellPrintsASectionAPage prints the demo's show-and-tell
// of 0.1 to PDF: each of its five sections starts a page of its own.
func TestBrowserShowAndTellPrintsASectionAPage(t *testing.T) {
	browser := chromium(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := start(t, ctx, map[string]string{}, "--demo")
	var owner demo.Account
	for _, a := range demo.Accounts() {
		if a.Email == "owner@demo.sandpit.test" {
			owner = a
		}
	}
	browserCtx := newBrowser(t, ctx, browser)
	pageCtx, cancelPage := context.WithTimeout(browserCtx, 90*time.Second)
	defer cancelPage()
	signInThroughTheForm(t, pageCtx, s.URL, owner.Email, owner.Password)
	if err := chromedp.Do(pageCtx, chromedp.Navigate(s.URL+"/releases/2/show-and-tell"), chromedp.WaitReady("body")); err != nil {
		t.Fatal(err)
	}
	sections, err := chromedp.Run(pageCtx, chromedp.Evaluate[int](`document.querySelectorAll('.sandpit-slide').length`))
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := chromedp.Run(pageCtx, chromedp.Action[[]byte](func(ctx context.Context, tg *chromedp.Target) ([]byte, error) {
		res, err := cdp.Call(ctx, tg, page.PrintToPDF, page.PrintToPDFParams{})
		if err != nil {
			return nil, err
		}
		return res.Data, nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	// Each page of a PDF is a "/Type /Page" object ("/Pages" is their tree).
	pages := len(regexp.MustCompile(`/Type\s*/Page[^s]`).FindAll(pdf, -1))
	if sections != 5 || pages != sections {
		t.Errorf("%d sections printed on %d pages, want 5 on 5", sections, pages)
	}
}

// runAxeWithReview runs axe-core's WCAG 2.2 A and AA rules on the page in
// ctx and returns its violations and the checks it asks a person to review.
func runAxeWithReview(t *testing.T, ctx context.Context, axe []byte) (violations []axeViolation, review []axeReview) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](string(axe)+";true")); err != nil {
		t.Fatalf("inject axe-core: %v", err)
	}
	type result struct {
		Violations []axeViolation `json:"violations"`
		Incomplete []axeReview    `json:"incomplete"`
	}
	r, err := chromedp.Run(ctx, chromedp.Evaluate[result](
		fmt.Sprintf(`axe.run(document, {runOnly: {type: 'tag', values: %s}}).then(r => ({violations: r.violations, incomplete: r.incomplete}))`, jsonArray(axeTags)),
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("axe.run: %v", err)
	}
	return r.Violations, r.Incomplete
}

// axeReview is a check axe-core asks a person to review, with its reason.
type axeReview struct {
	ID    string `json:"id"`
	Nodes []struct {
		Target []any `json:"target"`
		Any    []struct {
			Message string `json:"message"`
		} `json:"any"`
	} `json:"nodes"`
}
