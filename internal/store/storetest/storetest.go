// Package storetest gives each test a fresh, migrated database: a SQLite file
// of its own by default, or a schema of its own in the PostgreSQL named by
// SANDPIT_TEST_POSTGRES.
package storetest

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/store"
	"github.com/sandpit-nhs/sandpit/internal/testdb"
)

// URL returns a SANDPIT_DATABASE_URL for an empty database that is removed
// when the test ends.
func URL(t testing.TB) string {
	t.Helper()
	return testdb.URL(t)
}

// Open opens the database at rawURL, with clock now, closing it when the test
// ends. It does not migrate.
func Open(t testing.TB, rawURL string, now func() time.Time) *store.Store {
	t.Helper()
	loc, err := store.ParseURL(rawURL)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	s, err := store.Open(context.Background(), loc, now, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// New returns a fresh, migrated store whose clock is now.
func New(t testing.TB, now func() time.Time) *store.Store {
	t.Helper()
	s := Open(t, URL(t), now)
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return s
}

// Clock is a settable clock for tests.
type Clock = testdb.Clock

// NewClock returns a clock reading t.
func NewClock(t time.Time) *Clock { return testdb.NewClock(t) }
