package sandpit

import (
	"testing"
	"time"
)

func TestMonthOfIsLondon(t *testing.T) {
	for _, c := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 10, 31, 23, 30, 0, 0, time.UTC), "2026-10"}, // GMT: still 31 October
		{time.Date(2026, 9, 30, 23, 30, 0, 0, time.UTC), "2026-10"},  // BST: 00:30 on 1 October
		{time.Date(2026, 9, 30, 22, 59, 59, 0, time.UTC), "2026-09"}, // BST: 23:59:59 on 30 September
		{time.Date(2026, 3, 31, 23, 0, 0, 0, time.UTC), "2026-04"},   // BST from 29 March: midnight on 1 April
		{time.Date(2026, 12, 31, 23, 59, 0, 0, time.UTC), "2026-12"},
	} {
		if got := MonthOf(c.at).String(); got != c.want {
			t.Errorf("MonthOf(%v) = %s, want %s", c.at, got, c.want)
		}
	}
	oct := Month{2026, time.October}
	if s, e := oct.Start().UTC(), oct.End().UTC(); !s.Equal(time.Date(2026, 9, 30, 23, 0, 0, 0, time.UTC)) || !e.Equal(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("October 2026 runs from %v to %v", s, e)
	}
	if p, n := (Month{2026, time.January}).Prev(), (Month{2026, time.December}).Next(); p.String() != "2025-12" || n.String() != "2027-01" {
		t.Errorf("Prev, Next = %s, %s", p, n)
	}
	for _, bad := range []string{"", "2026-13", "2026-1x", "26-10", "1999-12"} {
		if _, err := ParseMonth("month", bad); ErrorCode(err) != EINVALID {
			t.Errorf("ParseMonth(%q) = %v, want EINVALID", bad, err)
		}
	}
}

func TestShowAndTellSessionValidate(t *testing.T) {
	nov := Month{2026, time.November}
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		s    ShowAndTellSession
		want string // the first bad field, "" when valid
	}{
		{ShowAndTellSession{"2026-11-24", 23}, ""},
		{ShowAndTellSession{"2026-11-01", 1}, ""},
		{ShowAndTellSession{"2026-10-31", 5}, "on"}, // before the month
		{ShowAndTellSession{"2026-11-26", 5}, "on"}, // tomorrow
		{ShowAndTellSession{"2026-11-31", 5}, "on"},
		{ShowAndTellSession{"", 5}, "on"},
		{ShowAndTellSession{"2026-11-24", 0}, "attendees"},
	} {
		err := c.s.Validate(nov, now)
		got := ""
		if fields := FieldErrorsOf(err); len(fields) > 0 {
			got = fields[0].Field
		}
		if got != c.want {
			t.Errorf("%+v: field %q (%v), want %q", c.s, got, err, c.want)
		}
	}
}

func TestStaffCountValidate(t *testing.T) {
	n, zero, huge := 120, 0, MaxStaffCount+1
	for _, c := range []struct {
		s    StaffCount
		want int // field errors
	}{
		{StaffCount{&n, "ESR headcount, Nov 2026"}, 0},
		{StaffCount{nil, ""}, 0},
		{StaffCount{&n, "  "}, 1},
		{StaffCount{&zero, "x"}, 1},
		{StaffCount{&huge, "x"}, 1},
	} {
		if got := len(c.s.Validate()); got != c.want {
			t.Errorf("%+v: %d errors, want %d", c.s, got, c.want)
		}
	}
}
