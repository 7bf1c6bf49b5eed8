package store

import (
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/sandpit-nhs/sandpit/internal/findings"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// reportOp is a problem report waiting for the next group commit. The
// batch groups each report of the set into a finding in arrival order,
// against every report stored before it and those earlier in the batch,
// then writes the set with multi-row statements.
type reportOp struct {
	w          TrialWrite
	workflowID int64
	report     sandpit.Report // validated; answered with its id, finding and time
	screen     *sandpit.Screen
	words      string // findings.WordList of the report's text
	now        func() time.Time
}

// groupKey is what a report must share with the reports of a finding it
// joins: the workflow, the screen and the category.
type groupKey struct {
	workflow         int64
	screen, category string
}

type cell struct{ x, y int }

// group is what grouping needs of the reports of one groupKey: each
// report's finding, pin and word set, filed by word and by pin.
type group struct {
	reports    []findings.Candidate
	spots      []spot           // by report: what grouping reads of it, kept small and together
	wordIDs    map[string]int32 // each word seen, numbered
	byWord     [][]int32        // by word number, the reports with that word
	byCell     map[cell][]int32 // reports by pin square of side cellSide
	cellSide   int
	findingIDs map[int64]int32 // each finding seen, numbered
	// Scratch for grouping one report: words each report shares with it,
	// the reports sharing any, and the best report of each finding so far.
	shared  []uint16
	touched []int32
	best    []best
}

// spot is what grouping reads of a report: its pin, the size of its word
// set and its finding's number in the group. Grouping one report reads
// these of hundreds of others in no order: apart from the whole Candidate
// (its word set and strings) they stay in the processor's cache as the
// group grows.
type spot struct{ x, y, size, finding int32 }

// best is a finding's report nearest and report most similar to the
// report being grouped, among those that may join it.
type best struct {
	seen          bool
	near, similar int32
	distance      int // squared
	jaccard       float64
}

// newGroup returns an empty group filing pins under squares of about half
// the pin distance limit of its screen (its first report's): a report's
// candidates by pin are then in the few squares its circle reaches, which
// hold little more than the circle.
func newGroup(limit float64) *group {
	return &group{wordIDs: map[string]int32{}, byCell: map[cell][]int32{}, findingIDs: map[int64]int32{},
		cellSide: max(1, int(math.Ceil(limit/2)))}
}

// within reports whether a pin dx, dy away is within limit, exactly as
// findings.Match decides it (math.Hypot), which it calls only when the
// squared distance is too near limit² to tell apart.
func within(dx, dy int, limit float64) bool {
	d2, l2 := float64(dx*dx+dy*dy), limit*limit
	switch {
	case d2 < l2*(1-1e-9):
		return true
	case d2 > l2*(1+1e-9):
		return false
	}
	return math.Hypot(float64(dx), float64(dy)) <= limit
}

// clampOff is how far v lies outside [lo, hi].
func clampOff(v, lo, hi int) int {
	return v - min(max(v, lo), hi)
}

func (g *group) add(c findings.Candidate) {
	i := int32(len(g.reports))
	f, ok := g.findingIDs[c.FindingID]
	if !ok {
		f = int32(len(g.best))
		g.findingIDs[c.FindingID] = f
		g.best = append(g.best, best{})
	}
	g.reports = append(g.reports, c)
	g.spots = append(g.spots, spot{int32(c.X), int32(c.Y), int32(len(c.Words)), f})
	g.shared = append(g.shared, 0)
	for w := range c.Words {
		id, ok := g.wordIDs[w]
		if !ok {
			id = int32(len(g.byWord))
			g.wordIDs[w] = id
			g.byWord = append(g.byWord, nil)
		}
		g.byWord[id] = append(g.byWord[id], i)
	}
	k := cell{floorDiv(c.X, g.cellSide), floorDiv(c.Y, g.cellSide)}
	g.byCell[k] = append(g.byCell[k], i)
}

func floorDiv(a, b int) int {
	return int(math.Floor(float64(a) / float64(b)))
}

// candidates are reports of the group for grouping (findings.Match) to
// choose among for a report pinned at (x, y) with the given word set,
// limit being the pin distance on its screen. A report can join a finding
// through any of its reports pinned within limit or sharing a Jaccard
// similarity of at least 0.5, so those are found by pin square and by the
// words they share. Grouping
// ranks a finding by the least distance and the greatest similarity of
// such reports, so of each finding only the report nearest and the report
// most similar are candidates: the choice is the same as among them all.
func (g *group) candidates(x, y int, words []string, limit float64) []findings.Candidate {
	touched := g.touched[:0]
	for _, w := range words {
		id, ok := g.wordIDs[w]
		if !ok {
			continue
		}
		for _, i := range g.byWord[id] {
			if g.shared[i] == 0 {
				touched = append(touched, i)
			}
			g.shared[i]++
		}
	}
	var seen []int32 // findings with a report that may join
	consider := func(i int32) {
		s := g.spots[i]
		inter := int(g.shared[i])
		j := 0.0
		if union := len(words) + int(s.size) - inter; union > 0 {
			j = float64(inter) / float64(union)
		}
		// Squared distances order pins as distances do.
		dx, dy := int(s.x)-x, int(s.y)-y
		d := dx*dx + dy*dy
		if j < findings.MinJaccard && !within(dx, dy, limit) {
			return
		}
		b := &g.best[s.finding]
		if !b.seen {
			*b = best{seen: true, near: i, similar: i, distance: d, jaccard: j}
			seen = append(seen, s.finding)
			return
		}
		if d < b.distance {
			b.near, b.distance = i, d
		}
		if j > b.jaccard {
			b.similar, b.jaccard = i, j
		}
	}
	// similar says report i is at least half like the report: a Jaccard
	// similarity |A∩B| / |A∪B| ≥ 0.5 is 3·|A∩B| ≥ |A| + |B|.
	similar := func(i int32) bool {
		return g.shared[i] > 0 && 3*int(g.shared[i]) >= len(words)+int(g.spots[i].size)
	}
	for _, i := range touched {
		if similar(i) {
			consider(i)
		}
	}
	side := g.cellSide
	for cx := floorDiv(int(math.Floor(float64(x)-limit)), side); cx <= floorDiv(int(math.Ceil(float64(x)+limit)), side); cx++ {
		for cy := floorDiv(int(math.Floor(float64(y)-limit)), side); cy <= floorDiv(int(math.Ceil(float64(y)+limit)), side); cy++ {
			// No pin of a square whose nearest point is beyond the limit
			// can be within it.
			if !within(clampOff(x, cx*side, cx*side+side-1), clampOff(y, cy*side, cy*side+side-1), limit) {
				continue
			}
			for _, i := range g.byCell[cell{cx, cy}] {
				// One similar enough was considered above.
				if s := g.spots[i]; within(int(s.x)-x, int(s.y)-y, limit) && !similar(i) {
					consider(i)
				}
			}
		}
	}
	for _, i := range touched {
		g.shared[i] = 0
	}
	g.touched = touched
	out := make([]findings.Candidate, 0, 2*len(seen))
	for _, f := range seen {
		b := &g.best[f]
		out = append(out, g.reports[b.near])
		if b.similar != b.near {
			out = append(out, g.reports[b.similar])
		}
		b.seen = false
	}
	return out
}

// group returns the group of k in m, reading it whole on SQLite the first
// time; limit is the pin distance limit on the screen of the report that
// needs it. On PostgreSQL, where other replicas store reports too, the
// group holds only this batch's reports, and each report's candidates are
// read from the database as well.
func (b *batcher) group(tx *gorm.DB, m *memo, k groupKey, limit float64) (*group, error) {
	if g := m.groups[k]; g != nil {
		return g, nil
	}
	g := newGroup(limit)
	if b.store.dialect == SQLite {
		rows, err := tx.Raw(`SELECT r.finding_id, r.x, r.y, r.words, CASE WHEN r.words IS NULL THEN r.text ELSE '' END
			FROM reports r JOIN findings f ON f.id = r.finding_id
			WHERE r.screen = ? AND r.category = ? AND f.workflow_id = ? ORDER BY r.id`, k.screen, k.category, k.workflow).Rows()
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			c := findings.Candidate{Pinned: findings.Pinned{Screen: k.screen, Category: k.category}}
			var list *string
			var text string
			if err := rows.Scan(&c.FindingID, &c.X, &c.Y, &list, &text); err != nil {
				return nil, err
			}
			c.FindingOrder = c.FindingID
			if list != nil {
				c.Words = findings.ParseWordList(*list)
			} else {
				c.Words = findings.Words(text)
			}
			g.add(c)
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	m.groups[k] = g
	m.indexed += len(g.reports)
	return g, nil
}

// applyReportOps groups and writes ops (every one a report whose context
// is live) in tx, answering each op's reportOp or setting its error in
// results. The error returned is the database's: the caller undoes the
// batch's writes and runs the ops one by one.
func (b *batcher) applyReportOps(tx *gorm.DB, ops []*batchOp, results []error) error {
	s := b.store
	q, err := b.setSQL(tx)
	if err != nil {
		return err
	}
	ids := make([]int64, len(ops))
	for i, op := range ops {
		ids[i] = op.report.w.TrialID
	}
	m, err := b.memo(q)
	if err != nil {
		return err
	}
	trials, err := q.trials(m, ids, false)
	if err != nil {
		return err
	}
	var stored []*reportOp
	for i, op := range ops {
		o := op.report
		r := &o.report
		tr, ok := trials[o.w.TrialID]
		if !ok || tr.UserID != o.w.UserID {
			results[i] = sandpit.Errorf(sandpit.ENOTFOUND, "Trial not found.")
			continue
		}
		if err := writableTrial(tr.domain(), o.w); err != nil {
			results[i] = err
			continue
		}
		limit := findings.PinShare * math.Hypot(float64(o.screen.Width), float64(o.screen.Height))
		g, err := b.group(tx, m, groupKey{o.workflowID, r.Screen, r.Category}, limit)
		if err != nil {
			return err
		}
		wordSet := strings.Fields(o.words)
		candidates := g.candidates(r.X, r.Y, wordSet, limit)
		if s.dialect == Postgres {
			c := candidateQuery{workflowID: o.workflowID, report: *r, words: wordSet, limit: limit}
			more, err := c.read(tx, 0, math.MaxInt64)
			if err != nil {
				return err
			}
			candidates = append(candidates, more...)
		}
		pinned := findings.Pinned{Screen: r.Screen, Category: r.Category, X: r.X, Y: r.Y, Text: r.Text}
		r.FindingID = findings.Match(pinned, o.screen.Width, o.screen.Height, candidates)
		r.TrialID, r.CreatedAt = o.w.TrialID, o.now().UTC()
		if r.FindingID == 0 {
			rows, err := q.query(`INSERT INTO findings (workflow_id, status, created_at, updated_at) VALUES (?, 'new', ?, ?) RETURNING id`,
				o.workflowID, r.CreatedAt, r.CreatedAt)
			if err != nil {
				return err
			}
			if err := scanOne(rows, &r.FindingID); err != nil {
				return err
			}
		}
		g.add(findings.Candidate{Pinned: findings.Pinned{FindingID: r.FindingID, Screen: r.Screen, Category: r.Category, X: r.X, Y: r.Y},
			FindingOrder: r.FindingID, Words: findings.ParseWordList(o.words)})
		m.indexed++
		stored = append(stored, o)
	}
	if len(stored) == 0 {
		return nil
	}
	return q.insertReports(stored)
}

// lockGroups takes, on PostgreSQL, a lock until commit on each report
// group (workflow, screen and category) of the reports in ops, in the same
// order in every batch. A replica's batch with reports of a group another
// replica's batch is grouping waits for that one to commit, then sees its
// reports: each report is grouped against every report stored before it,
// as by one writer (METRICS.md). Taken first in a batch, before any row
// lock, they can't deadlock with the trials' locks. SQLite has one writer.
func (b *batcher) lockGroups(tx *gorm.DB, ops []*batchOp) error {
	if b.store.dialect != Postgres || len(ops) == 0 {
		return nil
	}
	q, err := b.setSQL(tx)
	if err != nil {
		return err
	}
	keys := make([]int64, 0, len(ops))
	for _, op := range ops {
		h := fnv.New64a()
		fmt.Fprintf(h, "report group %d\x00%s\x00%s", op.report.workflowID, op.report.report.Screen, op.report.report.Category)
		keys = append(keys, int64(h.Sum64()))
	}
	slices.Sort(keys)
	for _, k := range slices.Compact(keys) {
		if err := q.exec(`SELECT pg_advisory_xact_lock(?)`, k); err != nil {
			return err
		}
	}
	return nil
}

// insertReports writes reports with ids reserved in their order, and on
// PostgreSQL their word rows, the index its batches search for candidates
// (SQLite's writer keeps its own, memo).
func (q setSQL) insertReports(ops []*reportOp) error {
	ids, err := q.reserveIDs("reports", len(ops))
	if err != nil {
		return err
	}
	s := q.b.store
	args := make([]any, 0, 13*len(ops))
	var words []any
	for i, o := range ops {
		r := &o.report
		r.ID = ids[i]
		args = append(args, r.ID, r.TrialID, r.TaskKey, r.Screen, r.X, r.Y, r.Category, r.Severity, r.SafetyConcern, r.Text,
			r.CreatedAt, r.FindingID, o.words)
		if s.dialect == Postgres {
			for _, w := range strings.Fields(o.words) {
				words = append(words, o.workflowID, r.Screen, r.Category, w, r.ID)
			}
		}
	}
	err = pieces(len(ops), func(off, n int) error {
		return q.exec(`INSERT INTO reports (id, trial_id, task_key, screen, x, y, category, severity, safety_concern, text,
			created_at, finding_id, words) VALUES `+s.valuesList(n, "bigint", "bigint", "text", "text", "integer", "integer",
			"text", "integer", "boolean", "text", "timestamptz", "bigint", "text"), args[13*off:13*(off+n)]...)
	})
	if err != nil {
		return err
	}
	return pieces(len(words)/5, func(off, n int) error {
		return q.exec(`INSERT INTO report_words (workflow_id, screen, category, word, report_id) VALUES `+
			s.valuesList(n, "bigint", "text", "text", "text", "bigint"), words[5*off:5*(off+n)]...)
	})
}
