package store

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"
)

// maxBatch is the most writes one commit carries.
const maxBatch = 256

// batchOp is one write waiting for the next commit.
type batchOp struct {
	ctx  context.Context
	fn   func(tx *gorm.DB) error
	done chan error
}

// batcher commits many small writes in one transaction: with synchronous
// FULL a commit costs an fsync, so one per click would cap the server at a
// few thousand clicks a second. Every write still waits for the commit that
// holds it before its caller answers.
type batcher struct {
	db   *gorm.DB
	ops  chan *batchOp
	stop chan struct{}
	done chan struct{}
}

func newBatcher(db *gorm.DB) *batcher {
	b := &batcher{db: db, ops: make(chan *batchOp, 4*maxBatch), stop: make(chan struct{}), done: make(chan struct{})}
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
	op := &batchOp{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case s.batcher.ops <- op:
	case <-s.batcher.stop:
		return errStoreClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued the write is committed or refused whatever the caller
	// does, so wait for the answer rather than the context.
	return <-op.done
}

func (b *batcher) run() {
	defer close(b.done)
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

// commit runs ops in one transaction, each behind a savepoint so that one
// failing undoes only itself.
func (b *batcher) commit(ops []*batchOp) {
	results := make([]error, len(ops))
	err := b.db.Transaction(func(tx *gorm.DB) error {
		for i, op := range ops {
			if err := op.ctx.Err(); err != nil {
				results[i] = err
				continue
			}
			sp := fmt.Sprintf("op%d", i)
			if err := tx.SavePoint(sp).Error; err != nil {
				return err
			}
			if err := op.fn(tx.WithContext(op.ctx)); err != nil {
				results[i] = err
				if err := tx.RollbackTo(sp).Error; err != nil {
					return err
				}
			}
		}
		return nil
	})
	for i, op := range ops {
		if err != nil {
			results[i] = fmt.Errorf("store: commit: %w", err)
		}
		op.done <- results[i]
	}
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
