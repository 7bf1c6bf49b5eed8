package demo

import (
	"fmt"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// SecondTeamName is the demo's second product team.
const SecondTeamName = "Prescribing Safety"

// SecondWorkflowTitle is the demo's second workflow: a job of prescribers,
// on the same ward system's screens.
const SecondWorkflowTitle = "Checking allergies before prescribing"

// SecondWorkflowDescription says what the second demo workflow is for.
const SecondWorkflowDescription = "Before prescribing an antibiotic, a prescriber checks the patient's allergies. " +
	"In the legacy system allergies sit on the Alerts tab; the new design shows them on the patient summary."

// SecondConsentText is the second demo workflow's participant information.
const SecondConsentText = `Participant information: allergy check usability trial

You are invited to try a prototype of how a prescriber checks a patient's allergies. The patients are synthetic: nothing you do touches a real record.

We record your clicks, the time each task takes, your ratings and any problems you report. You can stop at any time and withdraw afterwards; your data for the trial is then deleted.`

// allergyReleases are the second workflow's releases, oldest first: the
// legacy system (the baseline) and 1.0, the redesign with allergies on the
// patient summary, each with the allergy task only.
func allergyReleases() ([]sandpit.Definition, error) {
	defs, err := Releases()
	if err != nil {
		return nil, err
	}
	pick := func(def sandpit.Definition, version, notes string) (sandpit.Definition, error) {
		def.Version, def.Notes = version, notes
		task := def.Task(allergyTaskKey)
		if task == nil {
			return def, fmt.Errorf("demo: release %s has no allergy task", version)
		}
		task.DailyFrequency = 8 // a prescriber checks allergies several times a day
		def.Tasks = []sandpit.Task{*task}
		return def, nil
	}
	legacy, err := pick(defs[0], "legacy", "Today's ward system as it is, recorded as the baseline: allergies are on the Alerts tab of the patient summary.")
	if err != nil {
		return nil, err
	}
	redesign, err := pick(defs[2], "1.0", "Allergies at the top of the patient summary and in the patient banner on every screen.")
	if err != nil {
		return nil, err
	}
	return []sandpit.Definition{legacy, redesign}, nil
}
