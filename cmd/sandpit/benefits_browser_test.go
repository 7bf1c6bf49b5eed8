package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// TestBrowserBenefitsAndMonthlyShowAndTell opens every page of the benefits
// case and the monthly show-and-tell on the demo, at 1280 and 390 pixels
// wide, with a screenshot and axe-core each, and prints the benefits page to
// an A4 PDF, which must be one page.
func TestBrowserBenefitsAndMonthlyShowAndTell(t *testing.T) {
	v := visitDemo(t)
	axe, shots, s, passwords, browserCtx := v.axe, v.shots, v.server, v.passwords, v.browser

	last := sandpit.MonthOf(time.Now()).Prev()
	owner, admin := "owner@demo.sandpit.test", "admin@demo.sandpit.test"
	pages := []struct {
		name, path, as string
		// fill sets fields (selector → value) and submit clicks the button
		// of that form, to show its errors.
		fill   map[string]string
		submit string
	}{
		{name: "benefits-admin", path: "/benefits", as: admin},
		{name: "show-and-tell-month", path: "/teams/1/show-and-tell?month=" + last.String(), as: admin},
		{name: "benefits-owner", path: "/benefits", as: owner},
		{name: "show-and-tell-month-before", path: "/teams/1/show-and-tell?month=" + last.Prev().String(), as: owner},
		{name: "show-and-tell-second-team", path: "/teams/2/show-and-tell?month=" + last.String(), as: owner},
		{name: "show-and-tell-this-month", path: "/teams/1/show-and-tell", as: owner},
		{name: "show-and-tell-errors", path: "/teams/1/show-and-tell", as: owner,
			fill: map[string]string{"#on": "31", "#on-month": "2", "#on-year": "2026", "#attendees": "none"}, submit: "#held form"},
		{name: "show-and-tell-archive", path: "/teams/1/show-and-tells", as: owner},
		{name: "workflow-staff-count", path: "/workflows/1", as: owner},
		{name: "workflow-staff-count-errors", path: "/workflows/1", as: owner,
			fill: map[string]string{"#staff_count": "lots", "#staff_count_source": ""}, submit: `form[action="/workflows/1/staff-count"]`},
	}
	signedInAs := ""
	for _, width := range []int64{1280, 390} {
		for _, p := range pages {
			name := fmt.Sprintf("%s-%d", p.name, width)
			t.Run(name, func(t *testing.T) {
				pageCtx, cancel := context.WithTimeout(browserCtx, 90*time.Second)
				defer cancel()
				if p.as != signedInAs {
					signInThroughTheForm(t, pageCtx, s.URL, p.as, passwords[p.as])
					signedInAs = p.as
				}
				if err := chromedp.Do(pageCtx, chromedp.EmulateViewport(width, 900), chromedp.Navigate(s.URL+p.path), chromedp.WaitReady("body")); err != nil {
					t.Fatalf("%s: %v\n%s", p.path, err, s.Stdout.String())
				}
				if p.submit != "" {
					var actions []chromedp.Action[chromedp.Void]
					for sel, v := range p.fill {
						set := fmt.Sprintf(`document.querySelector(%q).value = %q; true`, sel, v)
						actions = append(actions, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
							_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](set))
							return err
						}))
					}
					actions = append(actions, chromedp.Click(p.submit+" .nhsuk-button"), chromedp.WaitVisible(".nhsuk-error-summary"))
					if err := chromedp.Do(pageCtx, actions...); err != nil {
						t.Fatalf("submit %s on %s and see its errors: %v", p.submit, p.path, err)
					}
				}
				shot, err := chromedp.Run(pageCtx, chromedp.FullScreenshot(100))
				if err != nil {
					t.Fatal(err)
				}
				file := filepath.Join(shots, name+".png")
				if err := os.WriteFile(file, shot, 0o644); err != nil {
					t.Fatal(err)
				}
				t.Logf("screenshot: %s", file)
				overflow, err := chromedp.Run(pageCtx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
				if err != nil {
					t.Fatal(err)
				}
				if overflow {
					t.Errorf("%s scrolls sideways at %d px", p.path, width)
				}
				for _, v := range runAxe(t, pageCtx, axe) {
					var targets []string
					for _, n := range v.Nodes {
						targets = append(targets, fmt.Sprint(n.Target...))
					}
					t.Errorf("axe %s (%s): %s at %s", v.ID, v.Impact, v.Help, strings.Join(targets, ", "))
				}
			})
		}
	}

	t.Run("the benefits page prints on one A4 page", func(t *testing.T) {
		pageCtx, cancel := context.WithTimeout(browserCtx, 90*time.Second)
		defer cancel()
		signInThroughTheForm(t, pageCtx, s.URL, admin, passwords[admin])
		if err := chromedp.Do(pageCtx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(s.URL+"/benefits"), chromedp.WaitReady("body")); err != nil {
			t.Fatal(err)
		}
		// A4, with the margins of the page's own @page rule.
		pdf, err := chromedp.Run(pageCtx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4),
			func(p *page.PrintToPDFParams) { prefer := true; p.PreferCSSPageSize = &prefer }))
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(shots, "benefits-print.pdf")
		if err := os.WriteFile(file, pdf, 0o644); err != nil {
			t.Fatal(err)
		}
		// What the printed page looks like, for people to check: A4's width
		// at 96 pixels an inch, less the page's margins, in print media.
		err = chromedp.Do(pageCtx, chromedp.EmulateViewport(703, 1000), chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
			return err
		}))
		var preview []byte
		if err == nil {
			preview, err = chromedp.Run(pageCtx, chromedp.FullScreenshot(100))
		}
		if err == nil {
			err = os.WriteFile(filepath.Join(shots, "benefits-print-preview.png"), preview, 0o644)
		}
		if err != nil {
			t.Error(err)
		}
		if n := pdfPages(pdf); n != 1 {
			t.Errorf("the printed benefits page has %d pages, want 1 (%s)", n, file)
		}
		if !bytes.Contains(pdf, []byte("%PDF-")) {
			t.Errorf("not a PDF")
		}
	})
}

// pdfPageObject matches a PDF page object (not the /Pages tree).
var pdfPageObject = regexp.MustCompile(`/Type\s*/Page[^s]`)

// pdfPages counts the pages of a PDF as Chromium writes it: one /Type /Page
// object a page, uncompressed.
func pdfPages(pdf []byte) int { return len(pdfPageObject.FindAll(pdf, -1)) }
