package store

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// trialOp is a write to a trial waiting for the next group commit: a task
// start, a click, a change to an attempt (pause, resume, give-up, rating)
// or SUS answers. The batch reads what all its trial ops need in one query
// per table, applies each in arrival order in memory with the domain's
// rules, and writes the lot with multi-row statements.
type trialOp struct {
	w    TrialWrite
	task *sandpit.Task // a start's or a click's task
	// What the op does: at most one is set; none starts the attempt.
	click  *ClickInput
	change func(a *sandpit.Attempt, now time.Time) error
	sus    *susAnswers
	now    func() time.Time // the clock of the store the op came through

	// The answer.
	attempt *sandpit.Attempt // a start's or change's attempt as the op left it
	of      *attemptState    // attempt's state, for its id once written
	answer  *ClickAnswer     // a click's answer
	// replayOf is a click already recorded before this batch, whose row
	// answers it once read; at is the attempt as it stood then.
	replayOf *attemptState
	replayAt sandpit.Attempt
}

// susAnswers are a trial's SUS answers (as stored, JSON) and score.
type susAnswers struct {
	answers string
	score   float64
}

// trialState is one trial as the batch holds it.
type trialState struct {
	row trialRow
	sus *susAnswers // set by this batch
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

const attemptColumns = `id, trial_id, task_key, started_at, screen, path, last_seq, clicks, misclicks, list_clicks, interruptions,
	paused_at, paused_ms, last_active_at, outcome, ended_at, duration_ms, ease, comment`

// applyTrialOps runs ops (every one a trial op whose context is live) in
// tx, answering each op's trialOp or setting its error in results. The
// error returned is the database's: the caller undoes the batch's writes
// and runs the ops one by one.
func (b *batcher) applyTrialOps(tx *gorm.DB, ops []*batchOp, results []error) error {
	s := b.store
	q, err := b.setSQL(tx)
	if err != nil {
		return err
	}
	m, err := b.memo(q)
	if err != nil {
		return err
	}
	// Attempts first: on PostgreSQL each batch locks attempts before
	// trials, as a completion after the trial ops does.
	attempts, err := q.readAttempts(m, ops)
	if err != nil {
		return err
	}
	trials, err := q.readTrials(m, ops)
	if err != nil {
		return err
	}

	// Each op in arrival order, in memory.
	var created []*attemptState
	var replays []*trialOp
	for i, op := range ops {
		t := op.trial
		tr, ok := trials[t.w.TrialID]
		if !ok || tr.row.UserID != t.w.UserID {
			results[i] = sandpit.Errorf(sandpit.ENOTFOUND, "Trial not found.")
			continue
		}
		k := attemptKey{t.w.TrialID, t.w.TaskKey}
		st := attempts[k]
		switch {
		case t.sus != nil:
			if results[i] = writableTrial(tr.row.domain(), t.w); results[i] == nil {
				tr.sus = t.sus
			}
		case t.change != nil:
			results[i] = s.changeAttempt(tr, st, t)
		case t.click == nil:
			if st == nil {
				if err := writableTrial(tr.row.domain(), t.w); err != nil {
					results[i] = err
					continue
				}
				st = &attemptState{a: sandpit.NewAttempt(tr.row.ID, t.task, t.now().UTC()), isNew: true, clicks: map[int]*clickRow{}}
				attempts[k] = st
				created = append(created, st)
			}
			t.attempt, t.of = cloneAttempt(st.a), st
		default:
			replayed, err := s.click(tr, st, t)
			results[i] = err
			if replayed {
				replays = append(replays, t)
			}
		}
	}

	// The writes: new attempts, then clicks, then changed attempts and
	// trials.
	if err := q.insertAttempts(created); err != nil {
		return err
	}
	for i, op := range ops {
		if t := op.trial; results[i] == nil && t.of != nil {
			t.attempt.ID = t.of.a.ID
		}
	}
	if err := q.insertClicks(attempts); err != nil {
		return err
	}
	if err := q.updateAttempts(attempts); err != nil {
		return err
	}
	if err := q.updateTrials(trials); err != nil {
		return err
	}
	for k, st := range attempts {
		m.newAttempts[k] = st.a
	}
	return q.readReplays(replays)
}

// readTrials reads the trials of ops, in one query. On PostgreSQL, when
// the batch writes any trial's SUS, they are locked in id order, so that
// another replica's completion of the same trial waits for this batch's
// commit, or this batch reads it completed.
func (q setSQL) readTrials(m *memo, ops []*batchOp) (map[int64]*trialState, error) {
	ids := make([]int64, len(ops))
	lock := false
	for i, op := range ops {
		ids[i] = op.trial.w.TrialID
		lock = lock || (op.trial.sus != nil && q.b.store.dialect == Postgres)
	}
	rows, err := q.trials(m, ids, lock)
	if err != nil {
		return nil, err
	}
	trials := make(map[int64]*trialState, len(rows))
	for id, r := range rows {
		trials[id] = &trialState{row: r}
	}
	return trials, nil
}

// readAttempts reads the attempts of ops (but SUS answers, which have
// none) that m doesn't keep, in one query, locked on PostgreSQL in id
// order.
func (q setSQL) readAttempts(m *memo, ops []*batchOp) (map[attemptKey]*attemptState, error) {
	attempts := map[attemptKey]*attemptState{}
	var args []any
	seen := map[attemptKey]bool{}
	for _, op := range ops {
		k := attemptKey{op.trial.w.TrialID, op.trial.w.TaskKey}
		if op.trial.sus != nil || seen[k] {
			continue
		}
		seen[k] = true
		if a, ok := m.attempts.Get(k); ok {
			attempts[k] = &attemptState{a: cloneAttempt(&a), clicks: map[int]*clickRow{}}
		} else {
			args = append(args, k.trial, k.task)
		}
	}
	if len(args) == 0 {
		return attempts, nil
	}
	n := len(padded(make([]int, len(args)/2)))
	for len(args) < 2*n {
		args = append(args, args[0], args[1])
	}
	rows, err := q.query(`SELECT `+attemptColumns+` FROM attempts WHERE `+anyOf(n, "(trial_id = ? AND task_key = ?)")+
		` ORDER BY id`+q.b.store.lockClause(), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var r attemptRow
		if err := rows.Scan(&r.ID, &r.TrialID, &r.TaskKey, &r.StartedAt, &r.Screen, &r.Path, &r.LastSeq, &r.Clicks, &r.Misclicks,
			&r.ListClicks, &r.Interruptions, &r.PausedAt, &r.PausedMs, &r.LastActiveAt, &r.Outcome, &r.EndedAt, &r.DurationMs,
			&r.Ease, &r.Comment); err != nil {
			return nil, err
		}
		attempts[attemptKey{r.TrialID, r.TaskKey}] = &attemptState{a: r.domain(), clicks: map[int]*clickRow{}}
	}
	return attempts, rows.Err()
}

// click applies click op t to attempt st (nil: not started) of trial tr.
// A seq recorded before this batch is a replay: its answer is read once
// the batch is written.
func (s *Store) click(tr *trialState, st *attemptState, t *trialOp) (replayed bool, err error) {
	if st == nil {
		return false, sandpit.Errorf(sandpit.ECONFLICT, "Start the task before clicking.")
	}
	in, a := t.click, st.a
	if in.Seq >= 1 && in.Seq <= a.LastSeq {
		// A retry: answer as the first time, record nothing.
		if prior := st.clicks[in.Seq]; prior != nil {
			t.answer = replay(*prior, a)
			return false, nil
		}
		t.replayOf, t.replayAt = st, *a
		return true, nil
	}
	if err := writableTrial(tr.row.domain(), t.w); err != nil {
		return false, err
	}
	var c *sandpit.Click
	now := t.now().UTC() // each op reads the clock, as it would alone
	if in.Via == sandpit.ViaList {
		c, err = a.ClickLink(t.w.Def, t.task, in.Seq, in.Link, now)
	} else {
		c, err = a.ClickOn(t.w.Def, t.task, in.Seq, in.X, in.Y, now)
	}
	if err != nil {
		return false, err
	}
	row := &clickRow{Seq: c.Seq, Screen: c.Screen, Via: c.Via, X: c.X, Y: c.Y, Hit: c.Hit, Target: c.Target, At: c.At, TMs: c.TMs}
	st.clicks[c.Seq] = row
	st.dirty = true
	t.answer = replay(*row, a)
	return false, nil
}

// changeAttempt applies change op t to attempt st (nil: not started) of
// trial tr. The change runs on a copy, so that one refused leaves the
// attempt as it was for the ops after it.
func (s *Store) changeAttempt(tr *trialState, st *attemptState, t *trialOp) error {
	if err := writableTrial(tr.row.domain(), t.w); err != nil {
		return err
	}
	if st == nil {
		return sandpit.Errorf(sandpit.ECONFLICT, "Start the task first.")
	}
	a := cloneAttempt(st.a)
	if err := t.change(a, t.now().UTC()); err != nil {
		return err
	}
	*st.a = *a
	st.dirty = true
	t.attempt, t.of = cloneAttempt(a), st
	return nil
}

// cloneAttempt is a copy of a that later changes to either leave alone.
func cloneAttempt(a *sandpit.Attempt) *sandpit.Attempt {
	c := *a
	c.Path = slices.Clone(a.Path)
	return &c
}

// insertAttempts inserts the attempts the batch started, as they stand
// after it, and sets their ids.
func (q setSQL) insertAttempts(created []*attemptState) error {
	args := make([]any, 0, 18*len(created))
	byKey := map[attemptKey]*attemptState{}
	for _, st := range created {
		args = append(args, st.a.TrialID, st.a.TaskKey, st.a.StartedAt)
		args = append(args, attemptArgs(st.a)...)
		byKey[attemptKey{st.a.TrialID, st.a.TaskKey}] = st
	}
	return pieces(len(created), func(off, n int) error {
		rows, err := q.query(`INSERT INTO attempts (trial_id, task_key, started_at, screen, path, last_seq, clicks, misclicks,
				list_clicks, interruptions, paused_at, paused_ms, last_active_at, outcome, ended_at, duration_ms, ease, comment)
			VALUES `+q.b.store.valuesList(n, attemptTypes[1:]...)+` RETURNING id, trial_id, task_key`, args[18*off:18*(off+n)]...)
		if err != nil {
			return err
		}
		defer rows.Close()
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
	})
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

// insertClicks inserts every click the batch recorded.
func (q setSQL) insertClicks(attempts map[attemptKey]*attemptState) error {
	var args []any
	for _, st := range attempts {
		for _, c := range st.clicks {
			args = append(args, st.a.ID, c.Seq, c.Screen, c.Via, c.X, c.Y, c.Hit, c.Target, c.At, c.TMs)
		}
	}
	return pieces(len(args)/10, func(off, n int) error {
		return q.exec(`INSERT INTO clicks (attempt_id, seq, screen, via, x, y, hit, target, at, t_ms) VALUES `+
			q.b.store.valuesList(n, "bigint", "integer", "text", "text", "integer", "integer", "boolean", "text", "timestamptz", "bigint"),
			args[10*off:10*(off+n)]...)
	})
}

// updateAttempts writes every attempt the batch changed and did not
// insert.
func (q setSQL) updateAttempts(attempts map[attemptKey]*attemptState) error {
	var args []any
	for _, st := range attempts {
		if st.dirty && !st.isNew {
			args = append(args, st.a.ID)
			args = append(args, attemptArgs(st.a)...)
		}
	}
	types := append([]string{"bigint"}, attemptTypes[4:]...)
	return pieces(len(args)/len(types), func(off, n int) error {
		return q.exec(`UPDATE attempts SET screen = v.column2, path = v.column3, last_seq = v.column4, clicks = v.column5,
				misclicks = v.column6, list_clicks = v.column7, interruptions = v.column8, paused_at = v.column9, paused_ms = v.column10,
				last_active_at = v.column11, outcome = v.column12, ended_at = v.column13, duration_ms = v.column14, ease = v.column15,
				comment = v.column16
			FROM (VALUES `+q.b.store.valuesList(n, types...)+`) AS v WHERE attempts.id = v.column1`,
			args[len(types)*off:len(types)*(off+n)]...)
	})
}

// readReplays answers the clicks sent again whose first answer was
// recorded before this batch, in one query.
func (q setSQL) readReplays(replays []*trialOp) error {
	if len(replays) == 0 {
		return nil
	}
	padded := padded(replays)
	args := make([]any, 0, 2*len(padded))
	for _, t := range padded {
		args = append(args, t.replayOf.a.ID, t.click.Seq)
	}
	rows, err := q.query(`SELECT attempt_id, seq, screen, via, x, y, hit, target, at, t_ms FROM clicks
		WHERE `+anyOf(len(padded), "(attempt_id = ? AND seq = ?)"), args...)
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

// updateTrials writes the SUS answers the batch stored, in one statement.
func (q setSQL) updateTrials(trials map[int64]*trialState) error {
	var args []any
	for _, tr := range trials {
		if tr.sus != nil {
			args = append(args, tr.row.ID, tr.sus.answers, tr.sus.score)
		}
	}
	return pieces(len(args)/3, func(off, n int) error {
		return q.exec(`UPDATE trials SET sus = v.column2, sus_score = v.column3
			FROM (VALUES `+q.b.store.valuesList(n, "bigint", "text", "double precision")+`) AS v WHERE trials.id = v.column1`,
			args[3*off:3*(off+n)]...)
	})
}
