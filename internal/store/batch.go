package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"

	"gorm.io/gorm"
)

// maxBatch is the most writes one commit carries.
const maxBatch = 256

// batchOp is one write waiting for the next commit.
type batchOp struct {
	ctx context.Context
	// Either fn runs in the commit behind a savepoint, or trial is a
	// trial op (trialOp: start, click, pause, resume, give-up, rating,
	// SUS) or report a problem report, which the commit does together
	// with the batch's other ops of its kind (applyTrialOps,
	// applyReportOps).
	fn     func(tx *gorm.DB) error
	trial  *trialOp
	report *reportOp
	done   chan error
}

// batcher commits many small writes in one transaction: with synchronous
// FULL a commit costs an fsync, so one per click would cap the server at a
// few thousand clicks a second. Every write still waits for the commit that
// holds it before its caller answers.
type batcher struct {
	db    *gorm.DB
	store *Store
	ops   chan *batchOp
	stop  chan struct{}
	done  chan struct{}
	// gen moves inside every write transaction other than the batcher's
	// sets of trial ops and reports; kept is what the SQLite writer keeps
	// between batches while gen stays (memo).
	gen  atomic.Uint64
	kept *memo
	// commits counts the write transactions ended (Store.Commits).
	commits atomic.Uint64
	// stmts are the set statements prepared on SQLite's writer, and
	// unprepared those used since that are not yet (setSQL).
	stmts      map[string]*sql.Stmt
	unprepared map[string]bool
}

func newBatcher(s *Store) *batcher {
	b := &batcher{db: s.write, store: s, ops: make(chan *batchOp, 4*maxBatch), stop: make(chan struct{}), done: make(chan struct{}),
		stmts: map[string]*sql.Stmt{}, unprepared: map[string]bool{}}
	go b.run()
	return b
}

// errStoreClosed answers writes that arrive once the store is closing.
var errStoreClosed = errors.New("store: closed")

// batch runs fn inside the next group commit and returns once it is
// durable. An error from fn undoes fn's writes only. Like transact, fn
// runs once more after losing a client's race, and losing twice is
// ECONFLICT.
func (s *Store) batch(ctx context.Context, fn func(tx *gorm.DB) error) error {
	err := s.batchOnce(ctx, fn)
	if isRace(err) && ctx.Err() == nil {
		err = s.batchOnce(ctx, fn)
	}
	return raceConflict(err)
}

// batchOnce queues fn for the next group commit and waits for its answer.
func (s *Store) batchOnce(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return s.enqueue(&batchOp{ctx: ctx, fn: fn, done: make(chan error, 1)})
}

// batchTrial runs t in the next group commit and returns once it is
// durable.
func (s *Store) batchTrial(ctx context.Context, t *trialOp) error {
	return s.enqueueRetried(ctx, func() *batchOp { return &batchOp{trial: t} })
}

// enqueueRetried queues the op made by next for the next group commit and
// waits for its answer, once more after losing a client's race.
func (s *Store) enqueueRetried(ctx context.Context, next func() *batchOp) error {
	queue := func() error {
		op := next()
		op.ctx, op.done = ctx, make(chan error, 1)
		return s.enqueue(op)
	}
	err := queue()
	if isRace(err) && ctx.Err() == nil {
		err = queue()
	}
	return raceConflict(err)
}

// enqueue queues op for the next group commit and waits for its answer.
func (s *Store) enqueue(op *batchOp) error {
	ctx := op.ctx
	select {
	case s.batcher.ops <- op:
	case <-s.batcher.stop:
		return errStoreClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued the write is committed or refused whatever the caller
	// does, so wait for the answer rather than the context. An op queued
	// as the store closed, after the last commit, is never answered: it
	// was not written.
	select {
	case err := <-op.done:
		return err
	case <-s.batcher.done:
		select {
		case err := <-op.done:
			return err
		default:
			return errStoreClosed
		}
	}
}

func (b *batcher) run() {
	defer close(b.done)
	defer b.closeStatements()
	for {
		var first *batchOp
		select {
		case first = <-b.ops:
		case <-b.stop:
			b.drain()
			return
		}
		ops := []*batchOp{first}
	collect:
		for len(ops) < maxBatch {
			select {
			case op := <-b.ops:
				ops = append(ops, op)
			default:
				break collect
			}
		}
		b.commit(ops)
	}
}

// drain commits whatever was queued before the store closed.
func (b *batcher) drain() {
	for {
		select {
		case op := <-b.ops:
			b.commit([]*batchOp{op})
		default:
			return
		}
	}
}

// commit runs ops in one transaction: on PostgreSQL it first locks the
// reports' groups (lockGroups); then the trial ops together, set-based,
// then the reports together, then every other op behind a savepoint so
// that one failing undoes only itself. When a set's statements fail, its
// ops run again one by one, so that the failure is answered to its op
// alone.
func (b *batcher) commit(ops []*batchOp) {
	results := make([]error, len(ops))
	other := false
	err := b.db.Transaction(func(tx *gorm.DB) error {
		var trials, reports set
		for i, op := range ops {
			switch {
			case op.ctx.Err() != nil:
				results[i] = op.ctx.Err()
			case op.trial != nil:
				trials.add(op, i)
			case op.report != nil:
				reports.add(op, i)
			default:
				other = true
			}
		}
		if err := b.lockGroups(tx, reports.ops); err != nil {
			return err
		}
		if err := b.applySet(tx, "trials", trials, results, b.applyTrialOps); err != nil {
			return err
		}
		if err := b.applySet(tx, "reports", reports, results, b.applyReportOps); err != nil {
			return err
		}
		for i, op := range ops {
			if op.fn == nil || results[i] != nil {
				continue
			}
			sp := fmt.Sprintf("op%d", i)
			if err := tx.SavePoint(sp).Error; err != nil {
				return err
			}
			b.gen.Add(1)
			if err := op.fn(tx.WithContext(op.ctx)); err != nil {
				results[i] = err
				if err := tx.RollbackTo(sp).Error; err != nil {
					return err
				}
			}
		}
		return nil
	})
	if other {
		// Only trial ops and reports leave the kept reads as they are.
		b.store.hot.purge()
	}
	if err != nil {
		b.forget()
	} else {
		b.committed()
	}
	b.commits.Add(1)
	b.prepare()
	for i, op := range ops {
		if err != nil {
			results[i] = fmt.Errorf("store: commit: %w", err)
		}
		op.done <- results[i]
	}
}

// set is the ops of one kind in a batch, with their places in it.
type set struct {
	ops []*batchOp
	idx []int
}

func (s *set) add(op *batchOp, i int) {
	s.ops, s.idx = append(s.ops, op), append(s.idx, i)
}

// applySet applies a set's ops together behind a savepoint; if the set's
// statements fail, it undoes them and applies each op alone.
func (b *batcher) applySet(tx *gorm.DB, name string, s set, results []error, apply func(tx *gorm.DB, ops []*batchOp, results []error) error) error {
	if len(s.ops) == 0 {
		return nil
	}
	try := func(sp string, ops []*batchOp, idx []int) (error, error) {
		if err := tx.SavePoint(sp).Error; err != nil {
			return nil, err
		}
		res := make([]error, len(ops))
		err := apply(tx, ops, res)
		if err != nil {
			// What the writer keeps may hold what was undone.
			b.forget()
			if rerr := tx.RollbackTo(sp).Error; rerr != nil {
				return nil, rerr
			}
			return err, nil
		}
		for j, i := range idx {
			results[i] = res[j]
		}
		return nil, nil
	}
	failed, err := try(name, s.ops, s.idx)
	if err != nil || failed == nil || len(s.ops) == 1 {
		if failed != nil {
			results[s.idx[0]] = failed
		}
		return err
	}
	for j, op := range s.ops {
		failed, err := try(fmt.Sprintf("%s%d", name, j), []*batchOp{op}, s.idx[j:j+1])
		if err != nil {
			return err
		}
		if failed != nil {
			results[s.idx[j]] = failed
		}
	}
	return nil
}

// close commits what is queued and stops the batcher.
func (b *batcher) close() {
	select {
	case <-b.stop:
	default:
		close(b.stop)
	}
	<-b.done
}
