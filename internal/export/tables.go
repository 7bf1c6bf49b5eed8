package export

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// Names of the export tables, as API.md lists them.
const (
	TableParticipants = "participants"
	TableAttempts     = "attempts"
	TableClicks       = "clicks"
	TableReports      = "reports"
	TableSUS          = "sus"
	TableFindings     = "findings"
	TableTasks        = "tasks"
	TableScreens      = "screens"
	TableCodebook     = "codebook"
)

// DataTableNames lists the eight data tables in API.md's order.
func DataTableNames() []string {
	return []string{TableParticipants, TableAttempts, TableClicks, TableReports, TableSUS, TableFindings, TableTasks, TableScreens}
}

// TableNames lists every export table in API.md's order: the eight data
// tables, then the codebook.
func TableNames() []string {
	return append(DataTableNames(), TableCodebook)
}

var columns = map[string][]string{
	TableParticipants: {"participant_id", "profession", "setting", "years_experience", "legacy_familiarity", "consent_version", "release", "started_at", "completed_at"},
	TableAttempts:     {"participant_id", "release", "task", "outcome", "duration_ms", "clicks", "misclicks", "interruptions", "path", "ease", "comment", "assisted", "started_at"},
	TableClicks:       {"participant_id", "release", "task", "seq", "t_ms", "screen", "x", "y", "hit", "target", "via"},
	TableReports:      {"report_id", "participant_id", "release", "task", "screen", "x", "y", "category", "severity", "safety_concern", "text", "finding_id"},
	TableSUS:          {"participant_id", "release", "q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9", "q10", "score"},
	TableFindings:     {"finding_id", "release", "title", "category", "severity", "status", "safety_concern", "participants", "frequency", "response"},
	TableTasks:        {"release", "task", "title", "scenario", "start_screen", "success_screens", "optimal_path", "daily_frequency"},
	TableScreens:      {"release", "screen", "title", "width", "height"},
	TableCodebook:     {"table", "column", "type", "unit", "label", "values"},
}

// Columns returns table's columns in API.md's exact order, or nil for an
// unknown table.
func Columns(table string) []string {
	return append([]string(nil), columns[table]...)
}

// RowFunc produces a table's rows one at a time, calling yield with each
// row's cells and stopping at the first error.
type RowFunc func(yield func([]string) error) error

// Table is one export table: its name, columns and a stream of rows whose
// cells are text, "" for a missing value, times in RFC 3339 UTC, booleans
// "true"/"false" and paths joined by ">".
type Table struct {
	Name    string
	Columns []string
	Rows    RowFunc
}

// DataTables returns the eight data tables of the releases, pseudonymising
// participants with secret. Rows are read from s only when a table's Rows
// runs, and streamed. The tables are for one goroutine.
func DataTables(ctx context.Context, s *store.Store, secret []byte, releaseIDs []int64) []Table {
	ids := append([]int64(nil), releaseIDs...)
	// Pseudonyms are remembered: a participant has many rows, and a keyed
	// hash per click row would cost more than writing the row.
	pseudonyms := map[[2]int64]string{}
	pid := func(workflowID, userID int64) string {
		key := [2]int64{workflowID, userID}
		p, ok := pseudonyms[key]
		if !ok {
			p = Pseudonym(secret, workflowID, userID)
			pseudonyms[key] = p
		}
		return p
	}
	return []Table{
		{TableParticipants, Columns(TableParticipants), func(yield func([]string) error) error {
			// Two passes: the quasi-identifiers shown depend on every
			// participant of the export (API.md).
			profiles := map[[2]int64]QuasiIDs{}
			err := s.ExportParticipants(ctx, ids, func(p store.ExportParticipant) error {
				profiles[[2]int64{p.WorkflowID, p.UserID}] = QuasiIDs{optText(p.Profession), optText(p.Setting), YearsBand(p.YearsExperience),
					optInt(p.LegacyFamiliarity)}
				return nil
			})
			if err != nil {
				return wrap(TableParticipants, err)
			}
			shown, _ := Suppress(profiles)
			return wrap(TableParticipants, s.ExportParticipants(ctx, ids, func(p store.ExportParticipant) error {
				q := shown[[2]int64{p.WorkflowID, p.UserID}]
				return yield([]string{pid(p.WorkflowID, p.UserID), q[quasiProfession], q[quasiSetting], q[quasiYears], q[quasiFamiliarity],
					strconv.Itoa(p.ConsentVersion), p.Release, datetime(p.StartedAt), optDatetime(p.CompletedAt)})
			}))
		}},
		{TableAttempts, Columns(TableAttempts), func(yield func([]string) error) error {
			return wrap(TableAttempts, s.ExportAttempts(ctx, ids, func(a store.ExportAttempt) error {
				return yield([]string{pid(a.WorkflowID, a.UserID), a.Release, a.Task, a.Outcome, optInt64(a.DurationMs),
					strconv.Itoa(a.Clicks), strconv.Itoa(a.Misclicks), strconv.Itoa(a.Interruptions), Path(a.Path), optInt(a.Ease), a.Comment,
					strconv.FormatBool(a.ListClicks > 0), datetime(a.StartedAt)})
			}))
		}},
		{TableClicks, Columns(TableClicks), func(yield func([]string) error) error {
			return wrap(TableClicks, s.ExportClicks(ctx, ids, func(c store.ExportClick) error {
				// A click from the list of links has no point of its own.
				x, y := "", ""
				if c.Via != sandpit.ViaList {
					x, y = strconv.Itoa(c.X), strconv.Itoa(c.Y)
				}
				return yield([]string{pid(c.WorkflowID, c.UserID), c.Release, c.Task, strconv.Itoa(c.Seq), strconv.FormatInt(c.TMs, 10),
					c.Screen, x, y, strconv.FormatBool(c.Hit), c.Target, c.Via})
			}))
		}},
		{TableReports, Columns(TableReports), func(yield func([]string) error) error {
			return wrap(TableReports, s.ExportReports(ctx, ids, func(r store.ExportReport) error {
				return yield([]string{strconv.FormatInt(r.ReportID, 10), pid(r.WorkflowID, r.UserID), r.Release, r.Task, r.Screen,
					strconv.Itoa(r.X), strconv.Itoa(r.Y), r.Category, strconv.Itoa(r.Severity), strconv.FormatBool(r.SafetyConcern),
					r.Text, strconv.FormatInt(r.FindingID, 10)})
			}))
		}},
		{TableSUS, Columns(TableSUS), func(yield func([]string) error) error {
			return wrap(TableSUS, s.ExportSUS(ctx, ids, func(r store.ExportSUS) error {
				row := make([]string, 0, 13)
				row = append(row, pid(r.WorkflowID, r.UserID), r.Release)
				for i := range 10 {
					cell := ""
					if i < len(r.Answers) {
						cell = strconv.Itoa(r.Answers[i])
					}
					row = append(row, cell)
				}
				return yield(append(row, number(r.Score)))
			}))
		}},
		{TableFindings, Columns(TableFindings), func(yield func([]string) error) error {
			return wrap(TableFindings, s.ExportFindings(ctx, ids, func(f store.ExportFinding) error {
				return yield([]string{strconv.FormatInt(f.FindingID, 10), f.Release, f.Title, f.Category, strconv.Itoa(f.Severity), f.Status,
					strconv.FormatBool(f.SafetyConcern), strconv.Itoa(f.Participants), number(f.Frequency), f.Response})
			}))
		}},
		// Tasks and screens are the product team's own words and sizes:
		// nothing in them is about a participant.
		{TableTasks, Columns(TableTasks), func(yield func([]string) error) error {
			return wrap(TableTasks, s.ExportTasks(ctx, ids, func(t store.ExportTask) error {
				return yield([]string{t.Release, t.Task, t.Title, t.Scenario, t.StartScreen, Path(t.SuccessScreens), Path(t.OptimalPath), number(t.DailyFrequency)})
			}))
		}},
		{TableScreens, Columns(TableScreens), func(yield func([]string) error) error {
			return wrap(TableScreens, s.ExportScreens(ctx, ids, func(sc store.ExportScreen) error {
				return yield([]string{sc.Release, sc.Screen, sc.Title, strconv.Itoa(sc.Width), strconv.Itoa(sc.Height)})
			}))
		}},
	}
}

// CodebookTable returns the codebook as an export table.
func CodebookTable() Table {
	return Table{TableCodebook, Columns(TableCodebook), func(yield func([]string) error) error {
		for _, c := range Codebook() {
			if err := yield([]string{c.Table, c.Column, c.Type, c.Unit, c.Label, c.ValuesText()}); err != nil {
				return err
			}
		}
		return nil
	}}
}

func wrap(table string, err error) error {
	if err != nil {
		return fmt.Errorf("export: %s: %w", table, err)
	}
	return nil
}

// Path joins screen keys, such as an attempt's path, with ">".
func Path(keys []string) string { return strings.Join(keys, ">") }

func optText(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func optInt(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}

func optInt64(n *int64) string {
	if n == nil {
		return ""
	}
	return strconv.FormatInt(*n, 10)
}

func number(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func datetime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func optDatetime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return datetime(*t)
}
