package store

import (
	"encoding/json"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// trialOp is a task start or a click waiting for the next group commit.
// The batch reads what all its trial ops need in one query per table,
// applies each in arrival order in memory with the domain's rules, and
// writes the lot with multi-row statements.
type trialOp struct {
	w     TrialWrite
	task  *sandpit.Task
	click *ClickInput // nil: start the attempt

	// The answer.
	attempt *sandpit.Attempt // a start's attempt
	answer  *ClickAnswer     // a click's answer
	// replayOf is a click already recorded before this batch, whose row
	// answers it once read; at is the attempt as it stood then.
	replayOf *attemptState
	replayAt sandpit.Attempt
}

// attemptState is one attempt as the batch holds it.
type attemptState struct {
	a     *sandpit.Attempt
	isNew bool // inserted by this batch
	dirty bool // changed by this batch
	// clicks are the clicks this batch records on it, by seq.
	clicks map[int]*clickRow
}

type attemptKey struct {
	trial int64
	task  string
}

// lockClause locks the rows a batch reads on PostgreSQL, so that another
// replica's batch on the same attempts waits for this one's commit and
// then reads its writes: seq order and idempotency hold across replicas.
// SQLite's single writer needs no lock.
func (s *Store) lockClause() string {
	if s.dialect == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// placeholder is a bind parameter of SQL type typ: PostgreSQL cannot infer
// the types of a VALUES list's parameters; SQLite needs no cast, and its
// times must stay text.
func (s *Store) placeholder(typ string) string {
	if s.dialect == Postgres {
		return "CAST(? AS " + typ + ")"
	}
	return "?"
}

// valuesList is n rows of VALUES with the given column types.
func (s *Store) valuesList(n int, types ...string) string {
	cols := make([]string, len(types))
	for i, t := range types {
		cols[i] = s.placeholder(t)
	}
	row := "(" + strings.Join(cols, ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}

// anyOf is n copies of cond joined by OR: SQLite searches the index for
// each, where for a row value IN (VALUES …) it would scan the table.
func anyOf(n int, cond string) string {
	return strings.TrimSuffix(strings.Repeat(cond+" OR ", n), " OR ")
}

const attemptColumns = `id, trial_id, task_key, started_at, screen, path, last_seq, clicks, misclicks, list_clicks, interruptions,
	paused_at, paused_ms, last_active_at, outcome, ended_at, duration_ms, ease, comment`

// applyTrialOps runs ops (every one a trial op whose context is live) in
// tx, answering each op's trialOp or setting its error in results. The
// error returned is the database's: the caller undoes the batch's writes
// and runs the ops one by one.
func (s *Store) applyTrialOps(tx *gorm.DB, ops []*batchOp, results []error) error {
	// The trials, one query.
	trialIDs := map[int64]bool{}
	var keys []attemptKey
	seenKey := map[attemptKey]bool{}
	for _, op := range ops {
		trialIDs[op.trial.w.TrialID] = true
		k := attemptKey{op.trial.w.TrialID, op.trial.w.TaskKey}
		if !seenKey[k] {
			seenKey[k] = true
			keys = append(keys, k)
		}
	}
	ids := make([]any, 0, len(trialIDs))
	for id := range trialIDs {
		ids = append(ids, id)
	}
	trials := map[int64]trialRow{}
	rows, err := tx.Raw(`SELECT id, user_id, completed_at FROM trials WHERE id IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")+`)`, ids...).Rows()
	if err != nil {
		return err
	}
	for rows.Next() {
		var r trialRow
		if err := rows.Scan(&r.ID, &r.UserID, &r.CompletedAt); err != nil {
			rows.Close()
			return err
		}
		trials[r.ID] = r
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// The attempts, one query, locked on PostgreSQL in id order.
	args := make([]any, 0, 2*len(keys))
	for _, k := range keys {
		args = append(args, k.trial, k.task)
	}
	attempts := map[attemptKey]*attemptState{}
	rows, err = tx.Raw(`SELECT `+attemptColumns+` FROM attempts WHERE `+anyOf(len(keys), "(trial_id = ? AND task_key = ?)")+
		` ORDER BY id`+s.lockClause(), args...).Rows()
	if err != nil {
		return err
	}
	for rows.Next() {
		var r attemptRow
		if err := rows.Scan(&r.ID, &r.TrialID, &r.TaskKey, &r.StartedAt, &r.Screen, &r.Path, &r.LastSeq, &r.Clicks, &r.Misclicks,
			&r.ListClicks, &r.Interruptions, &r.PausedAt, &r.PausedMs, &r.LastActiveAt, &r.Outcome, &r.EndedAt, &r.DurationMs,
			&r.Ease, &r.Comment); err != nil {
			rows.Close()
			return err
		}
		attempts[attemptKey{r.TrialID, r.TaskKey}] = &attemptState{a: r.domain(), clicks: map[int]*clickRow{}}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}

	// Each op in arrival order, in memory.
	var created []*attemptState
	var replays []*trialOp
	for i, op := range ops {
		t := op.trial
		tr, ok := trials[t.w.TrialID]
		if !ok || tr.UserID != t.w.UserID {
			results[i] = sandpit.Errorf(sandpit.ENOTFOUND, "Trial not found.")
			continue
		}
		k := attemptKey{t.w.TrialID, t.w.TaskKey}
		st := attempts[k]
		if t.click == nil {
			if st == nil {
				if err := writableTrial(tr.domain(), t.w); err != nil {
					results[i] = err
					continue
				}
				st = &attemptState{a: sandpit.NewAttempt(tr.ID, t.task, s.Now()), isNew: true, clicks: map[int]*clickRow{}}
				attempts[k] = st
				created = append(created, st)
			}
			t.attempt = st.a // read once the batch is written, for its id
			continue
		}
		if st == nil {
			results[i] = sandpit.Errorf(sandpit.ECONFLICT, "Start the task before clicking.")
			continue
		}
		in, a := t.click, st.a
		if in.Seq >= 1 && in.Seq <= a.LastSeq {
			// A retry: answer as the first time, record nothing.
			if prior := st.clicks[in.Seq]; prior != nil {
				t.answer = replay(*prior, a)
			} else {
				t.replayOf, t.replayAt = st, *a
				replays = append(replays, t)
			}
			continue
		}
		if err := writableTrial(tr.domain(), t.w); err != nil {
			results[i] = err
			continue
		}
		var c *sandpit.Click
		var err error
		now := s.Now() // each op reads the clock, as it would alone
		if in.Via == sandpit.ViaList {
			c, err = a.ClickLink(t.w.Def, t.task, in.Seq, in.Link, now)
		} else {
			c, err = a.ClickOn(t.w.Def, t.task, in.Seq, in.X, in.Y, now)
		}
		if err != nil {
			results[i] = err
			continue
		}
		row := &clickRow{Seq: c.Seq, Screen: c.Screen, Via: c.Via, X: c.X, Y: c.Y, Hit: c.Hit, Target: c.Target, At: c.At, TMs: c.TMs}
		st.clicks[c.Seq] = row
		st.dirty = true
		t.answer = replay(*row, a)
	}

	// The writes: new attempts, then clicks, then changed attempts.
	if err := s.insertAttempts(tx, created); err != nil {
		return err
	}
	if err := s.insertClicks(tx, attempts); err != nil {
		return err
	}
	if err := s.updateAttempts(tx, attempts); err != nil {
		return err
	}
	return s.readReplays(tx, replays)
}

// insertAttempts inserts the attempts the batch started, as they stand
// after it, and sets their ids.
func (s *Store) insertAttempts(tx *gorm.DB, created []*attemptState) error {
	if len(created) == 0 {
		return nil
	}
	args := make([]any, 0, 18*len(created))
	for _, st := range created {
		args = append(args, st.a.TrialID, st.a.TaskKey, st.a.StartedAt)
		args = append(args, attemptArgs(st.a)...)
	}
	rows, err := tx.Raw(`INSERT INTO attempts (trial_id, task_key, started_at, screen, path, last_seq, clicks, misclicks, list_clicks,
			interruptions, paused_at, paused_ms, last_active_at, outcome, ended_at, duration_ms, ease, comment)
		VALUES `+s.valuesList(len(created), attemptTypes[1:]...)+` RETURNING id, trial_id, task_key`, args...).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	byKey := map[attemptKey]*attemptState{}
	for _, st := range created {
		byKey[attemptKey{st.a.TrialID, st.a.TaskKey}] = st
	}
	for rows.Next() {
		var id int64
		var k attemptKey
		if err := rows.Scan(&id, &k.trial, &k.task); err != nil {
			return err
		}
		if st := byKey[k]; st != nil {
			st.a.ID = id
		}
	}
	return rows.Err()
}

// attemptTypes are the SQL types of id, trial_id, task_key, started_at and
// then attemptArgs's columns.
var attemptTypes = []string{"bigint", "bigint", "text", "timestamptz",
	"text", "text", "integer", "integer", "integer", "integer", "integer",
	"timestamptz", "bigint", "timestamptz", "text", "timestamptz", "bigint", "integer", "text"}

// attemptArgs are a's changeable columns, from screen to comment.
func attemptArgs(a *sandpit.Attempt) []any {
	path, _ := json.Marshal(a.Path)
	return []any{a.Screen, string(path), a.LastSeq, a.Clicks, a.Misclicks, a.ListClicks, a.Interruptions,
		a.PausedAt, a.PausedMs, a.LastActiveAt, string(a.Outcome), a.EndedAt, a.DurationMs, a.Ease, a.Comment}
}

// insertClicks inserts every click the batch recorded, in one statement.
func (s *Store) insertClicks(tx *gorm.DB, attempts map[attemptKey]*attemptState) error {
	var args []any
	n := 0
	for _, st := range attempts {
		for _, c := range st.clicks {
			args = append(args, st.a.ID, c.Seq, c.Screen, c.Via, c.X, c.Y, c.Hit, c.Target, c.At, c.TMs)
			n++
		}
	}
	if n == 0 {
		return nil
	}
	return tx.Exec(`INSERT INTO clicks (attempt_id, seq, screen, via, x, y, hit, target, at, t_ms) VALUES `+
		s.valuesList(n, "bigint", "integer", "text", "text", "integer", "integer", "boolean", "text", "timestamptz", "bigint"), args...).Error
}

// updateAttempts writes every attempt the batch changed and did not
// insert, in one statement.
func (s *Store) updateAttempts(tx *gorm.DB, attempts map[attemptKey]*attemptState) error {
	var args []any
	n := 0
	for _, st := range attempts {
		if st.dirty && !st.isNew {
			args = append(args, st.a.ID)
			args = append(args, attemptArgs(st.a)...)
			n++
		}
	}
	if n == 0 {
		return nil
	}
	types := append([]string{"bigint"}, attemptTypes[4:]...)
	return tx.Exec(`UPDATE attempts SET screen = v.column2, path = v.column3, last_seq = v.column4, clicks = v.column5,
			misclicks = v.column6, list_clicks = v.column7, interruptions = v.column8, paused_at = v.column9, paused_ms = v.column10,
			last_active_at = v.column11, outcome = v.column12, ended_at = v.column13, duration_ms = v.column14, ease = v.column15,
			comment = v.column16
		FROM (VALUES `+s.valuesList(n, types...)+`) AS v WHERE attempts.id = v.column1`, args...).Error
}

// readReplays answers the clicks sent again whose first answer was
// recorded before this batch, in one query.
func (s *Store) readReplays(tx *gorm.DB, replays []*trialOp) error {
	if len(replays) == 0 {
		return nil
	}
	args := make([]any, 0, 2*len(replays))
	for _, t := range replays {
		args = append(args, t.replayOf.a.ID, t.click.Seq)
	}
	rows, err := tx.Raw(`SELECT attempt_id, seq, screen, via, x, y, hit, target, at, t_ms FROM clicks
		WHERE `+anyOf(len(replays), "(attempt_id = ? AND seq = ?)"), args...).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	type key struct {
		attempt int64
		seq     int
	}
	found := map[key]clickRow{}
	for rows.Next() {
		var c clickRow
		if err := rows.Scan(&c.AttemptID, &c.Seq, &c.Screen, &c.Via, &c.X, &c.Y, &c.Hit, &c.Target, &c.At, &c.TMs); err != nil {
			return err
		}
		found[key{c.AttemptID, c.Seq}] = c
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, t := range replays {
		c, ok := found[key{t.replayOf.a.ID, t.click.Seq}]
		if !ok {
			return fmt.Errorf("store: click %d of attempt %d is not recorded", t.click.Seq, t.replayOf.a.ID)
		}
		t.answer = replay(c, &t.replayAt)
	}
	return nil
}
