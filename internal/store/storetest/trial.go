package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// db is the store's pool that sees every write, and q with its
// placeholders in the store's dialect.
func db(s *store.Store, q string) (*sql.DB, string) {
	pools := s.Pools()
	pool := pools["primary"]
	if pool == nil {
		pool = pools["writer"]
	}
	if s.Dialect() == store.Postgres {
		for i := 1; strings.Contains(q, "?"); i++ {
			q = strings.Replace(q, "?", fmt.Sprintf("$%d", i), 1)
		}
	}
	return pool, q
}

// CountTrialRows counts every row recorded for trial id: the trial, its
// attempts, clicks and reports. Withdrawal must leave none.
func CountTrialRows(ctx context.Context, s *store.Store, id int64) (int64, error) {
	pool, q := db(s, `SELECT
		(SELECT COUNT(*) FROM trials WHERE id = ?) +
		(SELECT COUNT(*) FROM attempts WHERE trial_id = ?) +
		(SELECT COUNT(*) FROM clicks c JOIN attempts a ON a.id = c.attempt_id WHERE a.trial_id = ?) +
		(SELECT COUNT(*) FROM reports WHERE trial_id = ?)`)
	var n int64
	if err := pool.QueryRowContext(ctx, q, id, id, id, id).Scan(&n); err != nil {
		return 0, fmt.Errorf("storetest: count rows of trial %d: %w", id, err)
	}
	return n, nil
}

// TrialReports returns the reports of trial id, without their times.
func TrialReports(ctx context.Context, s *store.Store, id int64) ([]sandpit.Report, error) {
	pool, q := db(s, `SELECT id, trial_id, task_key, screen, x, y, category, severity, safety_concern, text, finding_id
		FROM reports WHERE trial_id = ? ORDER BY id`)
	rows, err := pool.QueryContext(ctx, q, id)
	if err != nil {
		return nil, fmt.Errorf("storetest: reports of %d: %w", id, err)
	}
	defer rows.Close()
	var out []sandpit.Report
	for rows.Next() {
		var r sandpit.Report
		if err := rows.Scan(&r.ID, &r.TrialID, &r.TaskKey, &r.Screen, &r.X, &r.Y, &r.Category, &r.Severity, &r.SafetyConcern, &r.Text, &r.FindingID); err != nil {
			return nil, fmt.Errorf("storetest: reports of %d: %w", id, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
