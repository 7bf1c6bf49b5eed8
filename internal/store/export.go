package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
)

// The export iterators below stream the rows of API.md's export tables for
// a scope of releases (a release export passes one id, a workflow export
// every release of the workflow), calling back once per row and never
// loading a whole table. Only trials whose participant consented to
// research use count anywhere; withdrawn trials are already deleted. Each
// row carries the internal user and workflow ids only so the export package
// can pseudonymise them: they are never written out.

// ExportParticipant is one consented trial: a row of the participants table.
type ExportParticipant struct {
	UserID            int64
	WorkflowID        int64
	ReleaseID         int64
	Release           string // the release's version label
	Profession        *string
	Setting           *string
	YearsExperience   *int
	LegacyFamiliarity *int
	ConsentVersion    int
	StartedAt         time.Time // consent, which starts the trial
	CompletedAt       *time.Time
}

// ExportAttempt is one attempt at a task: a row of the attempts table.
type ExportAttempt struct {
	UserID        int64
	WorkflowID    int64
	ReleaseID     int64
	Release       string
	Task          string
	Outcome       string // "" while the attempt has no outcome
	DurationMs    *int64 // nil without an outcome
	Clicks        int
	Misclicks     int
	Interruptions int
	Path          []string `gorm:"-"` // screen keys shown, in order
	Ease          *int
	Comment       string
	ListClicks    int       // clicks from the list of links: the attempt is assisted when any
	StartedAt     time.Time // when "Start task" was pressed
}

// ExportClick is one recorded click: a row of the clicks table.
type ExportClick struct {
	UserID     int64
	WorkflowID int64
	ReleaseID  int64
	Release    string
	Task       string
	Seq        int
	TMs        int64 // since the attempt started, pauses excluded
	Screen     string
	Via        string // sandpit.ViaPointer or sandpit.ViaList
	X, Y       int    // for a list click, the centre of the link's area
	Hit        bool
	Target     string // "" for a miss
}

// ExportReport is one problem report: a row of the reports table.
type ExportReport struct {
	ReportID      int64
	UserID        int64
	WorkflowID    int64
	ReleaseID     int64
	Release       string
	Task          string // "" when no task was being attempted
	Screen        string
	X, Y          int
	Category      string
	Severity      int
	SafetyConcern bool
	Text          string
	FindingID     int64
}

// ExportSUS is one trial's System Usability Scale answers: a row of the sus
// table. Trials without answers have no row.
type ExportSUS struct {
	UserID     int64
	WorkflowID int64
	ReleaseID  int64
	Release    string
	Answers    []int // the ten answers, 1 to 5
	Score      float64
}

// ExportFinding is what one release contributed to one finding: a row of
// the findings table.
type ExportFinding struct {
	FindingID  int64
	WorkflowID int64
	ReleaseID  int64
	Release    string
	// Title, Category, Severity, SafetyConcern and Status follow the
	// finding rule over the finding's consented reports of every release.
	Title         string
	Category      string
	Severity      int
	SafetyConcern bool
	Status        string
	Participants  int // distinct consented trials of the release with a report in it
	Frequency     float64
	Response      string
}

// exportRows runs query with releaseIDs as its one argument and calls scan
// on each row in turn. Rows are scanned by hand, column by column: gorm's
// reflection per row would cost more than the rest of an export.
func exportRows(ctx context.Context, s *Store, what, query string, releaseIDs []int64, scan func(*sql.Rows) error) error {
	if len(releaseIDs) == 0 {
		return nil
	}
	rows, err := s.read.WithContext(ctx).Raw(query, releaseIDs).Rows()
	if err != nil {
		return fmt.Errorf("store: export %s: %w", what, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return fmt.Errorf("store: export %s: %w", what, err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: export %s: %w", what, err)
	}
	return nil
}

// ExportParticipants calls each with every consented trial of the releases,
// by release then trial.
func (s *Store) ExportParticipants(ctx context.Context, releaseIDs []int64, each func(ExportParticipant) error) error {
	return exportRows(ctx, s, "participants", `SELECT t.user_id, rel.workflow_id, rel.id AS release_id, rel.version AS release,
			u.profession, u.setting, u.years_experience, u.legacy_familiarity,
			t.consent_version, t.consented_at AS started_at, t.completed_at
		FROM trials t JOIN releases rel ON rel.id = t.release_id JOIN users u ON u.id = t.user_id
		WHERE t.release_id IN ? AND `+consentFilter("t", true)+`
		ORDER BY rel.id, t.id`, releaseIDs, func(rows *sql.Rows) error {
		var p ExportParticipant
		if err := rows.Scan(&p.UserID, &p.WorkflowID, &p.ReleaseID, &p.Release, &p.Profession, &p.Setting, &p.YearsExperience,
			&p.LegacyFamiliarity, &p.ConsentVersion, &p.StartedAt, &p.CompletedAt); err != nil {
			return err
		}
		return each(p)
	})
}

// ExportAttempts calls each with every attempt of a consented trial of the
// releases, by release, trial and task order.
func (s *Store) ExportAttempts(ctx context.Context, releaseIDs []int64, each func(ExportAttempt) error) error {
	return exportRows(ctx, s, "attempts", `SELECT t.user_id, rel.workflow_id, rel.id AS release_id, rel.version AS release,
			a.task_key AS task, a.outcome, a.duration_ms, a.clicks, a.misclicks, a.interruptions, a.path AS path_json, a.ease, a.comment,
			a.list_clicks, a.started_at
		FROM attempts a JOIN trials t ON t.id = a.trial_id JOIN releases rel ON rel.id = t.release_id
		LEFT JOIN tasks tk ON tk.release_id = rel.id AND tk.key = a.task_key
		WHERE t.release_id IN ? AND `+consentFilter("t", true)+`
		ORDER BY rel.id, t.id, tk.position, a.id`, releaseIDs, func(rows *sql.Rows) error {
		var a ExportAttempt
		var path []byte
		if err := rows.Scan(&a.UserID, &a.WorkflowID, &a.ReleaseID, &a.Release, &a.Task, &a.Outcome, &a.DurationMs,
			&a.Clicks, &a.Misclicks, &a.Interruptions, &path, &a.Ease, &a.Comment, &a.ListClicks, &a.StartedAt); err != nil {
			return err
		}
		if err := json.Unmarshal(path, &a.Path); err != nil {
			return fmt.Errorf("path of %s: %w", a.Task, err)
		}
		if a.Outcome == "" {
			a.DurationMs = nil
		}
		return each(a)
	})
}

// ExportClicks calls each with every click of a consented trial of the
// releases, by release, trial, task order and sequence number.
func (s *Store) ExportClicks(ctx context.Context, releaseIDs []int64, each func(ExportClick) error) error {
	return exportRows(ctx, s, "clicks", `SELECT t.user_id, rel.workflow_id, rel.id AS release_id, rel.version AS release,
			a.task_key AS task, c.seq, c.t_ms, c.screen, c.via, c.x, c.y, c.hit, c.target
		FROM clicks c JOIN attempts a ON a.id = c.attempt_id JOIN trials t ON t.id = a.trial_id JOIN releases rel ON rel.id = t.release_id
		LEFT JOIN tasks tk ON tk.release_id = rel.id AND tk.key = a.task_key
		WHERE t.release_id IN ? AND `+consentFilter("t", true)+`
		ORDER BY rel.id, t.id, tk.position, a.id, c.seq`, releaseIDs, func(rows *sql.Rows) error {
		var c ExportClick
		if err := rows.Scan(&c.UserID, &c.WorkflowID, &c.ReleaseID, &c.Release, &c.Task, &c.Seq, &c.TMs, &c.Screen,
			&c.Via, &c.X, &c.Y, &c.Hit, &c.Target); err != nil {
			return err
		}
		return each(c)
	})
}

// ExportReports calls each with every report of a consented trial of the
// releases, by release then report.
func (s *Store) ExportReports(ctx context.Context, releaseIDs []int64, each func(ExportReport) error) error {
	return exportRows(ctx, s, "reports", `SELECT r.id AS report_id, t.user_id, rel.workflow_id, rel.id AS release_id, rel.version AS release,
			r.task_key AS task, r.screen, r.x, r.y, r.category, r.severity, r.safety_concern, r.text, r.finding_id
		FROM reports r JOIN trials t ON t.id = r.trial_id JOIN releases rel ON rel.id = t.release_id
		WHERE t.release_id IN ? AND `+consentFilter("t", true)+`
		ORDER BY rel.id, r.id`, releaseIDs, func(rows *sql.Rows) error {
		var r ExportReport
		if err := rows.Scan(&r.ReportID, &r.UserID, &r.WorkflowID, &r.ReleaseID, &r.Release, &r.Task, &r.Screen, &r.X, &r.Y,
			&r.Category, &r.Severity, &r.SafetyConcern, &r.Text, &r.FindingID); err != nil {
			return err
		}
		return each(r)
	})
}

// ExportSUS calls each with the SUS answers of every consented trial of the
// releases that gave them, by release then trial.
func (s *Store) ExportSUS(ctx context.Context, releaseIDs []int64, each func(ExportSUS) error) error {
	return exportRows(ctx, s, "sus", `SELECT t.user_id, rel.workflow_id, rel.id AS release_id, rel.version AS release, t.sus, t.sus_score
		FROM trials t JOIN releases rel ON rel.id = t.release_id
		WHERE t.release_id IN ? AND `+consentFilter("t", true)+` AND t.sus IS NOT NULL AND t.sus_score IS NOT NULL
		ORDER BY rel.id, t.id`, releaseIDs, func(rows *sql.Rows) error {
		var row ExportSUS
		var answers []byte
		if err := rows.Scan(&row.UserID, &row.WorkflowID, &row.ReleaseID, &row.Release, &answers, &row.Score); err != nil {
			return err
		}
		if err := json.Unmarshal(answers, &row.Answers); err != nil {
			return fmt.Errorf("answers of release %d: %w", row.ReleaseID, err)
		}
		return each(row)
	})
}

// ExportFindings calls each with what every release contributed to each
// finding, counting consented trials only, by release then finding. A
// finding's fields follow the finding rule over its consented reports of
// every release, so that no words of a clinician who declined research use
// reach the export.
func (s *Store) ExportFindings(ctx context.Context, releaseIDs []int64, each func(ExportFinding) error) error {
	if len(releaseIDs) == 0 {
		return nil
	}
	db := s.read.WithContext(ctx)
	facts, err := findingFacts(db, true, `f.id IN (SELECT er.finding_id FROM reports er JOIN trials et ON et.id = er.trial_id
		WHERE et.release_id IN ? AND `+consentFilter("et", true)+`)`, releaseIDs)
	if err != nil {
		return fmt.Errorf("store: export findings: %w", err)
	}
	var counts []struct {
		ReleaseID int64
		N         int
	}
	if err := db.Raw(`SELECT t.release_id, COUNT(*) AS n FROM trials t WHERE t.release_id IN ? AND `+consentFilter("t", true)+` GROUP BY t.release_id`, releaseIDs).Scan(&counts).Error; err != nil {
		return fmt.Errorf("store: export findings: %w", err)
	}
	trials := map[int64]int{}
	for _, c := range counts {
		trials[c.ReleaseID] = c.N
	}
	var rows []ExportFinding
	for _, f := range facts {
		fields := f.Fields()
		for _, rel := range f.Releases {
			if !slices.Contains(releaseIDs, rel.ReleaseID) {
				continue
			}
			row := ExportFinding{FindingID: f.ID, WorkflowID: f.workflowID, ReleaseID: rel.ReleaseID, Release: rel.Version, Title: fields.Title,
				Category: fields.Category, Severity: fields.Severity, SafetyConcern: fields.SafetyConcern, Status: fields.Status,
				Participants: rel.Participants, Response: f.State.Response}
			if n := trials[rel.ReleaseID]; n > 0 {
				row.Frequency = float64(row.Participants) / float64(n)
			}
			rows = append(rows, row)
		}
	}
	slices.SortFunc(rows, func(a, b ExportFinding) int {
		return cmp.Or(cmp.Compare(a.ReleaseID, b.ReleaseID), cmp.Compare(a.FindingID, b.FindingID))
	})
	for _, row := range rows {
		if err := each(row); err != nil {
			return fmt.Errorf("store: export findings: %w", err)
		}
	}
	return nil
}

// Snapshot calls fn with a store whose reads all see the database as it was
// at one moment, so that an export's tables agree with each other (every
// attempt's participant is in participants, and so on) while trials go on.
// The snapshot holds one read connection until fn returns; fn must only read.
func (s *Store) Snapshot(ctx context.Context, fn func(*Store) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if s.dialect == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	return s.read.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return fn(&Store{dialect: s.dialect, write: s.write, read: tx, prepared: tx, now: s.now, batcher: s.batcher, hot: s.hot})
	}, opts)
}

// ExportTask is a task of a release as its product team wrote it: a row of
// the tasks table. It is authored content, not participant data.
type ExportTask struct {
	ReleaseID      int64
	Release        string
	Task           string
	Title          string
	Scenario       string
	StartScreen    string
	SuccessScreens []string
	OptimalPath    []string
	DailyFrequency float64
}

// ExportScreen is a screen of a release: a row of the screens table.
type ExportScreen struct {
	ReleaseID     int64
	Release       string
	Screen        string
	Title         string
	Width, Height int
}

// ExportTasks calls each with every task of the releases, by release then
// the task's place in its release.
func (s *Store) ExportTasks(ctx context.Context, releaseIDs []int64, each func(ExportTask) error) error {
	return exportRows(ctx, s, "tasks", `SELECT rel.id AS release_id, rel.version AS release, tk.key, tk.title, tk.scenario, tk.start_key,
			tk.success_keys, tk.optimal_path, tk.daily_frequency
		FROM tasks tk JOIN releases rel ON rel.id = tk.release_id
		WHERE tk.release_id IN ?
		ORDER BY rel.id, tk.position, tk.id`, releaseIDs, func(rows *sql.Rows) error {
		var t ExportTask
		var success, path string
		if err := rows.Scan(&t.ReleaseID, &t.Release, &t.Task, &t.Title, &t.Scenario, &t.StartScreen, &success, &path, &t.DailyFrequency); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(success), &t.SuccessScreens); err != nil {
			return fmt.Errorf("success screens of task %s of release %d: %w", t.Task, t.ReleaseID, err)
		}
		if err := json.Unmarshal([]byte(path), &t.OptimalPath); err != nil {
			return fmt.Errorf("optimal path of task %s of release %d: %w", t.Task, t.ReleaseID, err)
		}
		return each(t)
	})
}

// ExportScreens calls each with every screen of the releases, by release
// then the screen's place in its release.
func (s *Store) ExportScreens(ctx context.Context, releaseIDs []int64, each func(ExportScreen) error) error {
	return exportRows(ctx, s, "screens", `SELECT rel.id AS release_id, rel.version AS release, sc.key, sc.title, sc.width, sc.height
		FROM screens sc JOIN releases rel ON rel.id = sc.release_id
		WHERE sc.release_id IN ?
		ORDER BY rel.id, sc.position, sc.id`, releaseIDs, func(rows *sql.Rows) error {
		var sc ExportScreen
		if err := rows.Scan(&sc.ReleaseID, &sc.Release, &sc.Screen, &sc.Title, &sc.Width, &sc.Height); err != nil {
			return err
		}
		return each(sc)
	})
}
