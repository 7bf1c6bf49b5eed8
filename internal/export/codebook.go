package export

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// Column types of the codebook.
const (
	TypeString   = "string"
	TypeInteger  = "integer"
	TypeNumber   = "number"
	TypeBoolean  = "boolean"
	TypeDatetime = "datetime"
)

// Value is one allowed value of a column and what it means.
type Value struct {
	Value   string `json:"value"`
	Meaning string `json:"meaning"`
}

// Column describes one column of one export table.
type Column struct {
	Table  string  `json:"table"`
	Column string  `json:"column"`
	Type   string  `json:"type"`
	Unit   string  `json:"unit"`
	Label  string  `json:"label"`
	Values []Value `json:"values"`
	// ValuesComplete reports whether Values are every value the column may
	// hold, rather than explaining some of them (such as a scale's ends).
	ValuesComplete bool `json:"values_complete,omitempty"`
	// Required reports whether the column is never empty.
	Required bool `json:"required,omitempty"`
	// Minimum and Maximum bound a numeric column's values; nil is unbounded.
	Minimum *float64 `json:"minimum,omitempty"`
	Maximum *float64 `json:"maximum,omitempty"`
}

// required marks c as never empty.
func (c *Column) required() *Column {
	c.Required = true
	return c
}

// complete marks c's Values as every value it may hold.
func (c *Column) complete() *Column {
	c.ValuesComplete = true
	return c
}

// atLeast gives c a minimum.
func (c *Column) atLeast(minimum float64) *Column {
	c.Minimum = &minimum
	return c
}

// between gives c a minimum and a maximum.
func (c *Column) between(minimum, maximum float64) *Column {
	c.Maximum = &maximum
	return c.atLeast(minimum)
}

// ValuesText is the column's allowed values as one codebook cell:
// "value = meaning" pairs joined by "; ".
func (c Column) ValuesText() string {
	parts := make([]string, len(c.Values))
	for i, v := range c.Values {
		parts[i] = v.Value + " = " + v.Meaning
	}
	return strings.Join(parts, "; ")
}

// FormulaNote explains the CSV formula neutralisation; every free-text
// column's label ends with it.
const FormulaNote = "In CSV files a text cell starting with =, +, -, @, a tab, a carriage return or an apostrophe is prefixed with one apostrophe (') so spreadsheets do not run it as a formula; remove that one apostrophe to recover the text. CSV line breaks inside text are written as CRLF (read back as a line feed). JSON and XLSX hold the text unchanged; XLSX marks such cells as text."

// Codebook returns every column of every export table, in API.md's order:
// the eight data tables, then the codebook itself.
func Codebook() []Column {
	var cols []*Column
	add := func(table, column, typ, unit, label string, values ...Value) *Column {
		c := &Column{Table: table, Column: column, Type: typ, Unit: unit, Label: label, Values: nonNil(values)}
		cols = append(cols, c)
		return c
	}
	freeText := func(label string) string { return label + " " + FormulaNote }
	participant := "The participant's pseudonym: a keyed hash, stable within a workflow and unlinkable across workflows. Never a name, email or internal id."
	release := "The version label of the release the trial took."
	task := "The key of the task of the release."
	missing := " Empty when missing."
	suppressed := fmt.Sprintf(" Also empty where showing it would leave the participant's combination of profession, setting, years of experience and familiarity"+
		" held by fewer than %d participants of this export (see the README).", MinGroup)

	add(TableParticipants, "participant_id", TypeString, "", participant).required()
	add(TableParticipants, "profession", TypeString, "", "The clinician's profession, from their profile."+missing+suppressed, options(sandpit.Professions())...).complete()
	add(TableParticipants, "setting", TypeString, "", "The care setting the clinician works in, from their profile."+missing+suppressed, options(sandpit.Settings())...).complete()
	add(TableParticipants, "years_experience", TypeString, "", "The clinician's years of clinical experience, from their profile, as a band."+missing+suppressed,
		bands()...).complete()
	add(TableParticipants, "legacy_familiarity", TypeInteger, "", "How familiar the clinician is with the legacy system, from their profile, 1 to 5."+missing+suppressed,
		Value{"1", "never used it"}, Value{"5", "expert"}).between(1, 5)
	add(TableParticipants, "consent_version", TypeInteger, "", "The version of the workflow's consent text the participant agreed to.").required().atLeast(1)
	add(TableParticipants, "release", TypeString, "", release).required()
	add(TableParticipants, "started_at", TypeDatetime, "", "When the participant consented and the trial started, RFC 3339 UTC.").required()
	add(TableParticipants, "completed_at", TypeDatetime, "", "When the participant finished the trial, RFC 3339 UTC. Empty while unfinished.")

	add(TableAttempts, "participant_id", TypeString, "", participant).required()
	add(TableAttempts, "release", TypeString, "", release).required()
	add(TableAttempts, "task", TypeString, "", task).required()
	add(TableAttempts, "outcome", TypeString, "", "How the attempt ended. Empty while it has no outcome.",
		Value{string(sandpit.OutcomeDirect), "reached a success screen along the optimal path, no other screen shown"},
		Value{string(sandpit.OutcomeIndirect), "reached a success screen another way"},
		Value{string(sandpit.OutcomeGaveUp), "gave up (\"I'm stuck\")"}).complete()
	add(TableAttempts, "duration_ms", TypeInteger, "ms", "Time from the start of the attempt to its outcome (the success click or giving up), pauses excluded, at least 1. Empty without an outcome.").atLeast(1)
	add(TableAttempts, "clicks", TypeInteger, "clicks", "Clicks recorded in the attempt, on the screen image or from the list of links.").required().atLeast(0)
	add(TableAttempts, "misclicks", TypeInteger, "clicks", "Clicks on the screen image that hit no hotspot.").required().atLeast(0)
	add(TableAttempts, "interruptions", TypeInteger, "pauses", "Pauses of the attempt: the participant said they were interrupted, or was idle longer than 30 minutes.").required().atLeast(0)
	add(TableAttempts, "path", TypeString, "", "The screen keys shown during the attempt, in order from the start screen, joined by \">\".").required()
	add(TableAttempts, "ease", TypeInteger, "", "The Single Ease Question rating of the task. Empty when not rated.",
		Value{"1", "very difficult"}, Value{"7", "very easy"}).between(1, 7)
	add(TableAttempts, "comment", TypeString, "", freeText("The participant's optional comment on the task, as typed; line breaks kept. Empty when none."))
	add(TableAttempts, "assisted", TypeBoolean, "", "Whether any click of the attempt came from the list of the screen's links (for keyboard and screen-reader use) rather than the screen image.",
		booleans("at least one click came from the list of links", "every click was on the screen image")...).required().complete()
	add(TableAttempts, "started_at", TypeDatetime, "", "When the participant pressed \"Start task\", having read the scenario, RFC 3339 UTC.").required()

	add(TableClicks, "participant_id", TypeString, "", participant).required()
	add(TableClicks, "release", TypeString, "", release).required()
	add(TableClicks, "task", TypeString, "", task).required()
	add(TableClicks, "seq", TypeInteger, "", "The click's sequence number within the attempt, from 1.").required().atLeast(1)
	add(TableClicks, "t_ms", TypeInteger, "ms", "Time of the click since the attempt started, pauses excluded.").required().atLeast(0)
	add(TableClicks, "screen", TypeString, "", "The key of the screen clicked on.").required()
	add(TableClicks, "x", TypeInteger, "px", "Horizontal position of the click in screen image pixels, from the left edge. Empty for a click from the list of links.").atLeast(0)
	add(TableClicks, "y", TypeInteger, "px", "Vertical position of the click in screen image pixels, from the top edge. Empty for a click from the list of links.").atLeast(0)
	add(TableClicks, "hit", TypeBoolean, "", "Whether the click hit a hotspot.", booleans("the click hit a hotspot", "the click hit no hotspot (a misclick)")...).required().complete()
	add(TableClicks, "target", TypeString, "", "The key of the screen the hotspot led to. Empty for a misclick.")
	add(TableClicks, "via", TypeString, "", "How the click was made.",
		Value{sandpit.ViaPointer, "on the screen image, at the point x, y"},
		Value{sandpit.ViaList, "from the list of the screen's links (for keyboard and screen-reader use); x and y are empty"}).required().complete()

	add(TableReports, "report_id", TypeInteger, "", "The report's id, unique within this Sandpit.").required()
	add(TableReports, "participant_id", TypeString, "", participant).required()
	add(TableReports, "release", TypeString, "", release).required()
	add(TableReports, "task", TypeString, "", "The key of the task being attempted when the report was made. Empty when none.")
	add(TableReports, "screen", TypeString, "", "The key of the screen the report is pinned to.").required()
	add(TableReports, "x", TypeInteger, "px", "Horizontal position of the pin in screen image pixels, from the left edge.").required().atLeast(0)
	add(TableReports, "y", TypeInteger, "px", "Vertical position of the pin in screen image pixels, from the top edge.").required().atLeast(0)
	add(TableReports, "category", TypeString, "", "The kind of problem reported.", categories()...).required().complete()
	add(TableReports, "severity", TypeInteger, "", "How severe the participant judged the problem.", severities()...).required().complete().between(1, 4)
	add(TableReports, "safety_concern", TypeBoolean, "", "Whether the participant flagged a patient safety concern.", booleans("a safety concern was flagged", "no safety concern was flagged")...).required().complete()
	add(TableReports, "text", TypeString, "", freeText("What the participant described, as typed; line breaks kept.")).required()
	add(TableReports, "finding_id", TypeInteger, "", "The finding the report was grouped into (see the findings table).").required()

	add(TableSUS, "participant_id", TypeString, "", participant).required()
	add(TableSUS, "release", TypeString, "", release).required()
	for i, statement := range sandpit.SUSStatements() {
		add(TableSUS, fmt.Sprintf("q%d", i+1), TypeInteger, "", fmt.Sprintf("System Usability Scale statement %d: %q", i+1, statement),
			Value{"1", "strongly disagree"}, Value{"2", "disagree"}, Value{"3", "neither agree nor disagree"}, Value{"4", "agree"}, Value{"5", "strongly agree"}).required().complete().between(1, 5)
	}
	add(TableSUS, "score", TypeNumber, "points", "The System Usability Scale score, 0 to 100: odd statements score answer − 1, even statements 5 − answer, the sum times 2.5.").required().between(0, 100)

	add(TableFindings, "finding_id", TypeInteger, "", "The finding's id, unique within this Sandpit; one row per release that contributed reports to it.").required()
	add(TableFindings, "release", TypeString, "", release).required()
	add(TableFindings, "title", TypeString, "", freeText("The product team's title for the finding, else the first sentence of its earliest consented report from any release.")).required()
	add(TableFindings, "category", TypeString, "", "The category of the finding's earliest consented report.", categories()...).required().complete()
	add(TableFindings, "severity", TypeInteger, "", "The product team's severity, else the highest severity of the finding's consented reports from any release.", severities()...).required().complete().between(1, 4)
	statuses := []Value{}
	for _, st := range append(sandpit.FindingStatuses(), sandpit.FindingPersisting) {
		statuses = append(statuses, Value{st, sandpit.FindingStatusLabel(st)})
	}
	statuses[len(statuses)-1].Meaning += ": marked fixed, then reported again from a release published after that"
	add(TableFindings, "status", TypeString, "", "Where the product team has taken the finding.", statuses...).required().complete()
	add(TableFindings, "safety_concern", TypeBoolean, "", "Whether any consented report in the finding, from any release, flagged a patient safety concern.", booleans("a safety concern was flagged", "no safety concern was flagged")...).required().complete()
	add(TableFindings, "participants", TypeInteger, "participants", "Distinct consenting participants of the release with a report in the finding.").required().atLeast(0)
	add(TableFindings, "frequency", TypeNumber, "proportion", "participants divided by the consenting participants of the release, 0 to 1.").required().between(0, 1)
	add(TableFindings, "response", TypeString, "", freeText("The product team's response to the finding (\"you said, we did\"). Empty when none."))

	authored := "The version label of the release."
	add(TableTasks, "release", TypeString, "", authored).required()
	add(TableTasks, "task", TypeString, "", "The task's key, unique within its release: the task column of the attempts, clicks and reports tables.").required()
	add(TableTasks, "title", TypeString, "", freeText("The task's title, as the product team wrote it.")).required()
	add(TableTasks, "scenario", TypeString, "", freeText("The scenario participants read before starting the task, as the product team wrote it, about synthetic patients only. Empty when none."))
	add(TableTasks, "start_screen", TypeString, "", "The key of the screen the task starts on (see the screens table).").required()
	add(TableTasks, "success_screens", TypeString, "", "The keys of the screens that complete the task, joined by \">\".").required()
	add(TableTasks, "optimal_path", TypeString, "", "The keys of the screens of the task's best path, from the start screen to a success screen, joined by \">\": an attempt that shows exactly these, in order, is direct.").required()
	add(TableTasks, "daily_frequency", TypeNumber, "times a day", "How often a staff member does the task on a working day, as the product team estimated it: the time saved per staff member a year is worked out from it.").required().atLeast(0)

	add(TableScreens, "release", TypeString, "", authored).required()
	add(TableScreens, "screen", TypeString, "", "The screen's key, unique within its release: the screen and target columns of the clicks table, the screen column of the reports table and the keys in paths.").required()
	add(TableScreens, "title", TypeString, "", freeText("The screen's title, as the product team wrote it.")).required()
	add(TableScreens, "width", TypeInteger, "px", "The width of the screen image in pixels: clicks' and reports' x run from 0 to width − 1.").required().atLeast(1)
	add(TableScreens, "height", TypeInteger, "px", "The height of the screen image in pixels: clicks' and reports' y run from 0 to height − 1.").required().atLeast(1)

	add(TableCodebook, "table", TypeString, "", "The export table the column belongs to.").required()
	add(TableCodebook, "column", TypeString, "", "The column's name, as in the table's header.").required()
	add(TableCodebook, "type", TypeString, "", "The column's type. Every table: an empty cell is a missing value.",
		Value{TypeString, "text"}, Value{TypeInteger, "whole number"}, Value{TypeNumber, "decimal number, '.' as decimal point"},
		Value{TypeBoolean, "true or false"}, Value{TypeDatetime, "RFC 3339 date and time in UTC"}).required().complete()
	add(TableCodebook, "unit", TypeString, "", "The column's unit (ms: milliseconds, px: screen image pixels). Empty when it has none.")
	add(TableCodebook, "label", TypeString, "", "What the column holds.").required()
	add(TableCodebook, "values", TypeString, "", "The column's allowed values with their meanings, \"value = meaning\" joined by \"; \". Empty when any value of its type is allowed.")
	out := make([]Column, len(cols))
	for i, c := range cols {
		out[i] = *c
	}
	return out
}

// tableColumns returns the codebook's columns of table by name.
func tableColumns(table string) map[string]Column {
	cols := map[string]Column{}
	for _, c := range Codebook() {
		if c.Table == table {
			cols[c.Column] = c
		}
	}
	return cols
}

func nonNil(v []Value) []Value {
	if v == nil {
		return []Value{}
	}
	return v
}

func options(values []string) []Value {
	out := make([]Value, len(values))
	for i, v := range values {
		out[i] = Value{v, sandpit.OptionLabel(v)}
	}
	return out
}

func bands() []Value {
	var out []Value
	for _, b := range YearsBands() {
		out = append(out, Value{b, b + " years"})
	}
	return out
}

func categories() []Value {
	var out []Value
	for _, c := range sandpit.ReportCategories() {
		out = append(out, Value{c, sandpit.CategoryLabel(c)})
	}
	return out
}

func severities() []Value {
	var out []Value
	for s := 1; s <= 4; s++ {
		out = append(out, Value{strconv.Itoa(s), sandpit.SeverityLabel(s)})
	}
	return out
}

func booleans(yes, no string) []Value {
	return []Value{{"true", yes}, {"false", no}}
}
