// Package store keeps Sandpit's data in SQLite (the embedded default) or
// PostgreSQL (for several replicas) through gorm. All SQL lives here.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Dialects Sandpit can store to.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// Store is Sandpit's database. With SQLite, writes go through one connection
// opened with immediate transactions and reads through a separate read-only
// pool, which is the only arrangement that never answers "database is locked"
// under load; with PostgreSQL both are the same pool.
type Store struct {
	dialect  string
	location Location
	write    *gorm.DB
	read     *gorm.DB
	// prepared is read with each statement prepared once, for the reads
	// every trial write starts with (UserByToken, TrialAndRelease).
	prepared *gorm.DB
	now      func() time.Time
	batcher  *batcher
	// definitions caches the definitions of published releases, which
	// never change, for the click path.
	definitions sync.Map // release id → *sandpit.Definition
	// hot keeps the reads before a trial write for hotTTL.
	hot hot
}

// Location is a parsed SANDPIT_DATABASE_URL.
type Location struct {
	Dialect string // SQLite or Postgres
	Path    string // the SQLite file
	DSN     string // the PostgreSQL URL
}

// ParseURL reads a database URL: "sqlite:PATH" or "postgres://…" (also
// "postgresql://…").
func ParseURL(raw string) (Location, error) {
	switch {
	case strings.HasPrefix(raw, "sqlite:"):
		path := strings.TrimPrefix(raw, "sqlite:")
		if path == "" || strings.ContainsAny(path, "?#") {
			return Location{}, fmt.Errorf("sqlite: needs a file path without '?' or '#', e.g. sqlite:sandpit.db")
		}
		return Location{Dialect: SQLite, Path: path}, nil
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		u, err := url.Parse(raw)
		if err != nil {
			return Location{}, fmt.Errorf("not a valid postgres:// URL: %v", err)
		}
		if u.Host == "" || strings.Trim(u.Path, "/") == "" {
			return Location{}, fmt.Errorf("a postgres:// URL needs a host and a database name, e.g. postgres://user:pass@localhost:5432/sandpit")
		}
		return Location{Dialect: Postgres, DSN: raw}, nil
	default:
		return Location{}, fmt.Errorf("must start with sqlite: or postgres://")
	}
}

// Open connects to the database at loc. Timestamps are written in UTC from
// now, which tests replace to control time.
func Open(ctx context.Context, loc Location, now func() time.Time, log *slog.Logger) (*Store, error) {
	cfg := func() *gorm.Config {
		return &gorm.Config{
			NowFunc: func() time.Time { return now().UTC() },
			Logger: conflictLogger{Interface: logger.NewSlogLogger(log, logger.Config{
				SlowThreshold:             200 * time.Millisecond,
				LogLevel:                  logger.Warn,
				IgnoreRecordNotFoundError: true,
				ParameterizedQueries:      true,
			}), log: log},
			TranslateError: true,
		}
	}
	s := &Store{dialect: loc.Dialect, location: loc, now: now, hot: newHot(hotTTL)}
	switch loc.Dialect {
	case SQLite:
		// The writer opens first: only a read-write connection can switch the
		// file to WAL.
		dsn := "file:" + loc.Path + "?_journal_mode=WAL&_synchronous=FULL&_busy_timeout=5000&_foreign_keys=on&_txlock=immediate"
		w, err := gorm.Open(sqlite.Open(dsn), cfg())
		if err != nil {
			return nil, fmt.Errorf("store: open sqlite %s: %w", loc.Path, err)
		}
		s.write = w
		wdb, _ := w.DB()
		wdb.SetMaxOpenConns(1)
		wdb.SetConnMaxIdleTime(0)
		if err := wdb.PingContext(ctx); err != nil {
			wdb.Close()
			return nil, fmt.Errorf("store: open sqlite %s: %w", loc.Path, err)
		}
		r, err := gorm.Open(sqlite.Open("file:"+loc.Path+"?mode=ro&_busy_timeout=5000&_foreign_keys=on"), cfg())
		if err != nil {
			wdb.Close()
			return nil, fmt.Errorf("store: open sqlite reader %s: %w", loc.Path, err)
		}
		s.read = r
		rdb, _ := r.DB()
		rdb.SetMaxOpenConns(4)
		rdb.SetMaxIdleConns(4)
	case Postgres:
		db, err := gorm.Open(postgres.Open(loc.DSN), cfg())
		if err != nil {
			return nil, fmt.Errorf("store: open postgres: %w", err)
		}
		pdb, _ := db.DB()
		pdb.SetMaxOpenConns(20)
		// Every connection stays open: under load, closing those above an idle
		// limit only to open them again costs a backend start each time.
		pdb.SetMaxIdleConns(20)
		pdb.SetConnMaxLifetime(30 * time.Minute)
		if err := pdb.PingContext(ctx); err != nil {
			pdb.Close()
			return nil, fmt.Errorf("store: open postgres: %w", err)
		}
		s.write, s.read = db, db
	default:
		return nil, fmt.Errorf("store: unknown dialect %q", loc.Dialect)
	}
	s.prepared = s.read.Session(&gorm.Session{PrepareStmt: true})
	s.batcher = newBatcher(s)
	return s, nil
}

// Dialect reports SQLite or Postgres.
func (s *Store) Dialect() string { return s.dialect }

// Now returns the store's clock reading in UTC.
func (s *Store) Now() time.Time { return s.now().UTC() }

// Pools returns the database/sql pools by name, for metrics.
func (s *Store) Pools() map[string]*sql.DB {
	w, _ := s.write.DB()
	if s.read == s.write {
		return map[string]*sql.DB{"primary": w}
	}
	r, _ := s.read.DB()
	return map[string]*sql.DB{"writer": w, "reader": r}
}

// Ping checks that the database answers a query on every pool.
func (s *Store) Ping(ctx context.Context) error {
	for name, db := range s.Pools() {
		var one int
		if err := db.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
			return fmt.Errorf("store: ping %s: %w", name, err)
		}
	}
	return nil
}

// Close commits the writes waiting for a group commit, then closes every
// pool.
func (s *Store) Close() error {
	s.batcher.close()
	var errs []error
	for _, db := range s.Pools() {
		errs = append(errs, db.Close())
	}
	return errors.Join(errs...)
}

// transact runs fn in one write transaction. A transaction that loses a
// client's race (isRace) runs once more, when its reads see the winner's
// writes; losing twice is ECONFLICT, never an internal error. fn must
// therefore set what it returns afresh on each run. Whatever fn changes,
// the reads kept for hotTTL and the writer's report index are forgotten.
func (s *Store) transact(ctx context.Context, fn func(tx *gorm.DB) error) error {
	defer s.hot.purge()
	// Moving the batcher's generation inside the transaction keeps the
	// writer from using a report index read before this commit after it:
	// on SQLite the two never overlap.
	return s.transactKeeping(ctx, func(tx *gorm.DB) error {
		s.batcher.gen.Add(1)
		return fn(tx)
	})
}

// transactKeeping is transact for a change that only adds rows neither
// the kept reads nor the report index hold, such as a new trial: they
// stay as they are, so one clinician's consent doesn't make every other
// request read its token again.
func (s *Store) transactKeeping(ctx context.Context, fn func(tx *gorm.DB) error) error {
	defer s.batcher.commits.Add(1)
	err := s.write.WithContext(ctx).Transaction(fn)
	if isRace(err) && ctx.Err() == nil {
		err = s.write.WithContext(ctx).Transaction(fn)
	}
	return raceConflict(err)
}

// Commits counts the write transactions this server has ended, committed
// or not. A read that starts once the count has moved past n sees every
// write this server acknowledged before it read n.
func (s *Store) Commits() uint64 { return s.batcher.commits.Load() }
