package app

import (
	"context"
	"sort"

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
	ClickPoints(ctx context.Context, releaseID int64, researchOnly bool) (map[string][]store.ClickPoint, error)
	PathCounts(ctx context.Context, releaseID int64, researchOnly bool) (map[string][]store.PathCount, error)
	FindingQuotes(ctx context.Context, ids []int64, researchOnly bool) (map[int64]string, error)
}

// Reports is the use cases of release reports, comparisons, click maps and
// show-and-tell.
type Reports struct {
	store reportStore
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
	Clicks   map[string][]store.ClickPoint // screen key → clicks
	Paths    map[string][]store.PathCount  // task key → paths taken
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
	if p.Clicks, err = r.store.ClickPoints(ctx, id, researchOnly); err != nil {
		return nil, err
	}
	if p.Paths, err = r.store.PathCounts(ctx, id, researchOnly); err != nil {
		return nil, err
	}
	return p, nil
}

// ShowAndTell is a release's report for projecting: the page, quotes of its
// top three findings, and the workflow's next release in the making.
type ShowAndTell struct {
	*ReleasePage
	Quotes map[int64]string // finding id → a quote
	Next   *sandpit.Release // the newest draft, if any
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
	for _, s := range p.Workflow.Releases { // newest first
		if s.Status == sandpit.StatusDraft {
			if st.Next, err = r.store.Release(ctx, s.ID); err != nil {
				return nil, err
			}
			break
		}
	}
	return st, nil
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

// build makes release id's report, of consented trials only with
// researchOnly.
func (r *Reports) build(ctx context.Context, id int64, researchOnly bool) (*findings.Report, error) {
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
