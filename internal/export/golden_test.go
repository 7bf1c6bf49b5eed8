package export

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden with the output of the tests")

// golden compares got with the golden file testdata/golden/<name>, reporting
// the first lines that differ, or, with -update, writes got there.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden file: %v (run go test -update to write it)", err)
	}
	if bytes.Equal(got, want) {
		return
	}
	wantLines, gotLines := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	first := 0
	for first < len(wantLines) && first < len(gotLines) && wantLines[first] == gotLines[first] {
		first++
	}
	var diff strings.Builder
	for i := first; i < first+5; i++ {
		if i < len(wantLines) {
			fmt.Fprintf(&diff, "-%d: %s\n", i+1, wantLines[i])
		}
		if i < len(gotLines) {
			fmt.Fprintf(&diff, "+%d: %s\n", i+1, gotLines[i])
		}
	}
	t.Errorf("output differs from %s (%d lines, want %d) from line %d; run go test -update to accept it:\n%s",
		path, len(gotLines), len(wantLines), first+1, diff.String())
}
