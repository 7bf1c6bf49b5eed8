package export

import (
	"bytes"
	"context"
	"testing"

	"github.com/sandpit-nhs/sandpit/internal/store"
)

// TestGoldenJSONAndCSV writes the fixture's workflow export as JSON and as
// every CSV table through Write, and compares each with its golden file
// (go test ./internal/export -run Golden -update rewrites them).
func TestGoldenJSONAndCSV(t *testing.T) {
	f := newFixture(t)
	write := func(format, table string) []byte {
		var buf bytes.Buffer
		tables := DataTables(context.Background(), f.s, f.secret, []int64{f.r1, f.r1b})
		if _, err := Write(&buf, format, table, fixtureMeta(), tables); err != nil {
			t.Fatalf("%s %s: %v", format, table, err)
		}
		return buf.Bytes()
	}
	golden(t, "export.json", write(FormatJSON, ""))
	for _, table := range TableNames() {
		golden(t, "csv/"+table+".csv", write(FormatCSV, table))
	}
}

func TestWriteCountsRows(t *testing.T) {
	f := newFixture(t)
	tables := DataTables(context.Background(), f.s, f.secret, []int64{f.r1, f.r1b})
	var buf bytes.Buffer
	rows, err := Write(&buf, FormatJSON, "", fixtureMeta(), tables)
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range tables {
		if want := len(collect(t, table)); rows[table.Name] != want {
			t.Errorf("%s: Write counted %d rows, the table has %d", table.Name, rows[table.Name], want)
		}
	}
	for format, table := range map[string]string{"pdf": "", FormatCSV: "users", FormatJSON: "clicks"} {
		if err := Check(format, table); err == nil {
			t.Errorf("Check(%q, %q) passed", format, table)
		}
		if _, err := Write(&buf, format, table, fixtureMeta(), tables); err == nil {
			t.Errorf("Write(%q, %q) passed", format, table)
		}
	}
}

func TestSnapshotKeepsTheTablesTogether(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	participants := func(s *store.Store) int { return len(collect(t, DataTables(ctx, s, f.secret, []int64{f.r1b})[0])) }
	attempts := func(s *store.Store) int { return len(collect(t, DataTables(ctx, s, f.secret, []int64{f.r1b})[1])) }
	before := participants(f.s)
	err := f.s.Snapshot(ctx, func(snap *store.Store) error {
		if got := participants(snap); got != before {
			t.Errorf("snapshot starts with %d participants, want %d", got, before)
		}
		// A trial starts and is acknowledged while the export runs.
		eve := f.trial(t, f.r1b, user(t, f.s, "eve", nil), true)
		eve.attempt(t, "t1", [][2]int{{5, 5}})
		if got := participants(snap); got != before {
			t.Errorf("the snapshot sees %d participants after a trial started, want %d", got, before)
		}
		if got := attempts(snap); got != 1 {
			t.Errorf("the snapshot sees %d attempts, want the 1 from before", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := participants(f.s); got != before+1 {
		t.Errorf("after the snapshot %d participants, want %d", got, before+1)
	}
}
