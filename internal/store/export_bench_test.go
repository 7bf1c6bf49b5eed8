package store_test

import (
	"context"
	"io"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/export"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// BenchmarkExportClicksCSV streams the clicks table of a release with about
// 1,000,000 consented click rows from SQLite as CSV, as PRODUCT.md's target
// (≥ 300,000 rows/s, peak memory < 100 MB) asks. It reports rows per second,
// the process's peak resident memory and the Go heap's peak during the
// export, and, as a baseline from the same run, the rows per second of a
// bare scan of the same query's rows with no formatting.
//
//	go test -run XXX -bench ExportClicksCSV -benchtime 3x ./internal/store
func BenchmarkExportClicksCSV(b *testing.B) {
	s, release, _ := store.GenerateForBenchmark(b, 3000, 10, 50)
	ctx := context.Background()
	tables := export.DataTables(ctx, s, []byte("benchmark key"), []int64{release})
	clicks := tables[2]
	if clicks.Name != export.TableClicks {
		b.Fatalf("table 2 is %s", clicks.Name)
	}

	// The baseline: the same rows scanned and dropped.
	var scanned int
	start := time.Now()
	err := s.ExportClicks(ctx, []int64{release}, func(store.ExportClick) error { scanned++; return nil })
	if err != nil {
		b.Fatal(err)
	}
	baseline := float64(scanned) / time.Since(start).Seconds()

	runtime.GC()
	resetPeakRSS(b)
	peakHeap := watchHeap()
	var rows int
	b.ResetTimer()
	for b.Loop() {
		rows = 0
		counted := func(yield func([]string) error) error {
			return clicks.Rows(func(cells []string) error { rows++; return yield(cells) })
		}
		if err := export.WriteCSV(io.Discard, export.TableClicks, counted); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	perSecond := float64(rows) * float64(b.N) / b.Elapsed().Seconds()
	b.ReportMetric(float64(rows), "rows")
	b.ReportMetric(perSecond, "rows/s")
	b.ReportMetric(baseline, "scan-rows/s")
	b.ReportMetric(perSecond/baseline, "ratio-to-scan")
	b.ReportMetric(float64(peakHeap())/1e6, "peak-heap-MB")
	b.ReportMetric(float64(peakRSS(b))/1e6, "peak-RSS-MB")
}

// resetPeakRSS starts the kernel's count of this process's peak resident
// memory again, so the setup's peak does not count.
func resetPeakRSS(b *testing.B) {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Logf("peak RSS not reset, it includes the setup: %v", err)
	}
}

// peakRSS is the process's peak resident memory since resetPeakRSS, in
// bytes (VmHWM).
func peakRSS(b *testing.B) int64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Logf("no peak RSS: %v", err)
		return 0
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// watchHeap samples the Go heap every millisecond until the returned
// function is called, which returns the highest sample.
func watchHeap() func() uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var mu sync.Mutex
	var peak uint64
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				metrics.Read(sample)
				mu.Lock()
				peak = max(peak, sample[0].Value.Uint64())
				mu.Unlock()
			}
		}
	}()
	return func() uint64 {
		close(done)
		mu.Lock()
		defer mu.Unlock()
		return peak
	}
}

// BenchmarkExportFormats writes the whole export of a release of 1,000
// trials × 10 tasks (about 200,000 clicks) in each format, as the export
// page does to measure each download's size, reporting rows per second and
// the Go heap's peak.
//
//	go test -run XXX -bench ExportFormats -benchtime 2x ./internal/store
func BenchmarkExportFormats(b *testing.B) {
	s, release, _ := store.GenerateForBenchmark(b, 1000, 10, 20)
	ctx := context.Background()
	for _, format := range []string{export.FormatDataPackage, export.FormatXLSX, export.FormatJSON} {
		b.Run(format, func(b *testing.B) {
			runtime.GC()
			peakHeap := watchHeap()
			var total int
			for b.Loop() {
				tables := export.DataTables(ctx, s, []byte("benchmark key"), []int64{release})
				rows, err := export.Write(io.Discard, format, "", export.Metadata{Scope: "release", GeneratedAt: time.Now()}, tables)
				if err != nil {
					b.Fatal(err)
				}
				total = 0
				for _, n := range rows {
					total += n
				}
			}
			b.ReportMetric(float64(total), "rows")
			b.ReportMetric(float64(total)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(peakHeap())/1e6, "peak-heap-MB")
		})
	}
}
