package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math/rand/v2"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// tasksPerRelease is how many tasks each release has: sandpit.MaxTasks.
const tasksPerRelease = 50

// load is the clients, their accounts and trials, and the servers they
// call round-robin.
type load struct {
	bases   []string
	next    atomic.Uint64
	http    *http.Client
	nonce   string
	owner   string
	release []int64
	clients []*client
	// reportsStored counts the reports this run stored.
	reportsStored atomic.Int64
}

// client is one clinician and where they are in their trials.
type client struct {
	token  string
	rng    *rand.Rand
	trials map[int]int64 // release index → trial id
	rel    int           // the release being clicked through
	task   int           // the task of it
	seq    int           // the last click's seq, 0 before the first
	screen string        // the screen shown; "" before the task starts
}

func newLoad(bases []string, clients int) *load {
	tr := &http.Transport{MaxIdleConns: 4 * clients, MaxIdleConnsPerHost: 4 * clients, IdleConnTimeout: time.Minute}
	return &load{bases: bases, http: &http.Client{Transport: tr, Timeout: time.Minute}, nonce: nonce(time.Now())}
}

// nonce tells this run's names apart, in letters only: a run of ten digits
// in an email looks like an NHS number, which Sandpit refuses.
func nonce(t time.Time) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return 'g' + (r - '0')
		}
		return r
	}, strconv.FormatInt(t.UnixNano(), 16))
}

// call sends one request to the next server and returns the status and
// body.
func (l *load) call(ctx context.Context, method, path, token string, body any) (int, []byte, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		r = bytes.NewReader(b)
	}
	base := l.bases[l.next.Add(1)%uint64(len(l.bases))]
	req, err := http.NewRequestWithContext(ctx, method, base+path, r)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := l.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return resp.StatusCode, out, err
}

// want calls the API and decodes the answer into out, failing unless the
// status is one of statuses.
func (l *load) want(ctx context.Context, out any, method, path, token string, body any, statuses ...int) error {
	status, b, err := l.call(ctx, method, "/api/v1"+path, token, body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	ok := false
	for _, s := range statuses {
		ok = ok || s == status
	}
	if !ok {
		return fmt.Errorf("%s %s = %d: %s", method, path, status, truncate(b))
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("%s %s: %v: %s", method, path, err, truncate(b))
		}
	}
	return nil
}

func truncate(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}

// token signs in and returns an API token.
func (l *load) token(ctx context.Context, email, password string) (string, error) {
	var out struct{ Token string }
	err := l.want(ctx, &out, "POST", "/tokens", "", map[string]any{"email": email, "password": password, "label": "load"}, 201)
	return out.Token, err
}

const password = "load-password-long-enough"

// setup makes a team with a product owner, a workflow with o.releases open
// releases, and a clinician per client with a trial of the first release.
func (l *load) setup(ctx context.Context, o options) error {
	admin, err := l.token(ctx, o.adminEmail, o.adminPass)
	if err != nil {
		return err
	}
	var team struct{ ID int64 }
	if err := l.want(ctx, &team, "POST", "/teams", admin, map[string]any{"name": "Load " + l.nonce}, 201); err != nil {
		return err
	}
	ownerEmail := "owner-" + l.nonce + "@example.nhs.uk"
	if err := l.want(ctx, nil, "POST", "/users", admin, map[string]any{"email": ownerEmail, "name": "Load Owner",
		"password": password, "roles": []string{"product_owner"}}, 201); err != nil {
		return err
	}
	if err := l.want(ctx, nil, "POST", fmt.Sprintf("/teams/%d/members", team.ID), admin, map[string]any{"email": ownerEmail}, 201); err != nil {
		return err
	}
	if l.owner, err = l.token(ctx, ownerEmail, password); err != nil {
		return err
	}
	var wf struct{ ID int64 }
	if err := l.want(ctx, &wf, "POST", fmt.Sprintf("/teams/%d/workflows", team.ID), l.owner, map[string]any{
		"title": "Load " + l.nonce, "description": "Measured by sandpit-load.", "consent_text": "You agree to take part."}, 201); err != nil {
		return err
	}
	for i := range o.releases {
		var rel struct{ ID int64 }
		if err := l.want(ctx, &rel, "POST", fmt.Sprintf("/workflows/%d/releases", wf.ID), l.owner, definition(fmt.Sprintf("load-%d", i)), 201); err != nil {
			return err
		}
		if err := l.want(ctx, nil, "POST", fmt.Sprintf("/releases/%d/publish", rel.ID), l.owner, nil, 200); err != nil {
			return err
		}
		l.release = append(l.release, rel.ID)
	}
	l.clients = make([]*client, o.clients)
	return parallel(ctx, o.clients, 16, func(ctx context.Context, i int) error {
		email := fmt.Sprintf("clinician-%s-%d@example.nhs.uk", l.nonce, i)
		if err := l.want(ctx, nil, "POST", "/users", admin, map[string]any{"email": email, "name": fmt.Sprintf("Clinician %d", i),
			"password": password, "roles": []string{"clinician"}, "profile": map[string]any{"profession": "nurse", "setting": "acute",
				"years_experience": 5, "legacy_familiarity": 3}}, 201); err != nil {
			return err
		}
		token, err := l.token(ctx, email, password)
		if err != nil {
			return err
		}
		c := &client{token: token, rng: rand.New(rand.NewPCG(uint64(i), 7)), trials: map[int]int64{}}
		l.clients[i] = c
		return l.consent(ctx, c, 0)
	})
}

// consent starts c's trial of release index rel.
func (l *load) consent(ctx context.Context, c *client, rel int) error {
	var trial struct{ ID int64 }
	if err := l.want(ctx, &trial, "POST", fmt.Sprintf("/releases/%d/trials", l.release[rel]), c.token,
		map[string]any{"consent": map[string]any{"accepted": true, "research_use": true}}, 201, 200); err != nil {
		return err
	}
	if trial.ID == 0 {
		return fmt.Errorf("consent to release %d: no trial id", l.release[rel])
	}
	c.trials[rel] = trial.ID
	return nil
}

// parallel runs fn(i) for i < n on workers goroutines, returning the first
// error.
func parallel(ctx context.Context, n, workers int, fn func(ctx context.Context, i int) error) error {
	var next atomic.Int64
	var first error
	var once sync.Once
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := fn(ctx, i); err != nil {
					once.Do(func() { first = err })
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}

// The screens' hotspots: list → record → done.
var (
	hitList    = [2]int{50, 130}  // on list, opens record
	hitRecord  = [2]int{50, 260}  // on record, saves: done
	missList   = [2]int{395, 5}   // on list, nothing
	missRecord = [2]int{200, 100} // on record, nothing
)

// definition is a runnable release of tasksPerRelease tasks, each along
// list → record → done.
func definition(version string) map[string]any {
	screen := func(key, title string, shade uint8, hotspots []map[string]any) map[string]any {
		return map[string]any{"key": key, "title": title, "image": pngURI(shade), "hotspots": hotspots}
	}
	var tasks []map[string]any
	for i := range tasksPerRelease {
		tasks = append(tasks, map[string]any{"key": fmt.Sprintf("t%d", i), "title": fmt.Sprintf("Task %d", i),
			"scenario": "Open the record and save it.", "start": "list", "success": []string{"done"},
			"optimal_path": []string{"list", "record", "done"}, "daily_frequency": 4})
	}
	return map[string]any{"version": version, "notes": "For sandpit-load.", "baseline": false,
		"screens": []map[string]any{
			screen("list", "Ward list", 40, []map[string]any{{"x": 40, "y": 120, "w": 300, "h": 48, "target": "record", "label": "Open the record"}}),
			screen("record", "Record", 80, []map[string]any{{"x": 0, "y": 250, "w": 400, "h": 50, "target": "done", "label": "Save"}}),
			screen("done", "Done", 120, []map[string]any{}),
		},
		"tasks": tasks}
}

// pngURI is a 400 × 300 PNG of one grey, as a data URI.
func pngURI(shade uint8) string {
	img := image.NewGray(image.Rect(0, 0, 400, 300))
	for i := range img.Pix {
		img.Pix[i] = shade
	}
	img.Set(0, 0, color.Gray{Y: shade + 1})
	var b bytes.Buffer
	png.Encode(&b, img)
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(b.Bytes())
}

// phase is one kind of load: op runs one request of client c and checks
// its answer.
type phase struct {
	name string
	op   func(ctx context.Context, c *client) error
}

func (l *load) phase(name string) (phase, bool) {
	switch name {
	case "noop":
		return phase{name, l.noop}, true
	case "clicks":
		return phase{name, l.click}, true
	case "reports":
		return phase{name, l.report}, true
	case "reads":
		return phase{name, l.read}, true
	}
	return phase{}, false
}

func (l *load) noop(ctx context.Context, c *client) error {
	status, body, err := l.call(ctx, "GET", "/healthz", "", nil)
	if err != nil {
		return err
	}
	if status != 200 || string(body) != "ok\n" {
		return fmt.Errorf("GET /healthz = %d: %s", status, truncate(body))
	}
	return nil
}

// click takes c's next step along its tasks: a consent when it reaches a
// release it has no trial of, a task start, or a click on the path, one in
// five a misclick.
func (l *load) click(ctx context.Context, c *client) error {
	if c.rel >= len(l.release) {
		return errExhausted
	}
	trial, ok := c.trials[c.rel]
	if !ok {
		return l.consent(ctx, c, c.rel)
	}
	task := fmt.Sprintf("/trials/%d/tasks/t%d", trial, c.task)
	type screenJSON struct{ Key string }
	if c.screen == "" {
		var out struct {
			Screen screenJSON
			Done   bool
		}
		if err := l.want(ctx, &out, "POST", task+"/start", c.token, nil, 200); err != nil {
			return err
		}
		if out.Screen.Key != "list" || out.Done {
			return fmt.Errorf("start %s: screen %q, done %v; want list, not done", task, out.Screen.Key, out.Done)
		}
		c.screen, c.seq = "list", 0
		return nil
	}
	miss := c.rng.IntN(5) == 0
	var at [2]int
	var next string
	switch {
	case c.screen == "list" && miss:
		at, next = missList, "list"
	case c.screen == "list":
		at, next = hitList, "record"
	case miss:
		at, next = missRecord, "record"
	default:
		at, next = hitRecord, "done"
	}
	c.seq++
	var out struct {
		Hit     bool
		Screen  screenJSON
		Done    bool
		Outcome string
	}
	if err := l.want(ctx, &out, "POST", task+"/clicks", c.token, map[string]any{"seq": c.seq, "x": at[0], "y": at[1]}, 200); err != nil {
		// Where the attempt stands is unknown now: leave it and go on
		// with the next task.
		c.advance()
		return err
	}
	done := next == "done"
	if out.Hit == miss || out.Screen.Key != next || out.Done != done || (done && out.Outcome != "direct" && out.Outcome != "indirect") {
		return fmt.Errorf("click %d on %s: hit %v, screen %q, done %v, outcome %q; want hit %v, screen %q", c.seq, task,
			out.Hit, out.Screen.Key, out.Done, out.Outcome, !miss, next)
	}
	c.screen = next
	if done {
		c.advance()
	}
	return nil
}

// advance moves c on to its next task.
func (c *client) advance() {
	c.screen, c.task = "", c.task+1
	if c.task == tasksPerRelease {
		c.rel, c.task = c.rel+1, 0
	}
}

// errExhausted stops a client that has finished every task of every
// release; it counts as one error.
var errExhausted = errors.New("a client finished every task of every release: run with more -releases")

// reportWords are the words reports are made of: a few topics, so that
// some reports group into one finding and others start their own.
var reportWords = strings.Fields(`allergy banner hides dose button save list record colour contrast font small
	scroll table column sort date time nurse ward bed alert warning red amber green label unclear menu hidden
	search filter slow loading page print summary medicine chart`)

var reportCategories = []string{"layout", "navigation", "terminology", "missing_information"}

// report stores a problem report on c's first trial.
func (l *load) report(ctx context.Context, c *client) error {
	var words []string
	for range 4 + c.rng.IntN(4) {
		words = append(words, reportWords[c.rng.IntN(len(reportWords))])
	}
	screen := []string{"list", "record", "done"}[c.rng.IntN(3)]
	var out struct {
		ID        int64
		FindingID int64 `json:"finding_id"`
	}
	if err := l.want(ctx, &out, "POST", fmt.Sprintf("/trials/%d/reports", c.trials[0]), c.token, map[string]any{
		"screen": screen, "x": c.rng.IntN(400), "y": c.rng.IntN(300),
		"category": reportCategories[c.rng.IntN(len(reportCategories))], "severity": 1 + c.rng.IntN(4),
		"safety_concern": false, "text": "The " + strings.Join(words, " ") + "."}, 201); err != nil {
		return err
	}
	if out.ID == 0 || out.FindingID == 0 {
		return fmt.Errorf("report: id %d, finding %d; want both", out.ID, out.FindingID)
	}
	l.reportsStored.Add(1)
	return nil
}

// read fetches the first release's report as its product owner.
func (l *load) read(ctx context.Context, c *client) error {
	var out map[string]any
	if err := l.want(ctx, &out, "GET", fmt.Sprintf("/releases/%d/report", l.release[0]), l.owner, nil, 200); err != nil {
		return err
	}
	if len(out) == 0 {
		return fmt.Errorf("the release report is empty")
	}
	return nil
}

// seedReports stores n reports from every client at once, untimed.
func (l *load) seedReports(ctx context.Context, n int) error {
	var left atomic.Int64
	left.Store(int64(n))
	return parallel(ctx, len(l.clients), len(l.clients), func(ctx context.Context, i int) error {
		for left.Add(-1) >= 0 {
			if err := l.report(ctx, l.clients[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

// result is one phase's figures.
type result struct {
	phase         string
	ok, errors    int
	elapsed       time.Duration
	p50, p90, p99 time.Duration
	sampleErrors  []string
	cpu           cpuUse // used by the load tool and the servers during the phase
}

func (r result) rate() float64 { return float64(r.ok) / r.elapsed.Seconds() }

// drive runs ph from every client at once for d.
func (l *load) drive(ctx context.Context, ph phase, d time.Duration) result {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var mu sync.Mutex
	var all []time.Duration
	res := result{phase: ph.name}
	start := time.Now()
	var wg sync.WaitGroup
	for _, c := range l.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration
			var errs []string
			for ctx.Err() == nil {
				t := time.Now()
				err := ph.op(ctx, c)
				if ctx.Err() != nil && err != nil {
					break // cut off by the end of the phase, not failed
				}
				if err != nil {
					errs = append(errs, err.Error())
					if errors.Is(err, errExhausted) {
						break
					}
					continue
				}
				lat = append(lat, time.Since(t))
			}
			mu.Lock()
			all = append(all, lat...)
			res.errors += len(errs)
			for _, e := range errs {
				if len(res.sampleErrors) < 5 {
					res.sampleErrors = append(res.sampleErrors, e)
				}
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	res.ok = len(all)
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	pct := func(p float64) time.Duration {
		if len(all) == 0 {
			return 0
		}
		return all[int(p*float64(len(all)-1))]
	}
	res.p50, res.p90, res.p99 = pct(0.50), pct(0.90), pct(0.99)
	return res
}

// printTable prints one line per phase and clicks ÷ no-op.
func printTable(w io.Writer, o options, bases []string, results []result, reports int64) {
	fmt.Fprintf(w, "sandpit-load: %d clients, %s a phase, %d server(s)\n", o.clients, o.duration, len(bases))
	fmt.Fprintf(w, "%-8s %9s %9s %7s %9s %9s %9s %10s %10s\n", "phase", "ok", "ok/s", "errors", "p50", "p90", "p99", "server CPU", "load CPU")
	var noop, clicks float64
	for _, r := range results {
		fmt.Fprintf(w, "%-8s %9d %9.0f %7d %9s %9s %9s %10s %10s\n", r.phase, r.ok, r.rate(), r.errors, ms(r.p50), ms(r.p90), ms(r.p99),
			perOK(r.cpu.servers, r.cpu.serversKnown, r.ok), perOK(r.cpu.load, r.cpu.loadKnown, r.ok))
		switch r.phase {
		case "noop":
			noop = r.rate()
		case "clicks":
			clicks = r.rate()
		}
	}
	if noop > 0 && clicks > 0 {
		fmt.Fprintf(w, "clicks ÷ no-op: %.1f%%\n", 100*clicks/noop)
	}
	fmt.Fprintf(w, "reports stored by this run: %d\n", reports)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

// perOK is CPU time d over n answers, in µs, or "-" when unknown.
func perOK(d time.Duration, known bool, n int) string {
	if !known || n == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0fµs", float64(d.Microseconds())/float64(n))
}
