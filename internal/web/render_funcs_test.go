package web

import (
	"testing"
	"time"
)

func TestLondonTime(t *testing.T) {
	for _, c := range []struct {
		name string
		at   time.Time
		want string
	}{
		// Winter: London keeps Greenwich Mean Time, UTC+0.
		{"GMT in December", time.Date(2026, 12, 1, 16, 40, 0, 0, time.UTC), "1 Dec 2026, 16:40 GMT"},
		// Summer: British Summer Time, UTC+1, so the evening hour moves on
		// and, near midnight, the day too.
		{"BST in June", time.Date(2026, 6, 1, 16, 40, 0, 0, time.UTC), "1 Jun 2026, 17:40 BST"},
		{"BST across midnight", time.Date(2026, 7, 31, 23, 30, 0, 0, time.UTC), "1 Aug 2026, 00:30 BST"},
		// The clocks go forward at 01:00 UTC on the last Sunday of March.
		{"the last minute of GMT in spring", time.Date(2026, 3, 29, 0, 59, 0, 0, time.UTC), "29 Mar 2026, 00:59 GMT"},
		{"the first minute of BST in spring", time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC), "29 Mar 2026, 02:00 BST"},
		{"a time stored in another zone", time.Date(2026, 12, 1, 11, 40, 0, 0, time.FixedZone("EST", -5*3600)), "1 Dec 2026, 16:40 GMT"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := londonTime(c.at); got != c.want {
				t.Errorf("londonTime(%s) = %q, want %q", c.at, got, c.want)
			}
		})
	}
}

func TestPlural(t *testing.T) {
	for _, c := range []struct {
		n         any
		want      string
		wantError bool
	}{
		{0, "0 attempts", false},
		{1, "1 attempt", false},
		{2, "2 attempts", false},
		{int64(1), "1 attempt", false},
		{int64(21), "21 attempts", false},
		{"1", "1 attempt", false}, // report views hold counts as text
		{"12", "12 attempts", false},
		{"one", "", true},
		{1.0, "", true},
	} {
		got, err := pluralOf(c.n, "attempt", "attempts")
		if got != c.want || (err != nil) != c.wantError {
			t.Errorf("pluralOf(%#v) = %q, %v; want %q, error %v", c.n, got, err, c.want, c.wantError)
		}
	}
}
