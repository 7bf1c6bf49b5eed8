package web

import (
	"testing"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

func TestProblemFix(t *testing.T) {
	tests := []struct {
		name string
		p    sandpit.Problem
		want string
	}{
		{"a hotspot outside its image: its position", sandpit.Problem{Kind: sandpit.ProblemHotspotOutside, Screen: "list", Hotspot: 2}, "/releases/7/screens/list#x-1"},
		{"a hotspot leading nowhere: where it leads", sandpit.Problem{Kind: sandpit.ProblemHotspotTarget, Screen: "list", Hotspot: 1}, "/releases/7/screens/list#target-0"},
		{"a missing link: a new hotspot leading there", sandpit.Problem{Kind: sandpit.ProblemNoLink, Screen: "ward-list", Target: "signed-off"}, "/releases/7/screens/ward-list?leads_to=signed-off#fix"},
		{"a task's start", sandpit.Problem{Kind: sandpit.ProblemStartMissing, Task: "sign-off"}, "/releases/7/tasks/sign-off#start"},
		{"a task's success screens", sandpit.Problem{Kind: sandpit.ProblemNoSuccess, Task: "sign-off"}, "/releases/7/tasks/sign-off#success"},
		{"a task's path", sandpit.Problem{Kind: sandpit.ProblemPathEnd, Task: "sign-off"}, "/releases/7/tasks/sign-off#optimal_path"},
		{"no task", sandpit.Problem{Kind: sandpit.ProblemNoTasks}, "/releases/7/tasks/new"},
		{"no screen", sandpit.Problem{Kind: sandpit.ProblemNoScreens}, "/releases/7#add-screen"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := problemFix(7, tt.p); got != tt.want {
				t.Errorf("problemFix = %q, want %q", got, tt.want)
			}
		})
	}
}
