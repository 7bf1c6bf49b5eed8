package store

import "testing"

// GenerateForBenchmark fills a fresh SQLite store with a release of trials
// trials × tasks tasks of about clicksPer clicks each (two in three trials
// consent to research use) and returns the store, the release and every
// click stored, for the benchmarks of package store_test.
func GenerateForBenchmark(tb testing.TB, trials, tasks, clicksPer int) (*Store, int64, int) {
	s := openForTest(tb)
	g := generate(tb, s, trials, tasks, clicksPer)
	return s, g.release, g.clicks
}
