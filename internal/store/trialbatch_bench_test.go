package store

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// BenchmarkTrialWrites is 64 clinicians at once, each clicking (a miss),
// pausing and resuming in turn, through the group commit: one op is one
// of the three.
func BenchmarkTrialWrites(b *testing.B) {
	w := newBatchWorld(b)
	ctx := context.Background()
	const clients = 64
	writes := make([]TrialWrite, clients)
	for i := range writes {
		writes[i] = w.trial(b, fmt.Sprintf("c%d", i), "t0")
		if _, err := w.s.StartAttempt(ctx, writes[i]); err != nil {
			b.Fatal(err)
		}
	}
	var next atomic.Int64
	b.SetParallelism(clients / 2)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		tw := writes[next.Add(1)-1]
		seq := 0
		for i := 0; pb.Next(); i++ {
			var err error
			switch i % 3 {
			case 0:
				seq++
				_, err = w.s.RecordClick(ctx, tw, ClickInput{Seq: seq, Via: sandpit.ViaPointer, X: 50, Y: 50})
			case 1:
				_, err = w.s.UpdateAttempt(ctx, tw, func(a *sandpit.Attempt, now time.Time) error { return a.Pause(now) })
			case 2:
				_, err = w.s.UpdateAttempt(ctx, tw, func(a *sandpit.Attempt, now time.Time) error { a.Resume(now); return nil })
			}
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}
