package app

import (
	"context"
	"fmt"
	"sort"

	"golang.org/x/sync/singleflight"

	"github.com/sandpit-nhs/sandpit/internal/findings"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// reportStore is what Reports needs of the store.
type reportStore interface {
	ReleaseMeta(ctx context.Context, id int64) (*store.ReleaseMeta, error)
	Release(ctx context.Context, id int64) (*sandpit.Release, error)
	Workflow(ctx context.Context, id int64) (*sandpit.Workflow, error)
	ReleaseFigures(ctx context.Context, id int64, researchOnly bool) (*findings.Figures, error)
	ComparableReleases(ctx context.Context, id int64) (previous, baseline int64, err error)
	TaskClickPoints(ctx context.Context, releaseID int64, researchOnly bool) (map[string]map[string][]store.ClickPoint, error)
	FindingPlaces(ctx context.Context, releaseID int64, researchOnly bool) (map[int64]store.FindingPlace, error)
	WorkflowFindings(ctx context.Context, scope store.Scope, workflowID int64) ([]store.FindingSummary, error)
	PathCounts(ctx context.Context, releaseID int64, researchOnly bool) (map[string][]store.PathCount, error)
	FindingQuotes(ctx context.Context, ids []int64, researchOnly bool) (map[int64]string, error)
	Commits() uint64
}

// Reports is the use cases of release reports, comparisons, click maps and
// show-and-tell.
type Reports struct {
	store reportStore
	// building lets readers of the same report share one making of it
	// (build).
	building singleflight.Group
}

func newReports(st *store.Store, _ Config) *Reports { return &Reports{store: st} }

// Release returns release id's usability report, compared with the
// previous release and the workflow's baseline: for the team, its
// researchers and admins. Researchers' reports count research-consented
// trials only, as the exports do.
func (r *Reports) Release(ctx context.Context, a Actor, id int64) (*findings.Report, error) {
	researchOnly, err := r.readable(ctx, a, id)
	if err != nil {
		return nil, err
	}
	return r.build(ctx, id, researchOnly)
}

// ReleasePage is the report page of a release: the report, with the
// release, its workflow, the reports of every published release of the
// workflow (oldest first) for the trend, and the clicks and paths of its
// tasks.
type ReleasePage struct {
	Report   *findings.Report
	Release  *sandpit.Release
	Workflow *sandpit.Workflow
	Trend    []*findings.Report
	Clicks   map[string]map[string][]store.ClickPoint // task key → screen key → clicks
	Paths    map[string][]store.PathCount             // task key → paths taken
	Places   map[int64]store.FindingPlace             // finding id → where it was reported in this release
	// ResearchOnly says the page counts research-consented trials only, as
	// a researcher reads it.
	ResearchOnly bool
}

// ReleasePage returns the report page of release id.
func (r *Reports) ReleasePage(ctx context.Context, a Actor, id int64) (*ReleasePage, error) {
	researchOnly, err := r.readable(ctx, a, id)
	if err != nil {
		return nil, err
	}
	rep, err := r.build(ctx, id, researchOnly)
	if err != nil {
		return nil, err
	}
	p := &ReleasePage{Report: rep, ResearchOnly: researchOnly}
	if p.Release, err = r.store.Release(ctx, id); err != nil {
		return nil, err
	}
	if p.Workflow, err = r.store.Workflow(ctx, p.Release.WorkflowID); err != nil {
		return nil, err
	}
	var published []sandpit.ReleaseSummary
	for _, s := range p.Workflow.Releases {
		if s.PublishedAt != nil {
			published = append(published, s)
		}
	}
	sort.SliceStable(published, func(i, j int) bool {
		if !published[i].PublishedAt.Equal(*published[j].PublishedAt) {
			return published[i].PublishedAt.Before(*published[j].PublishedAt)
		}
		return published[i].ID < published[j].ID
	})
	for _, s := range published {
		if s.ID == id {
			p.Trend = append(p.Trend, rep)
			continue
		}
		other, err := r.build(ctx, s.ID, researchOnly)
		if err != nil {
			return nil, err
		}
		p.Trend = append(p.Trend, other)
	}
	if p.Clicks, err = r.store.TaskClickPoints(ctx, id, researchOnly); err != nil {
		return nil, err
	}
	if p.Places, err = r.store.FindingPlaces(ctx, id, researchOnly); err != nil {
		return nil, err
	}
	if p.Paths, err = r.store.PathCounts(ctx, id, researchOnly); err != nil {
		return nil, err
	}
	return p, nil
}

// ShowAndTell is a release's report for projecting: the page, quotes of its
// top three findings, what the team did about what clinicians said, and the
// workflow's next release.
type ShowAndTell struct {
	*ReleasePage
	Quotes map[int64]string // finding id → a quote
	// YouSaid are the workflow's findings, reported in this release or an
	// earlier one, that are planned, or fixed since the previous release was
	// published: "you said, we did".
	YouSaid []store.FindingSummary
	Next    *sandpit.Release // the release made after this one, if any
}

// ShowAndTell returns release id's show-and-tell.
func (r *Reports) ShowAndTell(ctx context.Context, a Actor, id int64) (*ShowAndTell, error) {
	p, err := r.ReleasePage(ctx, a, id)
	if err != nil {
		return nil, err
	}
	st := &ShowAndTell{ReleasePage: p}
	var top []int64
	for i, f := range p.Report.Findings {
		if i < 3 {
			top = append(top, f.ID)
		}
	}
	if st.Quotes, err = r.store.FindingQuotes(ctx, top, p.ResearchOnly); err != nil {
		return nil, err
	}
	next, previous := adjacentReleases(p.Workflow.Releases, p.Release)
	if next != nil {
		if st.Next, err = r.store.Release(ctx, next.ID); err != nil {
			return nil, err
		}
	}
	all, err := r.store.WorkflowFindings(ctx, a.scopeOf(p.Workflow.TeamID), p.Workflow.ID)
	if err != nil {
		return nil, err
	}
	st.YouSaid = youSaidWeDid(all, p.Workflow.Releases, p.Release, previous)
	return st, nil
}

// adjacentReleases returns, of a workflow's releases, the one made right
// after rel (by creation, then id), and the one published right before rel;
// nil where there is none.
func adjacentReleases(all []sandpit.ReleaseSummary, rel *sandpit.Release) (next, previous *sandpit.ReleaseSummary) {
	for i := range all {
		s := &all[i]
		if s.ID == rel.ID {
			continue
		}
		after := s.CreatedAt.After(rel.CreatedAt) || (s.CreatedAt.Equal(rel.CreatedAt) && s.ID > rel.ID)
		if after && (next == nil || s.CreatedAt.Before(next.CreatedAt) || (s.CreatedAt.Equal(next.CreatedAt) && s.ID < next.ID)) {
			next = s
		}
		if s.PublishedAt != nil && rel.PublishedAt != nil && s.PublishedAt.Before(*rel.PublishedAt) &&
			(previous == nil || s.PublishedAt.After(*previous.PublishedAt)) {
			previous = s
		}
	}
	return next, previous
}

// youSaidWeDid picks, of a workflow's findings (in METRICS.md's order), those
// a clinician reported in rel or a release published before it that are
// planned, or fixed since previous was published (any time without one).
func youSaidWeDid(all []store.FindingSummary, releases []sandpit.ReleaseSummary, rel *sandpit.Release, previous *sandpit.ReleaseSummary) []store.FindingSummary {
	said := map[int64]bool{rel.ID: true}
	for _, s := range releases {
		if s.PublishedAt != nil && rel.PublishedAt != nil && !s.PublishedAt.After(*rel.PublishedAt) {
			said[s.ID] = true
		}
	}
	var out []store.FindingSummary
	for _, f := range all {
		reported := false
		for _, e := range f.Evidence {
			reported = reported || said[e.ReleaseID]
		}
		switch {
		case !reported:
		case f.Status == sandpit.FindingPlanned:
			out = append(out, f)
		case f.Status == sandpit.FindingFixed && (previous == nil || f.FixedAt == nil || !f.FixedAt.Before(*previous.PublishedAt)):
			out = append(out, f)
		}
	}
	return out
}

// readable is ENOTFOUND unless the actor may read release id's reports; it
// reports whether they read them as research data only.
func (r *Reports) readable(ctx context.Context, a Actor, id int64) (bool, error) {
	m, err := r.store.ReleaseMeta(ctx, id)
	if err != nil {
		return false, err
	}
	return sandpit.ResearchDataOnly(a.User, m.TeamID), visible(sandpit.CanReadReports(a.User, m.TeamID), "Release")
}

// build returns release id's report, of consented trials only with
// researchOnly. Readers asking for the same report while it is being made
// from the same writes share it: the key holds the store's count of
// commits, so a reader never gets a report begun before a write this
// server acknowledged to it. The report is shared: callers only read it.
func (r *Reports) build(ctx context.Context, id int64, researchOnly bool) (*findings.Report, error) {
	v, err, _ := r.building.Do(r.buildKey(id, researchOnly), func() (any, error) {
		// One reader going away must not fail the others.
		return r.assemble(context.WithoutCancel(ctx), id, researchOnly)
	})
	if err != nil {
		return nil, err
	}
	return v.(*findings.Report), nil
}

// buildKey names the report build makes for a reader arriving now.
func (r *Reports) buildKey(id int64, researchOnly bool) string {
	return fmt.Sprintf("%d %v %d", id, researchOnly, r.store.Commits())
}

// assemble makes release id's report, of consented trials only with
// researchOnly.
func (r *Reports) assemble(ctx context.Context, id int64, researchOnly bool) (*findings.Report, error) {
	b, err := r.side(ctx, id, researchOnly)
	if err != nil {
		return nil, err
	}
	prevID, baseID, err := r.store.ComparableReleases(ctx, id)
	if err != nil {
		return nil, err
	}
	var prev, base *findings.Side
	if prevID != 0 {
		if prev, err = r.side(ctx, prevID, researchOnly); err != nil {
			return nil, err
		}
	}
	if baseID != 0 {
		if base, err = r.side(ctx, baseID, researchOnly); err != nil {
			return nil, err
		}
	}
	rep := findings.Build(*b, prev, base)
	return &rep, nil
}

// side is release id's figures with its definition, for a report.
func (r *Reports) side(ctx context.Context, id int64, researchOnly bool) (*findings.Side, error) {
	rel, err := r.store.Release(ctx, id)
	if err != nil {
		return nil, err
	}
	f, err := r.store.ReleaseFigures(ctx, id, researchOnly)
	if err != nil {
		return nil, err
	}
	return &findings.Side{Ref: findings.ReleaseRef{ID: rel.ID, Version: rel.Version, Baseline: rel.Baseline}, Def: &rel.Definition, Figures: f}, nil
}

// againstBaseline compares release id with the baseline release baselineID,
// as a report's baseline comparison does, with the release's definition
// (for its tasks' titles and daily frequencies).
func (r *Reports) againstBaseline(ctx context.Context, id, baselineID int64) (*findings.Comparison, *sandpit.Definition, error) {
	b, err := r.side(ctx, id, false)
	if err != nil {
		return nil, nil, err
	}
	base, err := r.side(ctx, baselineID, false)
	if err != nil {
		return nil, nil, err
	}
	rep := findings.Build(*b, nil, base)
	return rep.Comparisons.Baseline, b.Def, nil
}
