package sandpit_test

import (
	"encoding/json"
	"testing"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// FuzzDefinitionImport reads any bytes as a release definition, as the
// import does: it never panics, and a definition that validates holds only
// hotspots whose bounds cannot overflow.
func FuzzDefinitionImport(f *testing.F) {
	good, _ := json.Marshal(runnable())
	f.Add(good)
	f.Add([]byte(`{"version":"1","screens":[{"key":"a","title":"A","image":"data:image/png;base64,iVBORw0KGgo=","hotspots":[{"x":1,"y":1,"w":9223372036854775807,"h":9223372036854775807,"target":"a"}]}],"tasks":[]}`))
	f.Add([]byte(`{"version":"\u0000","screens":[{"key":"a","hotspots":[{"x":-9223372036854775808}]}]}`))
	f.Add([]byte(`{"screens":null,"tasks":[{"key":"t","optimal_path":[],"daily_frequency":-1}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var d sandpit.Definition
		if json.Unmarshal(data, &d) != nil {
			return
		}
		valid := d.Validate() == nil
		for i := range d.Screens {
			// As if every image were the largest allowed.
			d.Screens[i].Width, d.Screens[i].Height = sandpit.MaxImageSide, sandpit.MaxImageSide
		}
		d.PublishProblems()
		for _, s := range d.Screens {
			for _, h := range s.Hotspots {
				if valid && (h.X > sandpit.MaxImageSide || h.W > sandpit.MaxImageSide || h.Y > sandpit.MaxImageSide || h.H > sandpit.MaxImageSide) {
					t.Fatalf("valid definition holds hotspot %+v", h)
				}
				if h.Within(s.Width, s.Height) && !h.Contains(h.X, h.Y) {
					t.Fatalf("hotspot %+v within its image does not contain its corner", h)
				}
			}
			s.Hit(0, 0)
			s.Hit(s.Width-1, s.Height-1)
		}
		if valid && len(data) < 1<<16 {
			d.CheckImagesWith(sandpit.NewDecoders(1))
		}
	})
}
