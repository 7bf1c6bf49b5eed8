package app

import (
	"context"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// findingStore is what Findings needs of the store.
type findingStore interface {
	Workflow(ctx context.Context, id int64) (*sandpit.Workflow, error)
	Release(ctx context.Context, id int64) (*sandpit.Release, error)
	FindingMeta(ctx context.Context, scope store.Scope, id int64) (*store.FindingMeta, error)
	ReportMeta(ctx context.Context, scope store.Scope, id int64) (*store.FindingMeta, error)
	WorkflowFindings(ctx context.Context, scope store.Scope, workflowID int64) ([]store.FindingSummary, error)
	Finding(ctx context.Context, scope store.Scope, id int64) (*store.FindingDetail, error)
	UpdateFinding(ctx context.Context, id int64, u sandpit.FindingUpdate, digest time.Duration, entry sandpit.AuditEntry) error
	MergeFindings(ctx context.Context, into int64, from []int64, entry sandpit.AuditEntry) error
	MoveReport(ctx context.Context, reportID, to int64, entry sandpit.AuditEntry) error
}

// Findings is the use cases of the findings board, a finding, and its
// curation: update, merge, move a report.
type Findings struct {
	store findingStore
	// digest is the least time between two "you said, we did" digests to
	// one clinician; 0 when Sandpit sends no email.
	digest time.Duration
}

func newFindings(st *store.Store, cfg Config) *Findings {
	f := &Findings{store: st}
	if cfg.Mail {
		f.digest = cfg.FeedbackDigest
	}
	return f
}

// Board is a workflow's findings in order, and whether the actor may curate
// them.
type Board struct {
	Workflow  *sandpit.Workflow
	Findings  []store.FindingSummary
	CanCurate bool
}

// Board returns the findings of workflow id: for its team, its researchers
// and admins.
func (f *Findings) Board(ctx context.Context, a Actor, workflowID int64) (*Board, error) {
	w, err := f.store.Workflow(ctx, workflowID)
	if err != nil {
		return nil, err
	}
	if err := visible(sandpit.CanReadFindings(a.User, w.TeamID), "Workflow"); err != nil {
		return nil, err
	}
	list, err := f.store.WorkflowFindings(ctx, a.scopeOf(w.TeamID), w.ID)
	if err != nil {
		return nil, err
	}
	return &Board{Workflow: w, Findings: list, CanCurate: sandpit.CanCurateFindings(a.User, w.TeamID)}, nil
}

// FindingPage is one finding with its reports, the releases they were made
// in, the workflow's other findings (to merge or move into) and whether the
// actor may curate it.
type FindingPage struct {
	Finding   *store.FindingDetail
	Releases  map[int64]*sandpit.Release // of its reports, by id
	Others    []store.FindingSummary     // the workflow's other findings, in order
	CanCurate bool
	// ForSafety says a safety officer reads it, read-only, from the safety
	// concerns list.
	ForSafety bool
}

// Finding returns finding id with its evidence: for the team, its
// researchers and admins, and, read-only, for safety officers when it holds
// a safety concern (PRODUCT.md).
func (f *Findings) Finding(ctx context.Context, a Actor, id int64) (*FindingPage, error) {
	m, err := f.readable(ctx, a, id)
	switch {
	case err == nil:
		return f.finding(ctx, a, id, m)
	case sandpit.ErrorCode(err) == sandpit.ENOTFOUND && sandpit.CanTriageSafety(a.User):
		return f.safetyFinding(ctx, a, id)
	}
	return nil, err
}

// safetyFinding is finding id as a safety officer reads it: only while it
// holds a safety concern, whichever team's it is, with nothing to curate.
func (f *Findings) safetyFinding(ctx context.Context, a Actor, id int64) (*FindingPage, error) {
	d, err := f.store.Finding(ctx, store.Scope{All: true}, id)
	if err != nil {
		return nil, err
	}
	if err := visible(d.SafetyConcern, "Finding"); err != nil {
		return nil, err
	}
	p := &FindingPage{Finding: d, Releases: map[int64]*sandpit.Release{}, ForSafety: true}
	return p, f.loadReleases(ctx, p)
}

// finding is finding id, of meta m, as its team and researchers read it.
func (f *Findings) finding(ctx context.Context, a Actor, id int64, m *store.FindingMeta) (*FindingPage, error) {
	d, err := f.store.Finding(ctx, a.scopeOf(m.TeamID), id)
	if err != nil {
		return nil, err
	}
	p := &FindingPage{Finding: d, Releases: map[int64]*sandpit.Release{}, CanCurate: sandpit.CanCurateFindings(a.User, m.TeamID)}
	if err := f.loadReleases(ctx, p); err != nil {
		return nil, err
	}
	all, err := f.store.WorkflowFindings(ctx, a.scopeOf(m.TeamID), d.WorkflowID)
	if err != nil {
		return nil, err
	}
	for _, o := range all {
		if o.ID != id {
			p.Others = append(p.Others, o)
		}
	}
	return p, nil
}

// loadReleases fills p's releases of its reports.
func (f *Findings) loadReleases(ctx context.Context, p *FindingPage) error {
	for _, r := range p.Finding.Quotes {
		if _, ok := p.Releases[r.ReleaseID]; ok {
			continue
		}
		rel, err := f.store.Release(ctx, r.ReleaseID)
		if err != nil {
			return err
		}
		p.Releases[r.ReleaseID] = rel
	}
	return nil
}

// Summary returns finding id as the API shows it.
func (f *Findings) Summary(ctx context.Context, a Actor, id int64) (*store.FindingSummary, error) {
	m, err := f.readable(ctx, a, id)
	if err != nil {
		return nil, err
	}
	d, err := f.store.Finding(ctx, a.scopeOf(m.TeamID), id)
	if err != nil {
		return nil, err
	}
	return &d.FindingSummary, nil
}

// Update applies upd to finding id: its team's product owners and admins.
// A status of wont_fix needs a reason (API.md). A change of status or
// response queues, in the same transaction, a "you said, we did" digest to
// each clinician who reported into the finding.
func (f *Findings) Update(ctx context.Context, a Actor, id int64, upd sandpit.FindingUpdate) (*store.FindingSummary, error) {
	m, err := f.curatable(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if err := upd.Validate(); err != nil {
		return nil, err
	}
	if err := f.store.UpdateFinding(ctx, id, upd, f.digest, a.teamEntry(sandpit.AuditFindingUpdated, m.TeamID)); err != nil {
		return nil, err
	}
	return f.Summary(ctx, a, id)
}

// Merge moves every report of the findings from into finding into.
func (f *Findings) Merge(ctx context.Context, a Actor, into int64, from []int64) (*store.FindingSummary, error) {
	m, err := f.curatable(ctx, a, into)
	if err != nil {
		return nil, err
	}
	if err := f.store.MergeFindings(ctx, into, from, a.teamEntry(sandpit.AuditFindingsMerged, m.TeamID)); err != nil {
		return nil, err
	}
	return f.Summary(ctx, a, into)
}

// MoveReport moves report reportID into finding to, of the same workflow.
// It returns the finding the report left, which a page that refuses the
// move shows again.
func (f *Findings) MoveReport(ctx context.Context, a Actor, reportID, to int64) (*store.FindingMeta, error) {
	m, err := f.store.ReportMeta(ctx, a.scope(), reportID)
	if err != nil {
		return nil, err
	}
	if err := visible(sandpit.CanReadFindings(a.User, m.TeamID), "Report"); err != nil {
		return nil, err
	}
	if err := allow(sandpit.CanCurateFindings(a.User, m.TeamID)); err != nil {
		return nil, err
	}
	return m, f.store.MoveReport(ctx, reportID, to, a.teamEntry(sandpit.AuditReportMoved, m.TeamID))
}

// readable returns finding id's meta if the actor may read it: ENOTFOUND
// otherwise, even when it exists.
func (f *Findings) readable(ctx context.Context, a Actor, id int64) (*store.FindingMeta, error) {
	m, err := f.store.FindingMeta(ctx, a.scope(), id)
	if err != nil {
		return nil, err
	}
	if err := visible(sandpit.CanReadFindings(a.User, m.TeamID), "Finding"); err != nil {
		return nil, err
	}
	return m, nil
}

// curatable returns finding id's meta if the actor may curate it.
func (f *Findings) curatable(ctx context.Context, a Actor, id int64) (*store.FindingMeta, error) {
	m, err := f.readable(ctx, a, id)
	if err != nil {
		return nil, err
	}
	return m, allow(sandpit.CanCurateFindings(a.User, m.TeamID))
}
