package store

import (
	"context"
	"fmt"
	"math"
	"slices"
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
// the finding METRICS.md's grouping picks or starting one, in one
// transaction.
func (s *Store) CreateReport(ctx context.Context, w TrialWrite, workflowID int64, r sandpit.Report) (*sandpit.Report, error) {
	screen := w.Def.Screen(r.Screen)
	if screen == nil {
		return nil, sandpit.Invalid("Check the report.", sandpit.Unknown("screen", "screen"))
	}
	words := findings.WordList(r.Text)
	limit := findings.PinShare * math.Hypot(float64(screen.Width), float64(screen.Height))
	// Only a report pinned within limit, or sharing at least half of this
	// report's words, can join: a Jaccard similarity |A∩B| / |A∪B| of 0.5
	// needs |A∩B| ≥ |A∪B| / 2 ≥ |A| / 2.
	near := `(r.x BETWEEN ? AND ? AND r.y BETWEEN ? AND ? OR r.words IS NULL`
	args := []any{workflowID, r.Screen, r.Category, float64(r.X) - limit, float64(r.X) + limit, float64(r.Y) - limit, float64(r.Y) + limit}
	if list := strings.Fields(words); len(list) > 0 {
		shared := make([]string, len(list))
		for i, word := range list {
			shared[i] = `CASE WHEN r.words LIKE ? THEN 1 ELSE 0 END`
			args = append(args, "% "+word+" %")
		}
		near += ` OR ` + strings.Join(shared, " + ") + ` >= ?`
		args = append(args, (len(list)+1)/2)
	}
	near += `)`
	// The reports stored up to seen are read on the read pool, in
	// parallel with other requests; the writer reads only those stored
	// since, and reads them all again if the finding picked is gone (a
	// merge or a withdrawal in between).
	//
	// On SQLite every report committed later has a greater id than every
	// report committed already; PostgreSQL's ids are handed out before
	// commit, so there the writer reads them all.
	var seen int64
	var before []findings.Candidate
	if s.dialect == SQLite {
		if err := s.read.WithContext(ctx).Raw(`SELECT COALESCE(MAX(id), 0) FROM reports`).Scan(&seen).Error; err != nil {
			return nil, fmt.Errorf("store: create report: %w", err)
		}
		var err error
		if before, err = candidatesIn(s.read.WithContext(ctx), r, near+` AND r.id <= ?`, append(slices.Clip(args), seen)); err != nil {
			return nil, fmt.Errorf("store: create report: %w", err)
		}
	}
	// Reports go through the group commit: many share one fsync.
	err := s.batch(ctx, func(tx *gorm.DB) error {
		if _, err := s.writable(tx, w); err != nil {
			return err
		}
		since, err := candidatesIn(tx, r, near+` AND r.id > ?`, append(slices.Clip(args), seen))
		if err != nil {
			return err
		}
		pinned := findings.Pinned{Screen: r.Screen, Category: r.Category, X: r.X, Y: r.Y, Text: r.Text}
		r.FindingID = findings.Match(pinned, screen.Width, screen.Height, append(slices.Clip(before), since...))
		if r.FindingID != 0 && seen > 0 {
			var n int64
			if err := tx.Raw(`SELECT COUNT(*) FROM findings WHERE id = ?`, r.FindingID).Scan(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				all, err := candidatesIn(tx, r, near, args)
				if err != nil {
					return err
				}
				r.FindingID = findings.Match(pinned, screen.Width, screen.Height, all)
			}
		}
		now := s.Now()
		if r.FindingID == 0 {
			f := findingRow{WorkflowID: workflowID, Status: "new", CreatedAt: now, UpdatedAt: now}
			if err := tx.Create(&f).Error; err != nil {
				return err
			}
			r.FindingID = f.ID
		}
		row := reportRow{TrialID: w.TrialID, TaskKey: r.TaskKey, Screen: r.Screen, X: r.X, Y: r.Y, Category: r.Category,
			Severity: r.Severity, SafetyConcern: r.SafetyConcern, Text: r.Text, CreatedAt: now, FindingID: r.FindingID, Words: &words}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		r.ID, r.TrialID, r.CreatedAt = row.ID, w.TrialID, now
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: create report: %w", err)
	}
	return &r, nil
}

// candidatesIn reads the reports a new report r may join: those of the
// workflow (args[0]) with r's screen and category that also meet cond.
func candidatesIn(db *gorm.DB, r sandpit.Report, cond string, args []any) ([]findings.Candidate, error) {
	rows, err := db.Raw(`SELECT r.finding_id, r.x, r.y, r.text, r.words
		FROM reports r JOIN findings f ON f.id = r.finding_id
		WHERE f.workflow_id = ? AND r.screen = ? AND r.category = ? AND (`+cond+`)`, args...).Rows()
	if err != nil {
		return nil, err
	}
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
