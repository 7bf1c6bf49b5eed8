package store

import (
	"context"
	"fmt"

	"github.com/sandpit-nhs/sandpit/internal/findings"
)

// The aggregates of ReleaseFigures, each over one release's trials (the
// argument) that the consent filter, %[1]s, keeps: trials by profession
// and setting; finished attempts by task and outcome with their pointer
// clicks and how many were assisted; and the values that need more than a
// sum, one row per finished attempt.
const (
	releaseParticipantsSQL = `SELECT COALESCE(u.profession, 'other') AS profession, COALESCE(u.setting, 'other') AS setting, COUNT(*) AS n
		FROM trials t JOIN users u ON u.id = t.user_id WHERE t.release_id = ? AND %[1]s GROUP BY u.profession, u.setting`
	releaseOutcomesSQL = `SELECT a.task_key, a.outcome, COUNT(*) AS n, SUM(a.clicks - a.list_clicks) AS clicks, SUM(a.misclicks) AS misclicks,
			SUM(CASE WHEN a.list_clicks > 0 THEN 1 ELSE 0 END) AS assisted
		FROM attempts a JOIN trials t ON t.id = a.trial_id
		WHERE t.release_id = ? AND %[1]s AND a.outcome <> '' GROUP BY a.task_key, a.outcome`
	releaseAttemptValuesSQL = `SELECT a.task_key, a.duration_ms, a.ease, a.outcome IN ('direct', 'indirect') AS success
		FROM attempts a JOIN trials t ON t.id = a.trial_id WHERE t.release_id = ? AND %[1]s AND a.outcome <> ''`
)

// ReleaseFigures aggregates release id's trials, leaving out withdrawn
// trials, which no longer exist, and with researchOnly the trials of
// clinicians who declined research use.
func (s *Store) ReleaseFigures(ctx context.Context, id int64, researchOnly bool) (*findings.Figures, error) {
	db := s.read.WithContext(ctx)
	consented := consentFilter("t", researchOnly)
	f := &findings.Figures{ReleaseID: id, Durations: map[string][]float64{}, Ease: map[string][]float64{}}
	err := db.Raw(fmt.Sprintf(releaseParticipantsSQL, consented), id).Scan(&f.Participants).Error
	if err != nil {
		return nil, fmt.Errorf("store: participants of %d: %w", id, err)
	}
	err = db.Raw(fmt.Sprintf(releaseOutcomesSQL, consented), id).Scan(&f.Outcomes).Error
	if err != nil {
		return nil, fmt.Errorf("store: outcomes of %d: %w", id, err)
	}
	var values []struct {
		TaskKey    string
		DurationMs *int64
		Ease       *int
		Success    bool
	}
	err = db.Raw(fmt.Sprintf(releaseAttemptValuesSQL, consented), id).Scan(&values).Error
	if err != nil {
		return nil, fmt.Errorf("store: attempt values of %d: %w", id, err)
	}
	for _, v := range values {
		if v.Success && v.DurationMs != nil {
			f.Durations[v.TaskKey] = append(f.Durations[v.TaskKey], float64(*v.DurationMs)/1000)
		}
		if v.Ease != nil {
			f.Ease[v.TaskKey] = append(f.Ease[v.TaskKey], float64(*v.Ease))
		}
	}
	if err := db.Raw(`SELECT t.sus_score FROM trials t WHERE t.release_id = ? AND `+consented+` AND t.sus_score IS NOT NULL`, id).Scan(&f.SUS).Error; err != nil {
		return nil, fmt.Errorf("store: SUS of %d: %w", id, err)
	}
	facts, err := findingFacts(db, researchOnly, `f.id IN (SELECT fr.finding_id FROM reports fr JOIN trials ft ON ft.id = fr.trial_id
		WHERE ft.release_id = ? AND `+consentFilter("ft", researchOnly)+`)`, id)
	if err != nil {
		return nil, fmt.Errorf("store: findings of %d: %w", id, err)
	}
	for _, ff := range facts {
		fields := ff.Fields()
		f.Findings = append(f.Findings, findings.FindingFigures{ID: ff.ID, Title: fields.Title, Category: fields.Category, Severity: fields.Severity,
			SafetyConcern: fields.SafetyConcern, Status: fields.Status, Response: ff.State.Response, Participants: ff.share(id).Participants,
			CreatedAt: ff.CreatedAt})
	}
	return f, nil
}

// ComparableReleases returns, for release id, the latest non-baseline
// release of its workflow published before it and the workflow's most
// recently published baseline (none for a baseline itself); 0 when there
// is none.
func (s *Store) ComparableReleases(ctx context.Context, id int64) (previous, baseline int64, err error) {
	var r releaseRow
	if err := s.read.WithContext(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return 0, 0, fmt.Errorf("store: release %d: %w", id, notFound(err, "Release"))
	}
	db := s.read.WithContext(ctx)
	var ids []int64
	if r.PublishedAt != nil {
		err = db.Model(&releaseRow{}).Where("workflow_id = ? AND id <> ? AND NOT baseline AND published_at IS NOT NULL AND published_at < ?", r.WorkflowID, id, *r.PublishedAt).
			Order("published_at DESC").Limit(1).Pluck("id", &ids).Error
		if err != nil {
			return 0, 0, fmt.Errorf("store: previous of %d: %w", id, err)
		}
		if len(ids) > 0 {
			previous = ids[0]
		}
	}
	if !r.Baseline {
		ids = nil
		err = db.Model(&releaseRow{}).Where("workflow_id = ? AND baseline AND published_at IS NOT NULL", r.WorkflowID).
			Order("published_at DESC").Limit(1).Pluck("id", &ids).Error
		if err != nil {
			return 0, 0, fmt.Errorf("store: baseline of %d: %w", id, err)
		}
		if len(ids) > 0 {
			baseline = ids[0]
		}
	}
	return previous, baseline, nil
}
