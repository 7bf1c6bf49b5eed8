package app_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/sandpit-nhs/sandpit/internal/app"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// TestOverflowingHotspotRefused holds issue 14's reproduction: a hotspot
// whose x + w wraps a 64-bit integer passed publish, and the task could
// then only be given up.
func TestOverflowingHotspotRefused(t *testing.T) {
	w := newWorld(t)
	owner := w.actors[kindOwner]
	t.Run("in an imported definition", func(t *testing.T) {
		def := testDefinition(t, "0.9")
		def.Screens[0].Hotspots[0].X, def.Screens[0].Hotspots[0].W = 1, math.MaxInt64
		_, err := w.app.Authoring.ImportRelease(w.ctx, owner, w.workflow, def)
		if got := codes(err); got["screens[0].hotspots[0].w"] != sandpit.FieldOutOfRange {
			t.Errorf("err = %v, codes %v", err, got)
		}
	})
	t.Run("in the hotspot form", func(t *testing.T) {
		err := w.app.Authoring.SaveHotspots(w.ctx, owner, w.draft("0.8"), "list", []app.HotspotInput{
			{Row: 0, X: "1", Y: "1", W: "9223372036854775807", H: "9223372036854775807", Target: "record"},
		})
		got := codes(err)
		if got["hotspots[0].w"] != sandpit.FieldOutOfRange || got["hotspots[0].h"] != sandpit.FieldOutOfRange {
			t.Errorf("err = %v, codes %v", err, got)
		}
	})
}

// TestScreensAddedOneByOneKeepThePixelBudget: the pixel budget of an
// imported definition holds for screens uploaded one at a time too.
func TestScreensAddedOneByOneKeepThePixelBudget(t *testing.T) {
	w := newWorld(t)
	owner := w.actors[kindOwner]
	draft := w.draft("0.7")
	// Full-size screens stored as such, without paying for their images.
	small := pngBytes(t, 8, 8)
	for i := range sandpit.MaxDefinitionPixels / (sandpit.MaxImageSide * sandpit.MaxImageSide) {
		img := &sandpit.CheckedImage{Data: small, ContentType: "image/png", Width: sandpit.MaxImageSide, Height: sandpit.MaxImageSide}
		w.must(w.st.AddScreen(w.ctx, draft, fmt.Sprintf("big%d", i), "Big", img))
	}
	_, err := w.app.Authoring.AddScreen(w.ctx, owner, draft, app.ScreenInput{Key: "one-more", Title: "One more", Image: pngBytes(t, 10, 10)})
	if got := codes(err); got["image"] != sandpit.FieldPixels {
		t.Errorf("err = %v, codes %v", err, got)
	}
	// Replacing a screen's image counts the new one instead of the old.
	if err := w.app.Authoring.UpdateScreen(w.ctx, owner, draft, "big0", app.ScreenInput{Title: "Smaller", Image: pngBytes(t, 10, 10)}); err != nil {
		t.Errorf("replacing with a smaller image: %v", err)
	}
}
