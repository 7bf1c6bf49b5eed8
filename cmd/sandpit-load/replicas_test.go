package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// TestReplicasLoseNoClickWhenOneIsKilled runs two servers on one
// PostgreSQL database and clicks the same trials through both in turn;
// midway one server is killed with SIGKILL and its clicks go on to the
// other. Every acknowledged click is stored once, seqs stay in order, and
// the survivor never answers 5xx.
func TestReplicasLoseNoClickWhenOneIsKilled(t *testing.T) {
	url := os.Getenv("SANDPIT_TEST_POSTGRES")
	if url == "" {
		t.Skip("SANDPIT_TEST_POSTGRES is not set")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	o := options{sandpit: buildSandpit(t), database: url, replicas: 2, clients: 24, releases: 1,
		adminEmail: "replica-admin@example.nhs.uk", adminPass: "replica-admin-password"}
	var log bytes.Buffer
	f, err := startFleet(ctx, o, &log)
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	defer f.stop()
	defer func() {
		if t.Failed() {
			for _, p := range f.logs {
				b, _ := os.ReadFile(p)
				t.Logf("%s:\n%s", p, b)
			}
		}
	}()
	l := newLoad(f.bases, o.clients)
	if err := l.setup(ctx, o); err != nil {
		t.Fatal(err)
	}

	// send posts body to path, the first try at server first and, when that
	// server does not answer, at the other.
	var survivor5xx, conflicts atomic.Int64
	send := func(first int, path, token, body string) (int, error) {
		var last error
		for try := range 2 {
			base := f.bases[(first+try)%2]
			req, _ := http.NewRequestWithContext(ctx, "POST", base+"/api/v1"+path, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			resp, err := l.http.Do(req)
			if err != nil {
				last = err
				continue // the server is gone: the same request to the other
			}
			resp.Body.Close()
			if resp.StatusCode >= 500 && base == f.bases[0] {
				survivor5xx.Add(1)
			}
			return resp.StatusCode, nil
		}
		return 0, last
	}

	acked := make([]int, len(l.clients))
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i, c := range l.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			task := fmt.Sprintf("/trials/%d/tasks/t0", c.trials[0])
			if status, err := send(i, task+"/start", c.token, "{}"); status != 200 {
				t.Errorf("client %d: start = %d %v", i, status, err)
				return
			}
			for n, seq := i, 1; ; n, seq = n+1, seq+1 {
				select {
				case <-stop:
					return
				default:
				}
				// A miss on the list screen: the attempt never ends.
				status, err := send(n, task+"/clicks", c.token, fmt.Sprintf(`{"seq":%d,"x":395,"y":5}`, seq))
				switch {
				case status == 200:
					acked[i] = seq
				case status == 409:
					conflicts.Add(1)
					t.Errorf("client %d: click %d = 409", i, seq)
					return
				default:
					t.Errorf("client %d: click %d = %d %v", i, seq, status, err)
					return
				}
			}
		}()
	}
	time.Sleep(2 * time.Second) // clicking through both servers; not a timing assertion
	if err := f.procs[1].Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	close(stop)
	wg.Wait()

	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	total := 0
	for i, c := range l.clients {
		var last, stored, distinct int
		err := db.QueryRowContext(ctx, `SELECT a.last_seq, COUNT(c.seq), COUNT(DISTINCT c.seq) FROM attempts a
			LEFT JOIN clicks c ON c.attempt_id = a.id WHERE a.trial_id = $1 AND a.task_key = 't0' GROUP BY a.last_seq`, c.trials[0]).Scan(&last, &stored, &distinct)
		if err != nil {
			t.Fatalf("client %d: %v", i, err)
		}
		total += acked[i]
		// Each click is retried until answered, so everything stored was
		// acknowledged but, at most, the one in flight when it stopped.
		if stored != last || distinct != stored || last < acked[i] || last > acked[i]+1 {
			t.Errorf("client %d: %d clicks stored (%d distinct), last seq %d; %d acknowledged", i, stored, distinct, last, acked[i])
		}
	}
	if total == 0 {
		t.Fatal("no click was acknowledged")
	}
	if n := survivor5xx.Load(); n > 0 {
		t.Errorf("the surviving server answered 5xx %d times", n)
	}
	t.Logf("%d clicks acknowledged through two replicas, one killed midway", total)
}
