package sandpit_test

import (
	"testing"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

func TestFindingFields(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 11, d, 9, 0, 0, 0, time.UTC) }
	at := func(d int) *time.Time { t := day(d); return &t }
	// A finding raised in 0.1 (published on the 1st) as a safety concern of
	// severity 4, reported again in 0.2 (published on the 10th) at severity 2
	// and not flagged.
	first := &sandpit.FindingReportFacts{Category: "content", Text: "The allergy banner hides the dose. I nearly gave the wrong one."}
	releases := []sandpit.FindingReleaseFacts{
		{ReleaseID: 1, Version: "0.1", PublishedAt: at(1), Reports: 1, Participants: 1, Severity: 4, SafetyConcern: true},
		{ReleaseID: 2, Version: "0.2", PublishedAt: at(10), Reports: 1, Participants: 1, Severity: 2},
	}
	three := 3
	tests := []struct {
		name  string
		facts sandpit.FindingFacts
		want  sandpit.FindingFields
	}{
		{"derived from every report, whatever release", sandpit.FindingFacts{State: sandpit.FindingState{Status: sandpit.FindingNew}, First: first, Releases: releases},
			sandpit.FindingFields{Title: "The allergy banner hides the dose", Category: "content", Severity: 4, SafetyConcern: true, Status: "new"}},
		{"the product owner's title and severity win, title untouched", sandpit.FindingFacts{
			State: sandpit.FindingState{Title: "Allergy banner covers the dose field on the drug chart, which is a long title kept whole", Severity: &three, Status: sandpit.FindingPlanned},
			First: first, Releases: releases},
			sandpit.FindingFields{Title: "Allergy banner covers the dose field on the drug chart, which is a long title kept whole", Category: "content", Severity: 3, SafetyConcern: true, Status: "planned"}},
		{"fixed before 0.2 was published and reported from 0.2: persisting", sandpit.FindingFacts{
			State: sandpit.FindingState{Status: sandpit.FindingFixed}, FixedAt: at(5), First: first, Releases: releases},
			sandpit.FindingFields{Title: "The allergy banner hides the dose", Category: "content", Severity: 4, SafetyConcern: true, Status: "persisting"}},
		{"fixed after 0.2 was published: fixed", sandpit.FindingFacts{
			State: sandpit.FindingState{Status: sandpit.FindingFixed}, FixedAt: at(12), First: first, Releases: releases},
			sandpit.FindingFields{Title: "The allergy banner hides the dose", Category: "content", Severity: 4, SafetyConcern: true, Status: "fixed"}},
		{"no reports: only what was curated", sandpit.FindingFacts{State: sandpit.FindingState{Status: sandpit.FindingAccepted}},
			sandpit.FindingFields{Status: "accepted"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.facts.Fields(); got != tt.want {
				t.Errorf("Fields() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestReportTitle(t *testing.T) {
	tests := []struct{ text, want string }{
		{"  The allergy banner is hidden.  It should be at the top.", "The allergy banner is hidden"},
		{"Where is the button?", "Where is the button"},
		{"The dose field on the prescribing screen sits under the allergy banner and cannot be read at all",
			"The dose field on the prescribing screen sits under the allergy banner and ca…"},
	}
	for _, tt := range tests {
		if got := sandpit.ReportTitle(tt.text); got != tt.want {
			t.Errorf("ReportTitle(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}
