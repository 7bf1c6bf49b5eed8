package export

import (
	"fmt"
	"testing"
)

func TestYearsBand(t *testing.T) {
	for years, want := range map[int]string{0: "0-2", 2: "0-2", 3: "3-5", 5: "3-5", 6: "6-10", 10: "6-10", 11: "11-20", 20: "11-20", 21: "21+", 45: "21+"} {
		if got := YearsBand(&years); got != want {
			t.Errorf("YearsBand(%d) = %q, want %q", years, got, want)
		}
	}
	if YearsBand(nil) != "" {
		t.Error("a missing value is not blank")
	}
}

// TestSuppress runs the rule on a crafted set whose answer is worked out by
// hand in the comments.
func TestSuppress(t *testing.T) {
	ids := map[string]QuasiIDs{}
	add := func(prefix string, n int, q QuasiIDs) {
		for i := range n {
			ids[fmt.Sprintf("%s%d", prefix, i)] = q
		}
	}
	// Six nurses alike: a group of 6, untouched.
	add("nurse", 6, QuasiIDs{"nurse", "acute", "3-5", "2"})
	// Three doctors differing only in familiarity, and two more doctors of
	// another years band. Round 1: all five are in groups of 1, so each
	// loses familiarity → {doctor acute 6-10 ""} ×3 and {doctor acute 11-20
	// ""} ×2, still small. Round 2: each loses years → {doctor acute "" ""}
	// ×5, a group of 5: done. 10 cells blanked.
	add("docA", 1, QuasiIDs{"doctor", "acute", "6-10", "1"})
	add("docB", 1, QuasiIDs{"doctor", "acute", "6-10", "3"})
	add("docC", 1, QuasiIDs{"doctor", "acute", "6-10", "5"})
	add("docD", 2, QuasiIDs{"doctor", "acute", "11-20", "4"})
	// One midwife on her own, with no years given: round 1 blanks
	// familiarity, round 2 skips the blank years and blanks setting, round 3
	// blanks profession: all four blank, 3 cells.
	add("midwife", 1, QuasiIDs{"midwife", "community", "", "2"})
	got, blanked := Suppress(ids)
	want := map[string]QuasiIDs{
		"nurse0":   {"nurse", "acute", "3-5", "2"},
		"docA0":    {"doctor", "acute", "", ""},
		"docD1":    {"doctor", "acute", "", ""},
		"midwife0": {"", "", "", ""},
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %q, want %q", k, got[k], w)
		}
	}
	if blanked != 13 {
		t.Errorf("blanked %d cells, want 13", blanked)
	}
	groups := map[QuasiIDs]int{}
	for _, q := range got {
		groups[q]++
	}
	for q, n := range groups {
		if n < MinGroup && q != (QuasiIDs{}) {
			t.Errorf("%q is held by %d participants", q, n)
		}
	}
}
