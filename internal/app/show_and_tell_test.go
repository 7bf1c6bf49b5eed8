package app

import (
	"testing"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

func TestShowAndTellPicks(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 3, d, 9, 0, 0, 0, time.UTC) }
	at := func(d int) *time.Time { v := day(d); return &v }
	// legacy published on the 2nd, 0.1 on the 10th, 0.2 on the 20th; 0.3 a
	// draft made on the 21st and 0.4 one made on the 25th. Newest first, as
	// a workflow lists them.
	releases := []sandpit.ReleaseSummary{
		{ID: 5, Version: "0.4", Status: sandpit.StatusDraft, CreatedAt: day(25)},
		{ID: 4, Version: "0.3", Status: sandpit.StatusDraft, CreatedAt: day(21)},
		{ID: 3, Version: "0.2", Status: sandpit.StatusOpen, CreatedAt: day(12), PublishedAt: at(20)},
		{ID: 2, Version: "0.1", Status: sandpit.StatusClosed, CreatedAt: day(5), PublishedAt: at(10)},
		{ID: 1, Version: "legacy", Status: sandpit.StatusClosed, CreatedAt: day(1), PublishedAt: at(2)},
	}
	rel := func(id int64, created int, published *time.Time) *sandpit.Release {
		r := &sandpit.Release{CreatedAt: day(created), PublishedAt: published}
		r.ID = id
		return r
	}
	for _, c := range []struct {
		name           string
		rel            *sandpit.Release
		next, previous string
	}{
		{"legacy: 0.1 was made next; nothing before", rel(1, 1, at(2)), "0.1", ""},
		{"0.1: 0.2, open, was made next", rel(2, 5, at(10)), "0.2", "legacy"},
		{"0.2: the draft 0.3, not the newer 0.4", rel(3, 12, at(20)), "0.3", "0.1"},
		{"0.4: nothing after it", rel(5, 25, nil), "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			next, previous := adjacentReleases(releases, c.rel)
			version := func(s *sandpit.ReleaseSummary) string {
				if s == nil {
					return ""
				}
				return s.Version
			}
			if version(next) != c.next || version(previous) != c.previous {
				t.Errorf("next %q, previous %q; want %q, %q", version(next), version(previous), c.next, c.previous)
			}
		})
	}

	evidence := func(ids ...int64) []store.FindingEvidence {
		var out []store.FindingEvidence
		for _, id := range ids {
			out = append(out, store.FindingEvidence{ReleaseID: id})
		}
		return out
	}
	all := []store.FindingSummary{
		{ID: 10, Title: "planned, said in 0.1", Status: sandpit.FindingPlanned, Evidence: evidence(2)},
		{ID: 11, Title: "fixed on the 15th, said in 0.1", Status: sandpit.FindingFixed, FixedAt: at(15), Evidence: evidence(2)},
		{ID: 12, Title: "fixed on the 5th, before 0.1 was out", Status: sandpit.FindingFixed, FixedAt: at(5), Evidence: evidence(1)},
		{ID: 13, Title: "planned, said only in 0.2", Status: sandpit.FindingPlanned, Evidence: evidence(3)},
		{ID: 14, Title: "won't fix, said in 0.1", Status: sandpit.FindingWontFix, Evidence: evidence(2)},
		{ID: 15, Title: "persisting, said in legacy and 0.2", Status: sandpit.FindingPersisting, FixedAt: at(15), Evidence: evidence(1, 3)},
		{ID: 16, Title: "new, said in 0.1", Status: sandpit.FindingNew, Evidence: evidence(2)},
	}
	for _, c := range []struct {
		name string
		rel  *sandpit.Release
		want []int64
	}{
		// 0.2's show-and-tell: since 0.1 came out on the 10th.
		{"0.2", rel(3, 12, at(20)), []int64{10, 11, 13}},
		// 0.1's: since legacy on the 2nd; 0.2's reports came later.
		{"0.1", rel(2, 5, at(10)), []int64{10, 11, 12}},
	} {
		t.Run("you said, we did at "+c.name, func(t *testing.T) {
			_, previous := adjacentReleases(releases, c.rel)
			var got []int64
			for _, f := range youSaidWeDid(all, releases, c.rel, previous) {
				got = append(got, f.ID)
			}
			if len(got) != len(c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Fatalf("got %v, want %v", got, c.want)
				}
			}
		})
	}
}
