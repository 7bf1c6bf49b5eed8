// Package storetest gives each test a fresh, migrated database: a SQLite file
// of its own by default, or a schema of its own in the PostgreSQL named by
// SANDPIT_TEST_POSTGRES.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver

	"github.com/sandpit-nhs/sandpit/internal/store"
)

// URL returns a SANDPIT_DATABASE_URL for an empty database that is removed
// when the test ends.
func URL(t testing.TB) string {
	t.Helper()
	base := os.Getenv("SANDPIT_TEST_POSTGRES")
	if base == "" {
		return "sqlite:" + filepath.Join(t.TempDir(), "sandpit.db")
	}
	// Lower case: PostgreSQL folds unquoted identifiers.
	schema := "test_" + strings.ToLower(rand.Text()[:16])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("storetest: open %s: %v", base, err)
	}
	t.Cleanup(func() { admin.Close() })
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("storetest: create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("storetest: drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("storetest: SANDPIT_TEST_POSTGRES: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
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
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock reading t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's reading.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
