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

// reserveIDs returns n new ids of table, in order, as its own inserts
// would take them: on SQLite the next n after its sequence (the writer
// holds the write lock, so no one else takes them), on PostgreSQL n from
// its identity's sequence.
func (q setSQL) reserveIDs(table string, n int) ([]int64, error) {
	ids := make([]int64, 0, n)
	if q.b.store.dialect == Postgres {
		rows, err := q.query(`SELECT nextval(pg_get_serial_sequence(?, 'id')) FROM generate_series(1, ?)`, table, n)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return nil, err
			}
			ids = append(ids, id)
		}
		return ids, rows.Err()
	}
	seq, err := q.sequence(table)
	if err != nil {
		return nil, err
	}
	for i := range n {
		ids = append(ids, seq+1+int64(i))
	}
	return ids, nil
}

// sequence is the greatest id SQLite has given a row of table.
func (q setSQL) sequence(table string) (int64, error) {
	rows, err := q.query(`SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = ?`, table)
	if err != nil {
		return 0, err
	}
	var seq int64
	return seq, scanOne(rows, &seq)
}

// trials reads the trials with the given ids, by id, but those m keeps;
// with lock, all are read and locked in id order against other replicas'
// changes (PostgreSQL).
func (q setSQL) trials(m *memo, ids []int64, lock bool) (map[int64]trialRow, error) {
	out := make(map[int64]trialRow, len(ids))
	var missing []int64
	for _, id := range uniq(ids) {
		if r, ok := m.trials.Get(id); ok && !lock {
			out[id] = r
		} else {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	list := padded(missing)
	args := make([]any, len(list))
	for i, id := range list {
		args[i] = id
	}
	query := `SELECT id, user_id, completed_at FROM trials WHERE id IN (` + strings.TrimSuffix(strings.Repeat("?, ", len(list)), ", ") + `)`
	if lock {
		query += ` ORDER BY id FOR NO KEY UPDATE`
	}
	rows, err := q.query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var r trialRow
		if err := rows.Scan(&r.ID, &r.UserID, &r.CompletedAt); err != nil {
			return nil, err
		}
		out[r.ID] = r
		m.newTrials[r.ID] = r
	}
	return out, rows.Err()
}

// scanOne scans the one row of rows into dest and closes them.
func scanOne(rows *sql.Rows, dest ...any) error {
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := rows.Scan(dest...); err != nil {
		return err
	}
	return rows.Close()
}

func uniq(ids []int64) []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
