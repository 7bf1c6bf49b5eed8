package store

import (
	"context"
	"encoding/json"
	"fmt"
)

// ClickPoint is where clicks landed on a screen: N clicks at (X, Y), all
// hits or all misclicks.
type ClickPoint struct {
	X, Y int
	Hit  bool
	N    int
}

// ClickPoints returns, per screen key, the points clicked on the screen
// image in release releaseID's attempts that have an outcome, most frequent
// first: a click from the list of links has no point of its own. With
// researchOnly, of consented trials only.
func (s *Store) ClickPoints(ctx context.Context, releaseID int64, researchOnly bool) (map[string][]ClickPoint, error) {
	var rows []clickPointRow
	if err := s.clickPointRows(ctx, releaseID, researchOnly, false, &rows); err != nil {
		return nil, err
	}
	out := map[string][]ClickPoint{}
	for _, r := range rows {
		out[r.Screen] = append(out[r.Screen], ClickPoint{X: r.X, Y: r.Y, Hit: r.Hit, N: r.N})
	}
	return out, nil
}

// TaskClickPoints returns ClickPoints per task key: task key → screen key
// → points.
func (s *Store) TaskClickPoints(ctx context.Context, releaseID int64, researchOnly bool) (map[string]map[string][]ClickPoint, error) {
	var rows []clickPointRow
	if err := s.clickPointRows(ctx, releaseID, researchOnly, true, &rows); err != nil {
		return nil, err
	}
	out := map[string]map[string][]ClickPoint{}
	for _, r := range rows {
		if out[r.TaskKey] == nil {
			out[r.TaskKey] = map[string][]ClickPoint{}
		}
		out[r.TaskKey][r.Screen] = append(out[r.TaskKey][r.Screen], ClickPoint{X: r.X, Y: r.Y, Hit: r.Hit, N: r.N})
	}
	return out, nil
}

type clickPointRow struct {
	TaskKey, Screen string
	X, Y            int
	Hit             bool
	N               int
}

// clickPointRows counts the clicks at each point of each screen, per task
// too with perTask, most frequent first.
func (s *Store) clickPointRows(ctx context.Context, releaseID int64, researchOnly, perTask bool, rows *[]clickPointRow) error {
	// The grouping column comes from this constant choice, never from input.
	task, group, order := "'' AS task_key", "c.screen, c.x, c.y, c.hit", "c.screen"
	if perTask {
		task, group, order = "a.task_key", "a.task_key, "+group, "a.task_key, c.screen"
	}
	err := s.read.WithContext(ctx).Raw(`SELECT `+task+`, c.screen, c.x, c.y, c.hit, COUNT(*) AS n
		FROM clicks c JOIN attempts a ON a.id = c.attempt_id JOIN trials t ON t.id = a.trial_id
		WHERE t.release_id = ? AND a.outcome <> '' AND c.via = 'pointer' AND `+consentFilter("t", researchOnly)+`
		GROUP BY `+group+` ORDER BY `+order+`, n DESC, c.x, c.y`, releaseID).Scan(rows).Error
	if err != nil {
		return fmt.Errorf("store: click points of %d: %w", releaseID, err)
	}
	return nil
}

// FindingPlace is where the reports of a finding in a release were made:
// the task and screen of its earliest report there.
type FindingPlace struct {
	Task, Screen string
}

// FindingPlaces returns, per finding id, where release releaseID's earliest
// report of the finding was made; with researchOnly, of consented trials
// only.
func (s *Store) FindingPlaces(ctx context.Context, releaseID int64, researchOnly bool) (map[int64]FindingPlace, error) {
	var rows []struct {
		FindingID int64
		TaskKey   string
		Screen    string
	}
	err := s.read.WithContext(ctx).Raw(`SELECT r.finding_id, r.task_key, r.screen
		FROM reports r JOIN trials t ON t.id = r.trial_id
		WHERE t.release_id = ? AND `+consentFilter("t", researchOnly)+`
		ORDER BY r.finding_id, r.created_at, r.id`, releaseID).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: places of the findings of %d: %w", releaseID, err)
	}
	out := map[int64]FindingPlace{}
	for _, r := range rows {
		if _, ok := out[r.FindingID]; !ok {
			out[r.FindingID] = FindingPlace{Task: r.TaskKey, Screen: r.Screen}
		}
	}
	return out, nil
}

// PathCount is how many attempts went through the same screens.
type PathCount struct {
	Path []string
	N    int
}

// PathCounts returns, per task key, the paths of release releaseID's
// attempts that have an outcome with how many took each, most common first;
// with researchOnly, of consented trials only.
func (s *Store) PathCounts(ctx context.Context, releaseID int64, researchOnly bool) (map[string][]PathCount, error) {
	var rows []struct {
		TaskKey string
		Path    string
		N       int
	}
	err := s.read.WithContext(ctx).Raw(`SELECT a.task_key, a.path, COUNT(*) AS n
		FROM attempts a JOIN trials t ON t.id = a.trial_id
		WHERE t.release_id = ? AND a.outcome <> '' AND `+consentFilter("t", researchOnly)+`
		GROUP BY a.task_key, a.path ORDER BY a.task_key, n DESC, a.path`, releaseID).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: path counts of %d: %w", releaseID, err)
	}
	out := map[string][]PathCount{}
	for _, r := range rows {
		var p []string
		if err := json.Unmarshal([]byte(r.Path), &p); err != nil {
			return nil, fmt.Errorf("store: path of an attempt of %d: %w", releaseID, err)
		}
		out[r.TaskKey] = append(out[r.TaskKey], PathCount{Path: p, N: r.N})
	}
	return out, nil
}

// FindingQuotes returns the text of the earliest report of each of the
// findings ids; with researchOnly, of consented trials only.
func (s *Store) FindingQuotes(ctx context.Context, ids []int64, researchOnly bool) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		FindingID int64
		Text      string
	}
	err := s.read.WithContext(ctx).Raw(`SELECT r.finding_id, r.text FROM reports r JOIN trials t ON t.id = r.trial_id
		WHERE r.finding_id IN ? AND `+consentFilter("t", researchOnly)+` ORDER BY r.created_at, r.id`, ids).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: finding quotes: %w", err)
	}
	for _, r := range rows {
		if _, ok := out[r.FindingID]; !ok {
			out[r.FindingID] = r.Text
		}
	}
	return out, nil
}
