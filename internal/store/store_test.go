package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/store"
	"github.com/sandpit-nhs/sandpit/internal/store/storetest"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		raw     string
		dialect string
		wantErr bool
	}{
		{"sqlite:sandpit.db", store.SQLite, false},
		{"sqlite:/var/lib/sandpit/data.db", store.SQLite, false},
		{"postgres://u:p@localhost:5432/sandpit", store.Postgres, false},
		{"postgresql://u@db/sandpit?sslmode=require", store.Postgres, false},
		{"sqlite:", "", true},
		{"sqlite:x.db?mode=memory", "", true},
		{"postgres://", "", true},
		{"postgres://localhost", "", true},
		{"mysql://localhost/sandpit", "", true},
		{"sandpit.db", "", true},
		{"", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			loc, err := store.ParseURL(tt.raw)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("ParseURL(%q) = %+v, want an error", tt.raw, loc)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseURL(%q): %v", tt.raw, err)
			}
			if loc.Dialect != tt.dialect {
				t.Errorf("dialect = %q, want %q", loc.Dialect, tt.dialect)
			}
		})
	}
}

func TestMigrate(t *testing.T) {
	ctx := context.Background()
	t.Run("applies every migration once and is safe to run again", func(t *testing.T) {
		s := storetest.Open(t, storetest.URL(t), time.Now)
		for i := range 3 {
			if err := s.Migrate(ctx); err != nil {
				t.Fatalf("migrate #%d: %v", i+1, err)
			}
		}
		applied, err := s.AppliedMigrations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(applied) == 0 || applied[0] != "0001_settings" {
			t.Fatalf("applied = %v, want it to start with 0001_settings", applied)
		}
		seen := map[string]bool{}
		for _, v := range applied {
			if seen[v] {
				t.Errorf("migration %s recorded twice", v)
			}
			seen[v] = true
		}
	})
	t.Run("two stores migrating the same database at once both succeed", func(t *testing.T) {
		url := storetest.URL(t)
		a, b := storetest.Open(t, url, time.Now), storetest.Open(t, url, time.Now)
		errs := make(chan error, 2)
		go func() { errs <- a.Migrate(ctx) }()
		go func() { errs <- b.Migrate(ctx) }()
		for range 2 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
	})
}

func TestEnsureSetting(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t, time.Now)
	t.Run("stores the first value", func(t *testing.T) {
		got, err := s.EnsureSetting(ctx, "k", "first")
		if err != nil || got != "first" {
			t.Fatalf("EnsureSetting = %q, %v; want first", got, err)
		}
	})
	t.Run("keeps the first value when asked again", func(t *testing.T) {
		got, err := s.EnsureSetting(ctx, "k", "second")
		if err != nil || got != "first" {
			t.Fatalf("EnsureSetting = %q, %v; want first", got, err)
		}
	})
}

func TestPing(t *testing.T) {
	s := storetest.New(t, time.Now)
	if err := s.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestSQLitePragmas(t *testing.T) {
	s := storetest.New(t, time.Now)
	if s.Dialect() != store.SQLite {
		t.Skip("SQLite only")
	}
	pools := s.Pools()
	for _, p := range []struct{ pragma, want string }{
		{"journal_mode", "wal"},
		{"synchronous", "2"}, // FULL
		{"foreign_keys", "1"},
		{"busy_timeout", "5000"},
	} {
		t.Run(p.pragma, func(t *testing.T) {
			for name, db := range pools {
				var got string
				if err := db.QueryRow("PRAGMA " + p.pragma).Scan(&got); err != nil {
					t.Fatal(err)
				}
				if p.pragma == "synchronous" && name == "reader" {
					continue // a read-only connection never syncs
				}
				if got != p.want {
					t.Errorf("%s: PRAGMA %s = %s, want %s", name, p.pragma, got, p.want)
				}
			}
		})
	}
	t.Run("reader refuses writes", func(t *testing.T) {
		if _, err := pools["reader"].Exec("INSERT INTO settings (key, value, created_at) VALUES ('x', 'y', '2026-01-01')"); err == nil {
			t.Fatal("a write through the read pool succeeded")
		}
	})
}
