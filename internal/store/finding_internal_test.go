package store

import (
	"context"
	"testing"
)

// ExecForTest runs a statement on s's writer, for the tests of package
// store_test that lay out rows by hand.
func ExecForTest(tb testing.TB, s *Store, query string, args ...any) {
	tb.Helper()
	if err := s.write.WithContext(context.Background()).Exec(query, args...).Error; err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
}
