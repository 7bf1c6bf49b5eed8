package store

import (
	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// memoSize is how many trials, and how many attempts, the writer keeps.
const memoSize = 20_000

// memoReports is how many reports the writer's report index holds at
// most (about 400 bytes each): past it, the index starts again empty and
// reads each group again as reports need it.
const memoReports = 250_000

// memo is what the SQLite writer keeps between batches, as it stood at its
// last commit: the trials and attempts its batches read or wrote, and the
// report index (groups). The writer is the database's only writer, so
// what it keeps stays true until another write: a transaction other than
// the batcher's sets (the batcher's generation moves) or another process's
// (SQLite's data_version moves). Either empties it before the next batch
// reads it. On PostgreSQL other replicas write too, so every batch reads
// (and locks) what it needs and the writer keeps nothing.
type memo struct {
	gen         uint64
	dataVersion int64
	trials      *lru.Cache[int64, trialRow]
	attempts    *lru.Cache[attemptKey, sandpit.Attempt]
	groups      map[groupKey]*group // the report index, by workflow, screen and category
	indexed     int                 // the reports it holds
	// What this batch read or wrote, kept once its commit succeeds.
	newTrials   map[int64]trialRow
	newAttempts map[attemptKey]*sandpit.Attempt
}

func newMemo(gen uint64, dataVersion int64) *memo {
	trials, _ := lru.New[int64, trialRow](memoSize)
	attempts, _ := lru.New[attemptKey, sandpit.Attempt](memoSize)
	return &memo{gen: gen, dataVersion: dataVersion, trials: trials, attempts: attempts,
		groups: map[groupKey]*group{}, newTrials: map[int64]trialRow{}, newAttempts: map[attemptKey]*sandpit.Attempt{}}
}

// memo returns what the writer keeps for the batch running with q: on
// SQLite the kept memo unless something else wrote since, on PostgreSQL an
// empty one for this batch alone.
func (b *batcher) memo(q setSQL) (*memo, error) {
	if b.store.dialect == Postgres {
		return newMemo(0, 0), nil
	}
	rows, err := q.query(`PRAGMA data_version`)
	if err != nil {
		return nil, err
	}
	var version int64
	if err := scanOne(rows, &version); err != nil {
		return nil, err
	}
	gen := b.gen.Load()
	if b.kept == nil || b.kept.gen != gen || b.kept.dataVersion != version {
		b.kept = newMemo(gen, version)
	}
	if b.kept.indexed > memoReports {
		b.kept.groups, b.kept.indexed = map[groupKey]*group{}, 0
	}
	return b.kept, nil
}

// committed keeps what the batch read and wrote, now that it is durable.
func (b *batcher) committed() {
	m := b.kept
	if m == nil {
		return
	}
	for id, r := range m.newTrials {
		m.trials.Add(id, r)
	}
	for k, a := range m.newAttempts {
		m.attempts.Add(k, *cloneAttempt(a))
	}
	clear(m.newTrials)
	clear(m.newAttempts)
}

// forget drops what the writer keeps: a batch's statements were undone,
// and it may hold what they wrote.
func (b *batcher) forget() {
	b.kept = nil
}
