package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/sandpit-nhs/sandpit/internal/findings"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

type reportRow struct {
	ID            int64
	TrialID       int64
	TaskKey       string
	Screen        string
	X, Y          int
	Category      string
	Severity      int
	SafetyConcern bool
	Text          string
	CreatedAt     time.Time
	FindingID     int64
	Words         *string // findings.WordList of Text; nil for reports stored before 0009_write_path
}

func (reportRow) TableName() string { return "reports" }

type findingRow struct {
	ID         int64
	WorkflowID int64
	Title      string
	Severity   *int
	Status     string
	Response   string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	FixedAt    *time.Time
}

func (findingRow) TableName() string { return "findings" }

// CreateReport stores a validated report of the trial in w, joining it to
// the finding METRICS.md's grouping picks or starting one. Reports go
// through the group commit as a set: many share one fsync.
func (s *Store) CreateReport(ctx context.Context, w TrialWrite, workflowID int64, r sandpit.Report) (*sandpit.Report, error) {
	screen := w.Def.Screen(r.Screen)
	if screen == nil {
		return nil, sandpit.Invalid("Check the report.", sandpit.Unknown("screen", "screen"))
	}
	op := &reportOp{w: w, workflowID: workflowID, report: r, screen: screen, words: findings.WordList(r.Text), now: s.now}
	if err := s.enqueueRetried(ctx, func() *batchOp { return &batchOp{report: op} }); err != nil {
		return nil, fmt.Errorf("store: create report: %w", err)
	}
	out := op.report
	return &out, nil
}

// candidateQuery finds the reports a new report may join.
type candidateQuery struct {
	workflowID int64
	report     sandpit.Report
	words      []string // the report's word set
	limit      float64  // the pin distance of METRICS.md on the report's screen
}

// read reads the candidates with ids from lo to hi: the reports of the
// workflow with the report's screen and category that are pinned within
// the limit (by the box around it), or share at least half of its words,
// or have no word set (stored before 0009_write_path). Only those can
// join: a Jaccard similarity |A∩B| / |A∪B| of 0.5 needs |A∩B| ≥ |A∪B| / 2
// ≥ |A| / 2. Each kind is found by its own index (reports_pin,
// report_words, reports_without_words).
func (c candidateQuery) read(db *gorm.DB, lo, hi int64) ([]findings.Candidate, error) {
	r := c.report
	// The circle is kept a little wide (one more squared pixel), so that
	// rounding never leaves out a pin that grouping finds within the limit.
	ids := `SELECT id FROM reports WHERE screen = ? AND category = ? AND x BETWEEN ? AND ? AND y BETWEEN ? AND ? AND id BETWEEN ? AND ?
			AND (x - ?) * (x - ?) + (y - ?) * (y - ?) <= ?
		UNION SELECT id FROM reports WHERE screen = ? AND category = ? AND words IS NULL AND id BETWEEN ? AND ?`
	args := []any{r.Screen, r.Category, float64(r.X) - c.limit, float64(r.X) + c.limit, float64(r.Y) - c.limit, float64(r.Y) + c.limit, lo, hi,
		r.X, r.X, r.Y, r.Y, int64(c.limit*c.limit) + 1,
		r.Screen, r.Category, lo, hi}
	if len(c.words) > 0 {
		ids += `
		UNION SELECT report_id FROM report_words WHERE workflow_id = ? AND screen = ? AND category = ? AND word IN ? AND report_id BETWEEN ? AND ?
			GROUP BY report_id HAVING COUNT(*) >= ?`
		args = append(args, c.workflowID, r.Screen, r.Category, c.words, lo, hi, (len(c.words)+1)/2)
	}
	args = append(args, c.workflowID)
	// CROSS JOIN keeps SQLite from reading every report of the screen to
	// test it against the list: it looks up each report of the list by id.
	// A report's text is needed only when it has no word set.
	rows, err := db.Raw(`SELECT r.finding_id, r.x, r.y, CASE WHEN r.words IS NULL THEN r.text ELSE '' END, r.words
		FROM reports r CROSS JOIN findings f
		WHERE r.id IN (`+ids+`) AND f.id = r.finding_id AND f.workflow_id = ?`, args...).Rows()
	if err != nil {
		return nil, err
	}
	return c.scan(rows)
}

// scan reads candidates from rows of finding id, x, y, text and word list.
func (c candidateQuery) scan(rows *sql.Rows) ([]findings.Candidate, error) {
	r := c.report
	defer rows.Close()
	var candidates []findings.Candidate
	for rows.Next() {
		c := findings.Candidate{Pinned: findings.Pinned{Screen: r.Screen, Category: r.Category}}
		var list *string
		if err := rows.Scan(&c.FindingID, &c.X, &c.Y, &c.Text, &list); err != nil {
			return nil, err
		}
		c.FindingOrder = c.FindingID
		if list != nil {
			c.Words = findings.ParseWordList(*list)
		}
		candidates = append(candidates, c)
	}
	return candidates, rows.Err()
}

// storeWords writes the word rows of report id, in one statement.
func (c candidateQuery) storeWords(tx *gorm.DB, id int64) error {
	if len(c.words) == 0 {
		return nil
	}
	values := make([]string, len(c.words))
	args := make([]any, 0, 5*len(c.words))
	for i, w := range c.words {
		values[i] = "(?, ?, ?, ?, ?)"
		args = append(args, c.workflowID, c.report.Screen, c.report.Category, w, id)
	}
	return tx.Exec(`INSERT INTO report_words (workflow_id, screen, category, word, report_id) VALUES `+strings.Join(values, ", "), args...).Error
}

// Feedback is one of a clinician's reports with what became of it.
type Feedback struct {
	ReportID        int64
	ReleaseID       int64
	Version         string
	WorkflowTitle   string
	TaskKey         string
	Screen          string
	Category        string
	Severity        int
	SafetyConcern   bool
	Text            string
	CreatedAt       time.Time
	FindingID       int64
	FindingTitle    string // the product owner's; "" while they have set none
	FindingStatus   string
	FindingResponse string
	TrialID         int64
}

// FeedbackOf returns every report user userID made, newest first.
func (s *Store) FeedbackOf(ctx context.Context, userID int64) ([]Feedback, error) {
	var list []Feedback
	err := s.read.WithContext(ctx).Raw(`SELECT r.id AS report_id, rel.id AS release_id, rel.version, w.title AS workflow_title,
			r.task_key, r.screen, r.category, r.severity, r.safety_concern, r.text, r.created_at,
			f.id AS finding_id, f.response AS finding_response, t.id AS trial_id
		FROM reports r
		JOIN trials t ON t.id = r.trial_id
		JOIN releases rel ON rel.id = t.release_id
		JOIN workflows w ON w.id = rel.workflow_id
		JOIN findings f ON f.id = r.finding_id
		WHERE t.user_id = ?
		ORDER BY r.created_at DESC, r.id DESC`, userID).Scan(&list).Error
	if err != nil {
		return nil, fmt.Errorf("store: feedback of %d: %w", userID, err)
	}
	ids := make([]int64, len(list))
	for i, f := range list {
		ids[i] = f.FindingID
	}
	facts, err := findingFactsOf(s.read.WithContext(ctx), ids)
	if err != nil {
		return nil, err
	}
	for i, f := range list {
		// The title only once the product owner has written one: the one
		// made from the earliest report may be another clinician's words
		// (API.md, /me/feedback).
		list[i].FindingTitle, list[i].FindingStatus = facts[f.FindingID].State.Title, facts[f.FindingID].Fields().Status
	}
	return list, nil
}
