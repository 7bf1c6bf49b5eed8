package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

type trialRow struct {
	ID             int64
	ReleaseID      int64
	UserID         int64
	ConsentVersion int
	ResearchUse    bool
	ConsentedAt    time.Time
	CompletedAt    *time.Time
	SUS            *string  `gorm:"column:sus"`
	SUSScore       *float64 `gorm:"column:sus_score"`
}

func (trialRow) TableName() string { return "trials" }

func (r trialRow) domain() *sandpit.Trial {
	t := &sandpit.Trial{ID: r.ID, ReleaseID: r.ReleaseID, UserID: r.UserID, ConsentVersion: r.ConsentVersion,
		ResearchUse: r.ResearchUse, ConsentedAt: r.ConsentedAt, CompletedAt: r.CompletedAt, SUSScore: r.SUSScore}
	if r.SUS != nil {
		_ = json.Unmarshal([]byte(*r.SUS), &t.SUS)
	}
	return t
}

type attemptRow struct {
	ID            int64
	TrialID       int64
	TaskKey       string
	StartedAt     time.Time
	Screen        string
	Path          string
	LastSeq       int
	Clicks        int
	Misclicks     int
	ListClicks    int
	Interruptions int
	PausedAt      *time.Time
	PausedMs      int64
	LastActiveAt  time.Time
	Outcome       string
	EndedAt       *time.Time
	DurationMs    *int64
	Ease          *int
	Comment       string
}

func (attemptRow) TableName() string { return "attempts" }

func (r attemptRow) domain() *sandpit.Attempt {
	a := &sandpit.Attempt{ID: r.ID, TrialID: r.TrialID, TaskKey: r.TaskKey, StartedAt: r.StartedAt, Screen: r.Screen,
		LastSeq: r.LastSeq, Clicks: r.Clicks, Misclicks: r.Misclicks, ListClicks: r.ListClicks, Interruptions: r.Interruptions, PausedAt: r.PausedAt,
		PausedMs: r.PausedMs, LastActiveAt: r.LastActiveAt, Outcome: sandpit.Outcome(r.Outcome), EndedAt: r.EndedAt,
		DurationMs: r.DurationMs, Ease: r.Ease, Comment: r.Comment}
	_ = json.Unmarshal([]byte(r.Path), &a.Path)
	return a
}

type clickRow struct {
	AttemptID int64
	Seq       int
	Screen    string
	Via       string
	X, Y      int
	Hit       bool
	Target    string
	At        time.Time
	TMs       int64 `gorm:"column:t_ms"`
}

func (clickRow) TableName() string { return "clicks" }

// PublishedDefinition returns the definition (without images) of an open or
// closed release, cached: published releases never change.
func (s *Store) PublishedDefinition(ctx context.Context, releaseID int64) (*sandpit.Definition, error) {
	if d, ok := s.definitions.Load(releaseID); ok {
		return d.(*sandpit.Definition), nil
	}
	r, err := s.Release(ctx, releaseID)
	if err != nil {
		return nil, err
	}
	if !r.Published() {
		return nil, sandpit.Errorf(sandpit.ENOTFOUND, "Release not found.")
	}
	d := &r.Definition
	s.definitions.Store(releaseID, d)
	return d, nil
}

// TrialFor returns user userID's trial of release releaseID, or nil.
func (s *Store) TrialFor(ctx context.Context, releaseID, userID int64) (*sandpit.Trial, error) {
	var rows []trialRow
	if err := s.read.WithContext(ctx).Where("release_id = ? AND user_id = ?", releaseID, userID).Limit(1).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: trial of %d for %d: %w", releaseID, userID, err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return rows[0].domain(), nil
}

// StartTrial records user userID's consent to release releaseID and starts
// their trial, or returns the trial they have already (created false).
func (s *Store) StartTrial(ctx context.Context, releaseID, userID int64, consentVersion int, researchUse bool, entry sandpit.AuditEntry) (*sandpit.Trial, bool, error) {
	var trial *sandpit.Trial
	created := false
	// A new trial changes no kept read: those of the clinician's other
	// trials and their token stay.
	err := s.transactKeeping(ctx, func(tx *gorm.DB) error {
		trial, created = nil, false
		var existing []trialRow
		if err := tx.Where("release_id = ? AND user_id = ?", releaseID, userID).Limit(1).Find(&existing).Error; err != nil {
			return err
		}
		if len(existing) > 0 {
			trial = existing[0].domain()
			return nil
		}
		row := trialRow{ReleaseID: releaseID, UserID: userID, ConsentVersion: consentVersion, ResearchUse: researchUse, ConsentedAt: s.Now()}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		trial, created = row.domain(), true
		entry.SubjectID = &userID
		entry.Detail = fmt.Sprintf("trial %d of release %d, consent version %d, research use %v", row.ID, releaseID, consentVersion, researchUse)
		return s.audit(tx, entry)
	})
	if isDuplicate(err) {
		// A second consent (a double submit) raced the first past the read
		// above and lost at trials_release_id_user_id_key: the trial the
		// first one made is the answer.
		var rows []trialRow
		if err := s.write.WithContext(ctx).Where("release_id = ? AND user_id = ?", releaseID, userID).Limit(1).Find(&rows).Error; err != nil {
			return nil, false, fmt.Errorf("store: start trial: read back: %w", err)
		}
		if len(rows) > 0 {
			return rows[0].domain(), false, nil
		}
	}
	if err != nil {
		return nil, false, fmt.Errorf("store: start trial: %w", err)
	}
	return trial, created, nil
}

// Trial returns trial id if it is user userID's; anyone else's is
// ENOTFOUND.
func (s *Store) Trial(ctx context.Context, id, userID int64) (*sandpit.Trial, error) {
	return trialIn(s.read.WithContext(ctx), id, userID)
}

func trialIn(db *gorm.DB, id, userID int64) (*sandpit.Trial, error) {
	var rows []trialRow
	if err := db.Where("id = ? AND user_id = ?", id, userID).Limit(1).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: trial %d: %w", id, err)
	}
	if len(rows) == 0 {
		return nil, sandpit.Errorf(sandpit.ENOTFOUND, "Trial not found.")
	}
	return rows[0].domain(), nil
}

// TrialAndRelease returns trial id if it is user userID's, with its
// release's workflow, team and status, in one query whose answer is kept
// for hotTTL; anyone else's trial is ENOTFOUND.
func (s *Store) TrialAndRelease(ctx context.Context, id, userID int64) (*sandpit.Trial, *ReleaseMeta, error) {
	if hit, ok := s.hot.trial(trialKey{id, userID}); ok {
		t, m := hit.trial, hit.meta
		return &t, &m, nil
	}
	read := s.hot.begin()
	var (
		r trialRow
		m ReleaseMeta
	)
	err := s.prepared.WithContext(ctx).Raw(`SELECT t.id, t.release_id, t.user_id, t.consent_version, t.research_use, t.consented_at,
			t.completed_at, t.sus, t.sus_score, w.id, w.team_id, rl.status
		FROM trials t JOIN releases rl ON rl.id = t.release_id JOIN workflows w ON w.id = rl.workflow_id
		WHERE t.id = ? AND t.user_id = ?`, id, userID).Row().Scan(&r.ID, &r.ReleaseID, &r.UserID, &r.ConsentVersion, &r.ResearchUse,
		&r.ConsentedAt, &r.CompletedAt, &r.SUS, &r.SUSScore, &m.WorkflowID, &m.TeamID, &m.Status)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, sandpit.Errorf(sandpit.ENOTFOUND, "Trial not found.")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("store: trial %d: %w", id, err)
	}
	m.ID = r.ReleaseID
	t := r.domain()
	s.hot.keepTrial(read, trialKey{id, userID}, trialHit{trial: *t, meta: m})
	return t, &m, nil
}

// Attempts returns trial id's attempts by task key.
func (s *Store) Attempts(ctx context.Context, trialID int64) (map[string]*sandpit.Attempt, error) {
	var rows []attemptRow
	if err := s.read.WithContext(ctx).Where("trial_id = ?", trialID).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: attempts of %d: %w", trialID, err)
	}
	out := make(map[string]*sandpit.Attempt, len(rows))
	for _, r := range rows {
		out[r.TaskKey] = r.domain()
	}
	return out, nil
}

// TrialWrite is what every write to a trial needs: whose it is and which
// task, with the trial's published release definition.
type TrialWrite struct {
	TrialID int64
	UserID  int64
	TaskKey string
	Def     *sandpit.Definition
	Open    bool // the release is open: closed releases take no new work
}

// writable loads the trial for w inside tx, refusing a completed trial
// (read-only) or a closed release.
func (s *Store) writable(tx *gorm.DB, w TrialWrite) (*sandpit.Trial, error) {
	t, err := trialIn(tx, w.TrialID, w.UserID)
	if err != nil {
		return nil, err
	}
	return t, writableTrial(t, w)
}

// writableTrial refuses a completed trial (read-only) or a closed release.
func writableTrial(t *sandpit.Trial, w TrialWrite) error {
	if t.Completed() {
		return sandpit.Errorf(sandpit.ECONFLICT, "This trial is complete and can no longer change.")
	}
	if !w.Open {
		return sandpit.Errorf(sandpit.ECONFLICT, "This release is closed to trials.")
	}
	return nil
}

// StartAttempt starts the attempt at task w.TaskKey, or returns the one
// already started as it stands.
func (s *Store) StartAttempt(ctx context.Context, w TrialWrite) (*sandpit.Attempt, error) {
	task := w.Def.Task(w.TaskKey)
	if task == nil {
		return nil, sandpit.Errorf(sandpit.ENOTFOUND, "Task not found.")
	}
	op := &trialOp{w: w, task: task, now: s.now}
	if err := s.batchTrial(ctx, op); err != nil {
		return nil, fmt.Errorf("store: start attempt: %w", err)
	}
	a := *op.attempt
	return &a, nil
}

// ClickAnswer is what a click is answered with, the first time and every
// time its sequence number is sent again.
type ClickAnswer struct {
	Hit     bool
	Screen  string // the screen shown after the click
	Done    bool
	Outcome sandpit.Outcome
}

// ClickInput is one click to record: Seq numbers it; Via says whether it is
// at point (X, Y) of the screen image (sandpit.ViaPointer) or link number
// Link of the list of the screen's links (sandpit.ViaList).
type ClickInput struct {
	Seq  int
	Via  string
	X, Y int
	Link int
}

// RecordClick records click in on the attempt's current screen, durably,
// before answering. A sequence number already recorded returns its first
// answer and records nothing.
func (s *Store) RecordClick(ctx context.Context, w TrialWrite, in ClickInput) (*ClickAnswer, error) {
	task := w.Def.Task(w.TaskKey)
	if task == nil {
		return nil, sandpit.Errorf(sandpit.ENOTFOUND, "Task not found.")
	}
	op := &trialOp{w: w, task: task, click: &in, now: s.now}
	if err := s.batchTrial(ctx, op); err != nil {
		return nil, fmt.Errorf("store: click: %w", err)
	}
	return op.answer, nil
}

// replay rebuilds the answer to click c of attempt a.
func replay(c clickRow, a *sandpit.Attempt) *ClickAnswer {
	ans := &ClickAnswer{Hit: c.Hit, Screen: c.Screen}
	if c.Hit {
		ans.Screen = c.Target
	}
	if a.Done() && a.Outcome != sandpit.OutcomeGaveUp && a.LastSeq == c.Seq {
		ans.Done, ans.Outcome = true, a.Outcome
	}
	return ans
}

// UpdateAttempt applies change to the attempt at w.TaskKey and stores it:
// pausing, resuming, giving up and rating. change runs in the next group
// commit, in arrival order with the batch's other writes to the attempt,
// and may run more than once: it must only change the attempt it is given.
func (s *Store) UpdateAttempt(ctx context.Context, w TrialWrite, change func(a *sandpit.Attempt, now time.Time) error) (*sandpit.Attempt, error) {
	op := &trialOp{w: w, change: change, now: s.now}
	if err := s.batchTrial(ctx, op); err != nil {
		return nil, fmt.Errorf("store: update attempt: %w", err)
	}
	return op.attempt, nil
}

// SaveSUS stores the trial's SUS answers and score.
func (s *Store) SaveSUS(ctx context.Context, w TrialWrite, answers []int, score float64) error {
	data, _ := json.Marshal(answers)
	err := s.batchTrial(ctx, &trialOp{w: w, sus: &susAnswers{answers: string(data), score: score}, now: s.now})
	// The trial kept for TrialAndRelease holds its SUS: read it afresh.
	s.hot.forgetTrial(trialKey{w.TrialID, w.UserID})
	if err != nil {
		return fmt.Errorf("store: save SUS: %w", err)
	}
	return nil
}

// CompleteTrial finishes the trial once every task has an outcome and the
// SUS is answered; 422 names what is missing.
func (s *Store) CompleteTrial(ctx context.Context, w TrialWrite) error {
	err := s.batch(ctx, func(tx *gorm.DB) error {
		t, err := s.writable(tx, w)
		if err != nil {
			return err
		}
		var rows []attemptRow
		if err := tx.Where("trial_id = ?", t.ID).Find(&rows).Error; err != nil {
			return err
		}
		done := map[string]bool{}
		for _, r := range rows {
			done[r.TaskKey] = r.Outcome != ""
		}
		var missing []sandpit.FieldError
		for _, task := range w.Def.Tasks {
			if !done[task.Key] {
				missing = append(missing, sandpit.Required(sandpit.TaskField(task.Key)))
			}
		}
		if t.SUSScore == nil {
			missing = append(missing, sandpit.Required("sus"))
		}
		if len(missing) > 0 {
			return sandpit.Invalid("The trial is not finished yet.", missing...)
		}
		return tx.Model(&trialRow{}).Where("id = ?", t.ID).Update("completed_at", s.Now()).Error
	})
	if err != nil {
		return fmt.Errorf("store: complete trial: %w", err)
	}
	return nil
}

// WithdrawTrial deletes trial id of user userID and everything recorded in
// it, removes findings left with no report, and records entry, in one
// transaction.
func (s *Store) WithdrawTrial(ctx context.Context, id, userID int64, entry sandpit.AuditEntry) error {
	err := s.transact(ctx, func(tx *gorm.DB) error {
		if s.dialect == Postgres {
			// Lock the trial first: a report or click being written holds a
			// key-share lock on it (its foreign key), so this waits for
			// those in flight and the findings read below include theirs;
			// those that come later fail their foreign key, retry, and find
			// the trial gone. (SQLite has one writer: nothing is in flight.)
			if err := tx.Exec("SELECT id FROM trials WHERE id = ? FOR UPDATE", id).Error; err != nil {
				return err
			}
		}
		t, err := trialIn(tx, id, userID)
		if err != nil {
			return err
		}
		var findings []int64
		if err := tx.Model(&reportRow{}).Where("trial_id = ?", t.ID).Distinct().Pluck("finding_id", &findings).Error; err != nil {
			return err
		}
		// Clicks and attempts go with the trial (ON DELETE CASCADE); reports
		// are deleted first so their findings can be checked.
		if err := tx.Where("trial_id = ?", t.ID).Delete(&reportRow{}).Error; err != nil {
			return err
		}
		if err := tx.Where("id = ?", t.ID).Delete(&trialRow{}).Error; err != nil {
			return err
		}
		if len(findings) > 0 {
			if err := tx.Where("id IN ? AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.finding_id = findings.id)", findings).Delete(&findingRow{}).Error; err != nil {
				return err
			}
		}
		entry.SubjectID = &userID
		entry.Detail = fmt.Sprintf("withdrew from trial %d of release %d", t.ID, t.ReleaseID)
		return s.audit(tx, entry)
	})
	if err != nil {
		return fmt.Errorf("store: withdraw trial %d: %w", id, err)
	}
	return nil
}

// AvailableRelease is an open release a clinician may take.
type AvailableRelease struct {
	ReleaseID     int64
	WorkflowID    int64
	WorkflowTitle string
	Description   string
	TeamName      string
	Version       string
	Notes         string
	Tasks         int
	PublishedAt   *time.Time
	TrialID       *int64
	CompletedAt   *time.Time
}

// AvailableReleases lists every open release, newest first, with user
// userID's trial of it if any.
func (s *Store) AvailableReleases(ctx context.Context, userID int64) ([]AvailableRelease, error) {
	var list []AvailableRelease
	err := s.read.WithContext(ctx).Raw(`SELECT r.id AS release_id, w.id AS workflow_id, w.title AS workflow_title, w.description,
			tm.name AS team_name, r.version, r.notes, r.published_at,
			(SELECT COUNT(*) FROM tasks t WHERE t.release_id = r.id) AS tasks,
			tr.id AS trial_id, tr.completed_at
		FROM releases r
		JOIN workflows w ON w.id = r.workflow_id
		JOIN teams tm ON tm.id = w.team_id
		LEFT JOIN trials tr ON tr.release_id = r.id AND tr.user_id = ?
		WHERE r.status = 'open'
		ORDER BY r.published_at DESC, r.id DESC`, userID).Scan(&list).Error
	if err != nil {
		return nil, fmt.Errorf("store: available releases: %w", err)
	}
	return list, nil
}

// ClicksOf returns attempt id's clicks in order.
func (s *Store) ClicksOf(ctx context.Context, attemptID int64) ([]sandpit.Click, error) {
	var rows []clickRow
	if err := s.read.WithContext(ctx).Where("attempt_id = ?", attemptID).Order("seq").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: clicks of %d: %w", attemptID, err)
	}
	out := make([]sandpit.Click, len(rows))
	for i, r := range rows {
		out[i] = sandpit.Click{Seq: r.Seq, Screen: r.Screen, Via: r.Via, X: r.X, Y: r.Y, Hit: r.Hit, Target: r.Target, At: r.At, TMs: r.TMs}
	}
	return out, nil
}

// TrialSummary is one of a clinician's trials, as "My feedback" lists it.
type TrialSummary struct {
	TrialID       int64
	ReleaseID     int64
	Version       string
	WorkflowTitle string
	Status        string // the release's status
	ConsentedAt   time.Time
	CompletedAt   *time.Time
}

// TrialsOf returns every trial of user userID, newest first.
func (s *Store) TrialsOf(ctx context.Context, userID int64) ([]TrialSummary, error) {
	var list []TrialSummary
	err := s.read.WithContext(ctx).Raw(`SELECT t.id AS trial_id, r.id AS release_id, r.version, w.title AS workflow_title, r.status,
			t.consented_at, t.completed_at
		FROM trials t
		JOIN releases r ON r.id = t.release_id
		JOIN workflows w ON w.id = r.workflow_id
		WHERE t.user_id = ?
		ORDER BY t.consented_at DESC, t.id DESC`, userID).Scan(&list).Error
	if err != nil {
		return nil, fmt.Errorf("store: trials of %d: %w", userID, err)
	}
	return list, nil
}
