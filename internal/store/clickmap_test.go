package store

import (
	"context"
	"testing"
)

func TestClickPointsAndPathCounts(t *testing.T) {
	s := openForTest(t)
	g := generate(t, s, 12, 2, 4)
	ctx := context.Background()
	points, err := s.ClickPoints(ctx, g.release, false)
	if err != nil {
		t.Fatal(err)
	}
	total, hits := 0, 0
	for screen, list := range points {
		if screen != "a" {
			t.Errorf("clicks on screen %q", screen)
		}
		for _, p := range list {
			total += p.N
			if p.Hit {
				hits += p.N
			}
		}
	}
	if total != g.clicks || hits == 0 || hits == total {
		t.Errorf("points cover %d clicks (%d hits), want %d with hits and misclicks", total, hits, g.clicks)
	}
	paths, err := s.PathCounts(ctx, g.release, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 2 {
		t.Fatalf("paths = %v", paths)
	}
	for task, list := range paths {
		if len(list) != 1 || list[0].N != g.trials || len(list[0].Path) != 3 || list[0].Path[2] != "done" {
			t.Errorf("%s: paths = %+v, want every trial on a, b, done", task, list)
		}
	}
	quotes, err := s.FindingQuotes(ctx, nil, false)
	if err != nil || len(quotes) != 0 {
		t.Errorf("quotes of nothing = %v, %v", quotes, err)
	}
}
