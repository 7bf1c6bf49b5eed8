package store

import (
	"context"
	"database/sql"
	"fmt"
	"math/bits"
	"slices"
	"strconv"
	"strings"

	"gorm.io/gorm"
)

// setSQL runs a batch's set statements straight through database/sql,
// without gorm's statement building and reflection. On SQLite each shape
// of statement is prepared once and kept (the driver would prepare it
// afresh on every call); on PostgreSQL pgx keeps each shape prepared per
// connection itself. Multi-row statements are cut into pieces of
// power-of-two sizes (pieces) and lists of ids padded to one (padded), so
// that a statement takes at most nine shapes.
type setSQL struct {
	b   *batcher
	ctx context.Context
	tx  *sql.Tx
}

// setSQL returns the set statements of the batch running in tx.
func (b *batcher) setSQL(tx *gorm.DB) (setSQL, error) {
	sqlTx, ok := tx.Statement.ConnPool.(*sql.Tx)
	if !ok {
		return setSQL{}, fmt.Errorf("store: a batch runs in a transaction, not %T", tx.Statement.ConnPool)
	}
	return setSQL{b: b, ctx: tx.Statement.Context, tx: sqlTx}, nil
}

// stmt returns query's kept statement in the transaction, or nil when it
// has none yet: it is then prepared once the transaction is over, when the
// writer's one SQLite connection is free.
func (q setSQL) stmt(query string) *sql.Stmt {
	if q.b.store.dialect != SQLite {
		return nil
	}
	if st, ok := q.b.stmts[query]; ok {
		return q.tx.StmtContext(q.ctx, st)
	}
	q.b.unprepared[query] = true
	return nil
}

// prepare prepares the statements batches used unprepared.
func (b *batcher) prepare() {
	if len(b.unprepared) == 0 {
		return
	}
	db, err := b.db.DB()
	if err != nil {
		return
	}
	for query := range b.unprepared {
		// A statement that fails to prepare runs unprepared.
		if st, err := db.Prepare(query); err == nil {
			b.stmts[query] = st
		}
		delete(b.unprepared, query)
	}
}

// closeStatements closes the statements kept.
func (b *batcher) closeStatements() {
	for _, st := range b.stmts {
		st.Close()
	}
}

func (q setSQL) exec(query string, args ...any) error {
	query = q.b.store.rebind(query)
	var err error
	if st := q.stmt(query); st != nil {
		_, err = st.ExecContext(q.ctx, args...)
	} else {
		_, err = q.tx.ExecContext(q.ctx, query, args...)
	}
	return err
}

func (q setSQL) query(query string, args ...any) (*sql.Rows, error) {
	query = q.b.store.rebind(query)
	if st := q.stmt(query); st != nil {
		return st.QueryContext(q.ctx, args...)
	}
	return q.tx.QueryContext(q.ctx, query, args...)
}

// rebind numbers the ? placeholders of query $1, $2, … for PostgreSQL.
// Set statements hold no ? in literals.
func (s *Store) rebind(query string) string {
	if s.dialect != Postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for {
		i := strings.IndexByte(query, '?')
		if i < 0 {
			b.WriteString(query)
			return b.String()
		}
		n++
		b.WriteString(query[:i])
		b.WriteString("$" + strconv.Itoa(n))
		query = query[i+1:]
	}
}

// pieces calls each with the offset and size of the pieces n rows are cut
// into: powers of two, largest first.
func pieces(n int, each func(off, size int) error) error {
	off := 0
	for n > 0 {
		size := 1 << (bits.Len(uint(n)) - 1)
		if err := each(off, size); err != nil {
			return err
		}
		off, n = off+size, n-size
	}
	return nil
}

// padded returns list padded to a power-of-two length by repeating its
// last element, for an IN list or OR of conditions where a repeat changes
// nothing.
func padded[T any](list []T) []T {
	if len(list) == 0 {
		return list
	}
	n := 1 << bits.Len(uint(len(list)-1))
	list = slices.Clip(list)
	for len(list) < n {
		list = append(list, list[len(list)-1])
	}
	return list
}
