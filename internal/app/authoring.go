package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// workflowStore is what Authoring needs of the store for workflows.
type workflowStore interface {
	Team(ctx context.Context, id int64) (*sandpit.Team, error)
	Teams(ctx context.Context) ([]store.TeamListItem, error)
	Workflows(ctx context.Context, teamIDs []int64, all bool) ([]sandpit.Workflow, error)
	WorkflowIn(ctx context.Context, id int64, scope store.Scope) (*sandpit.Workflow, error)
	ConsentVersions(ctx context.Context, id int64) ([]sandpit.ConsentVersion, error)
	LatestReleases(ctx context.Context, workflowIDs []int64) (map[int64]sandpit.ReleaseSummary, error)
	CreateWorkflow(ctx context.Context, teamID int64, in sandpit.WorkflowInput, entry sandpit.AuditEntry) (int64, error)
	UpdateWorkflow(ctx context.Context, id int64, in sandpit.WorkflowInput, staff sandpit.StaffCount, entry sandpit.AuditEntry) error
	WorkflowFindings(ctx context.Context, scope store.Scope, workflowID int64) ([]store.FindingSummary, error)
}

// releaseStore is what Authoring needs of the store for whole releases.
type releaseStore interface {
	ReleaseMetaIn(ctx context.Context, id int64, scope store.Scope) (*store.ReleaseMeta, error)
	ScreenHasSafetyConcern(ctx context.Context, id int64) (bool, error)
	Release(ctx context.Context, id int64) (*sandpit.Release, error)
	Definition(ctx context.Context, id int64) (*sandpit.Definition, error)
	ScreenImage(ctx context.Context, id int64) (*store.ScreenImage, error)
	LatestRelease(ctx context.Context, workflowID int64) (int64, error)
	CreateRelease(ctx context.Context, workflowID int64, def sandpit.Definition, images store.Images) (int64, error)
	CopyRelease(ctx context.Context, from int64, version, notes string) (int64, error)
	ReplaceDefinition(ctx context.Context, id int64, def sandpit.Definition, images store.Images) error
	UpdateReleaseDetails(ctx context.Context, id int64, version, notes string, baseline bool) error
	SetReleaseStatus(ctx context.Context, id int64, from, to sandpit.ReleaseStatus, entry sandpit.AuditEntry) error
}

// draftStore is what Authoring needs of the store to change a draft's
// screens, hotspots and tasks.
type draftStore interface {
	AddScreen(ctx context.Context, id int64, key, title string, img *sandpit.CheckedImage) error
	UpdateScreen(ctx context.Context, id int64, key, title string, img *sandpit.CheckedImage) error
	MoveScreen(ctx context.Context, id int64, key string, delta int) error
	DeleteScreen(ctx context.Context, id int64, key string) error
	SetHotspots(ctx context.Context, id int64, key string, hs []sandpit.Hotspot, entry sandpit.AuditEntry) error
	SaveTask(ctx context.Context, id int64, replacing string, task sandpit.Task) error
	DeleteTask(ctx context.Context, id int64, key string) error
}

// authoringStore is everything Authoring needs of the store.
type authoringStore interface {
	workflowStore
	releaseStore
	draftStore
}

// Authoring is the use cases of workflows, releases, screens, hotspots,
// tasks, publishing, previews and release definitions.
type Authoring struct {
	store authoringStore
	cfg   Config
	// reading holds a slot per OCR run: one per core across all requests,
	// as each tesseract process takes a core and about 50 MB.
	reading chan struct{}
}

func newAuthoring(st *store.Store, cfg Config) *Authoring {
	return &Authoring{store: st, cfg: cfg, reading: make(chan struct{}, runtime.NumCPU())}
}

// Release access levels.
const (
	accessSee  = iota // see it, as a clinician taking a trial may
	accessRead        // read its definition: its team and researchers
	accessEdit        // change, publish or close it: its team
)

// errPublished is the refusal of a change to a published release.
func errPublished() error {
	return sandpit.Errorf(sandpit.ECONFLICT, "This release is published and can no longer change. Start a new release to make changes.")
}

// workflow returns workflow id if a may see it (ENOTFOUND otherwise, even
// when it exists) and, when edit is set, change it (EFORBIDDEN).
func (s *Authoring) workflow(ctx context.Context, a Actor, id int64, edit bool) (*sandpit.Workflow, error) {
	if err := signedIn(a); err != nil {
		return nil, err
	}
	w, err := s.store.WorkflowIn(ctx, id, readScope(a, accessRead))
	if err != nil {
		return nil, err
	}
	if err := visible(sandpit.CanViewTeam(a.User, w.TeamID), "Workflow"); err != nil {
		return nil, err
	}
	if edit {
		if err := allow(sandpit.CanEditWorkflows(a.User, w.TeamID)); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// release returns what permission checks need of release id, if a has
// access to it: ENOTFOUND for people who may not see it at all, EFORBIDDEN
// for those who may see but not change it.
func (s *Authoring) release(ctx context.Context, a Actor, id int64, access int) (*store.ReleaseMeta, error) {
	if err := signedIn(a); err != nil {
		return nil, err
	}
	m, err := s.store.ReleaseMetaIn(ctx, id, readScope(a, access))
	if err != nil {
		return nil, err
	}
	seen := sandpit.CanSeeRelease(a.User, m.TeamID, m.Status) && (access < accessRead || sandpit.CanViewTeam(a.User, m.TeamID))
	if err := visible(seen, "Release"); err != nil {
		return nil, err
	}
	if access == accessEdit {
		if err := allow(sandpit.CanEditWorkflows(a.User, m.TeamID)); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// readScope is what a may read with the access given: the teams they may
// view (every team for admins) and, to merely see releases, those open for
// trials when they are a clinician, as sandpit.CanSeeRelease allows. Reads
// within it cannot return another team's data even if a check were
// missed; the checks after each read still decide.
func readScope(a Actor, access int) store.Scope {
	sc := a.scope()
	sc.OpenReleases = access == accessSee && a.User.Has(sandpit.RoleClinician)
	return sc
}

// draft returns release id if a may change it and it is still a draft:
// ECONFLICT once it is published. The store checks the status again as it
// writes.
func (s *Authoring) draft(ctx context.Context, a Actor, id int64) (*store.ReleaseMeta, error) {
	m, err := s.release(ctx, a, id, accessEdit)
	if err != nil {
		return nil, err
	}
	if m.Status != sandpit.StatusDraft {
		return nil, errPublished()
	}
	return m, nil
}

// ReleaseMeta returns what permission checks need of release id, if a may
// read its definition. Other areas' adapters use it until they move into
// their own services.
func (s *Authoring) ReleaseMeta(ctx context.Context, a Actor, id int64) (*store.ReleaseMeta, error) {
	return s.release(ctx, a, id, accessRead)
}

// TeamRef names a team.
type TeamRef struct {
	ID   int64
	Name string
}

// WorkflowList is the workflows an actor may see, the newest release of
// each, and the teams they may create workflows in.
type WorkflowList struct {
	Workflows []sandpit.Workflow
	Latest    map[int64]sandpit.ReleaseSummary // by workflow id; absent when it has none
	Teams     []TeamRef
}

// Workflows lists the workflows of the teams a may see.
func (s *Authoring) Workflows(ctx context.Context, a Actor) (*WorkflowList, error) {
	if err := signedIn(a); err != nil {
		return nil, err
	}
	var teams []int64
	for _, m := range a.User.Teams {
		if sandpit.CanViewTeam(a.User, m.TeamID) {
			teams = append(teams, m.TeamID)
		}
	}
	admin := sandpit.CanAdminister(a.User)
	list, err := s.store.Workflows(ctx, teams, admin)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(list))
	for i, w := range list {
		ids[i] = w.ID
	}
	latest, err := s.store.LatestReleases(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := &WorkflowList{Workflows: list, Latest: latest}
	if admin {
		all, err := s.store.Teams(ctx)
		if err != nil {
			return nil, err
		}
		for _, t := range all {
			out.Teams = append(out.Teams, TeamRef{t.ID, t.Name})
		}
		return out, nil
	}
	for _, m := range a.User.Teams {
		if sandpit.CanEditWorkflows(a.User, m.TeamID) {
			out.Teams = append(out.Teams, TeamRef{m.TeamID, m.TeamName})
		}
	}
	return out, nil
}

// WorkflowTeam returns team teamID if a may create workflows in it:
// ENOTFOUND for people who may not see it, EFORBIDDEN for those who may
// only look.
func (s *Authoring) WorkflowTeam(ctx context.Context, a Actor, teamID int64) (*sandpit.Team, error) {
	if err := signedIn(a); err != nil {
		return nil, err
	}
	team, err := s.store.Team(ctx, teamID)
	if err != nil {
		return nil, err
	}
	if err := visible(sandpit.CanViewTeam(a.User, team.ID), "Team"); err != nil {
		return nil, err
	}
	if err := allow(sandpit.CanEditWorkflows(a.User, team.ID)); err != nil {
		return nil, err
	}
	return team, nil
}

// CreateWorkflow creates a workflow in team teamID.
func (s *Authoring) CreateWorkflow(ctx context.Context, a Actor, teamID int64, in sandpit.WorkflowInput) (*sandpit.Workflow, error) {
	team, err := s.WorkflowTeam(ctx, a, teamID)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	id, err := s.store.CreateWorkflow(ctx, team.ID, in, a.teamEntry(sandpit.AuditWorkflowCreated, team.ID))
	if err != nil {
		return nil, err
	}
	return s.store.WorkflowIn(ctx, id, readScope(a, accessRead))
}

// WorkflowView is a workflow as its page shows it.
type WorkflowView struct {
	*sandpit.Workflow
	EarlierConsent []sandpit.ConsentVersion // newest first, without the current one
	CanEdit        bool                     // may change it and start releases
}

// Workflow returns workflow id with its releases and earlier consent texts.
func (s *Authoring) Workflow(ctx context.Context, a Actor, id int64) (*WorkflowView, error) {
	w, err := s.workflow(ctx, a, id, false)
	if err != nil {
		return nil, err
	}
	consents, err := s.store.ConsentVersions(ctx, w.ID)
	if err != nil {
		return nil, err
	}
	v := &WorkflowView{Workflow: w, CanEdit: sandpit.CanEditWorkflows(a.User, w.TeamID)}
	if len(consents) > 1 {
		v.EarlierConsent = consents[1:]
	}
	return v, nil
}

// EditWorkflow returns workflow id for its edit form, if a may change it.
func (s *Authoring) EditWorkflow(ctx context.Context, a Actor, id int64) (*sandpit.Workflow, error) {
	return s.workflow(ctx, a, id, true)
}

// WorkflowPatch is a change to a workflow: only the fields that are set
// change (PATCH /workflows/{id}, and each form of the workflow page).
type WorkflowPatch struct {
	Title, Description, ConsentText *string
	// SetStaffCount says the staff count is being set: to StaffCount, nil
	// clearing it.
	SetStaffCount    bool
	StaffCount       *int
	StaffCountSource *string
}

// UpdateWorkflow changes workflow id as patch says, and returns it: a
// changed consent text becomes a new consent version; the change is
// audited.
func (s *Authoring) UpdateWorkflow(ctx context.Context, a Actor, id int64, patch WorkflowPatch) (*sandpit.Workflow, error) {
	w, err := s.workflow(ctx, a, id, true)
	if err != nil {
		return nil, err
	}
	in := sandpit.WorkflowInput{Title: w.Title, Description: w.Description, ConsentText: w.ConsentText}
	staff := w.StaffCount
	set := func(to *string, from *string) {
		if from != nil {
			*to = *from
		}
	}
	set(&in.Title, patch.Title)
	set(&in.Description, patch.Description)
	set(&in.ConsentText, patch.ConsentText)
	set(&staff.Source, patch.StaffCountSource)
	if patch.SetStaffCount {
		staff.Count = patch.StaffCount
	}
	var fields []sandpit.FieldError
	if err := in.Validate(); err != nil {
		fields = append(fields, sandpit.FieldErrorsOf(err)...)
	}
	fields = append(fields, staff.Validate()...)
	if len(fields) > 0 {
		return nil, sandpit.Invalid("Check the workflow.", fields...)
	}
	entry := a.teamEntry(sandpit.AuditWorkflowUpdated, w.TeamID)
	entry.Detail = fmt.Sprintf("workflow %d %q", w.ID, in.Title)
	if staff.Count != nil {
		entry.Detail += fmt.Sprintf(", staff count %d (%s)", *staff.Count, staff.Source)
	}
	if err := s.store.UpdateWorkflow(ctx, w.ID, in, staff, entry); err != nil {
		return nil, err
	}
	return s.store.WorkflowIn(ctx, id, readScope(a, accessRead))
}

// ReleaseDetails are a release's version label, notes and baseline flag.
type ReleaseDetails struct {
	Version  string
	Notes    string
	Baseline bool
}

// validate trims and checks the details.
func (d *ReleaseDetails) validate() error {
	d.Version, d.Notes = strings.TrimSpace(d.Version), strings.TrimSpace(d.Notes)
	var fields []sandpit.FieldError
	if f, bad := sandpit.CheckVersion("version", d.Version); bad {
		fields = append(fields, f)
	}
	if utf8.RuneCountInString(d.Notes) > sandpit.MaxText {
		fields = append(fields, sandpit.TooLong("notes", sandpit.MaxText))
	}
	if len(fields) > 0 {
		return sandpit.Invalid("Check the release details.", fields...)
	}
	return nil
}

// StartRelease starts a new draft release of workflow workflowID labelled
// as d says: a copy of its newest release, or an empty one. It returns the
// new release's id.
func (s *Authoring) StartRelease(ctx context.Context, a Actor, workflowID int64, d ReleaseDetails) (int64, error) {
	w, err := s.workflow(ctx, a, workflowID, true)
	if err != nil {
		return 0, err
	}
	if err := d.validate(); err != nil {
		return 0, err
	}
	latest, err := s.store.LatestRelease(ctx, w.ID)
	if err != nil {
		return 0, err
	}
	if latest != 0 {
		return s.store.CopyRelease(ctx, latest, d.Version, d.Notes)
	}
	return s.store.CreateRelease(ctx, w.ID, sandpit.Definition{Version: d.Version, Notes: d.Notes}, store.Images{})
}

// ImportRelease creates a draft release of workflow workflowID from def.
func (s *Authoring) ImportRelease(ctx context.Context, a Actor, workflowID int64, def sandpit.Definition) (*sandpit.Release, error) {
	w, err := s.workflow(ctx, a, workflowID, true)
	if err != nil {
		return nil, err
	}
	images, err := def.CheckImagesWith(s.cfg.Decoders)
	if err != nil {
		return nil, err
	}
	if err := s.readDefinitionScreens(ctx, &def, images); err != nil {
		return nil, err
	}
	id, err := s.store.CreateRelease(ctx, w.ID, def, images)
	if err != nil {
		return nil, err
	}
	return s.store.Release(ctx, id)
}

// ReleaseView is a release as its page shows it.
type ReleaseView struct {
	*sandpit.Release
	Workflow *sandpit.Workflow
	CanEdit  bool              // may publish, close and change drafts
	Problems []sandpit.Problem // why it cannot be published yet
	// Answered are the workflow's findings the team has planned or fixed,
	// with their public response: "you said, we did".
	Answered []store.FindingSummary
}

// Editable reports whether the actor may change the release now.
func (v *ReleaseView) Editable() bool { return v.CanEdit && !v.Release.Published() }

// Release returns release id, with its workflow, if a may read it.
func (s *Authoring) Release(ctx context.Context, a Actor, id int64) (*ReleaseView, error) {
	m, err := s.release(ctx, a, id, accessRead)
	if err != nil {
		return nil, err
	}
	return s.releaseView(ctx, a, m)
}

func (s *Authoring) releaseView(ctx context.Context, a Actor, m *store.ReleaseMeta) (*ReleaseView, error) {
	r, err := s.store.Release(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	w, err := s.store.WorkflowIn(ctx, r.WorkflowID, readScope(a, accessRead))
	if err != nil {
		return nil, err
	}
	v := &ReleaseView{Release: r, Workflow: w, CanEdit: sandpit.CanEditWorkflows(a.User, m.TeamID), Problems: r.PublishProblems()}
	findings, err := s.store.WorkflowFindings(ctx, a.scopeOf(m.TeamID), r.WorkflowID)
	if err != nil {
		return nil, err
	}
	for _, f := range findings {
		if f.StoredStatus == "planned" || f.StoredStatus == "fixed" {
			v.Answered = append(v.Answered, f)
		}
	}
	return v, nil
}

// DefinitionExport is a release's whole definition, images included, and
// the title of its workflow, to name the file.
type DefinitionExport struct {
	*sandpit.Definition
	WorkflowTitle string
}

// Definition returns release id's whole definition, if a may read it.
func (s *Authoring) Definition(ctx context.Context, a Actor, id int64) (*DefinitionExport, error) {
	m, err := s.release(ctx, a, id, accessRead)
	if err != nil {
		return nil, err
	}
	def, err := s.store.Definition(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	w, err := s.store.WorkflowIn(ctx, m.WorkflowID, readScope(a, accessRead))
	if err != nil {
		return nil, err
	}
	return &DefinitionExport{Definition: def, WorkflowTitle: w.Title}, nil
}

// ReplaceDefinition replaces draft release id with def.
func (s *Authoring) ReplaceDefinition(ctx context.Context, a Actor, id int64, def sandpit.Definition) (*sandpit.Release, error) {
	m, err := s.draft(ctx, a, id)
	if err != nil {
		return nil, err
	}
	images, err := def.CheckImagesWith(s.cfg.Decoders)
	if err != nil {
		return nil, err
	}
	if err := s.readDefinitionScreens(ctx, &def, images); err != nil {
		return nil, err
	}
	if err := s.store.ReplaceDefinition(ctx, m.ID, def, images); err != nil {
		return nil, err
	}
	return s.store.Release(ctx, m.ID)
}

// UpdateReleaseDetails changes draft release id's version label, notes and
// baseline flag.
func (s *Authoring) UpdateReleaseDetails(ctx context.Context, a Actor, id int64, d ReleaseDetails) error {
	m, err := s.draft(ctx, a, id)
	if err != nil {
		return err
	}
	if err := d.validate(); err != nil {
		return err
	}
	return s.store.UpdateReleaseDetails(ctx, m.ID, d.Version, d.Notes, d.Baseline)
}

// PublishCheck returns draft release id as the page before publishing it
// shows it, with every problem to fix first, if a may publish it.
func (s *Authoring) PublishCheck(ctx context.Context, a Actor, id int64) (*ReleaseView, error) {
	m, err := s.draft(ctx, a, id)
	if err != nil {
		return nil, err
	}
	return s.releaseView(ctx, a, m)
}

// Publish opens draft release id for trials, or is EINVALID listing every
// reason it cannot be run yet (sandpit.ProblemsError).
func (s *Authoring) Publish(ctx context.Context, a Actor, id int64) error {
	m, err := s.release(ctx, a, id, accessEdit)
	if err != nil {
		return err
	}
	r, err := s.store.Release(ctx, m.ID)
	if err != nil {
		return err
	}
	if r.Published() {
		return sandpit.Errorf(sandpit.ECONFLICT, "This release is published already.")
	}
	if ps := r.PublishProblems(); len(ps) > 0 {
		return sandpit.ProblemsError(ps)
	}
	return s.store.SetReleaseStatus(ctx, m.ID, sandpit.StatusDraft, sandpit.StatusOpen, a.teamEntry(sandpit.AuditReleasePublish, m.TeamID))
}

// Close ends trials of open release id.
func (s *Authoring) Close(ctx context.Context, a Actor, id int64) error {
	m, err := s.release(ctx, a, id, accessEdit)
	if err != nil {
		return err
	}
	return s.store.SetReleaseStatus(ctx, m.ID, sandpit.StatusOpen, sandpit.StatusClosed, a.teamEntry(sandpit.AuditReleaseClosed, m.TeamID))
}

// ScreenImage is a screen's image and whether its release is a draft, whose
// images may still change.
type ScreenImage struct {
	*store.ScreenImage
	Draft bool
}

// ScreenImage returns the image of screen id, if a may see its release:
// ENOTFOUND otherwise, as if there were no such screen.
func (s *Authoring) ScreenImage(ctx context.Context, a Actor, id int64) (*ScreenImage, error) {
	if err := signedIn(a); err != nil {
		return nil, err
	}
	img, err := s.store.ScreenImage(ctx, id)
	if err != nil {
		return nil, err
	}
	m, err := s.release(ctx, a, img.ReleaseID, accessSee)
	if err == nil {
		return &ScreenImage{ScreenImage: img, Draft: m.Status == sandpit.StatusDraft}, nil
	}
	// Safety officers see the screens safety concerns are pinned to, as the
	// finding pages they open read-only show them.
	if sandpit.CanTriageSafety(a.User) {
		pinned, err := s.store.ScreenHasSafetyConcern(ctx, id)
		if err != nil {
			return nil, err
		}
		if pinned {
			return &ScreenImage{ScreenImage: img}, nil
		}
	}
	return nil, sandpit.Errorf(sandpit.ENOTFOUND, "Screen not found.")
}

// ScreenView is one screen of a release, for its hotspot editor.
type ScreenView struct {
	*ReleaseView
	Screen *sandpit.Screen
}

// Screen returns screen key of release id, if a may read the release.
func (s *Authoring) Screen(ctx context.Context, a Actor, id int64, key string) (*ScreenView, error) {
	m, err := s.release(ctx, a, id, accessRead)
	if err != nil {
		return nil, err
	}
	return s.screenView(ctx, a, m, key)
}

func (s *Authoring) screenView(ctx context.Context, a Actor, m *store.ReleaseMeta, key string) (*ScreenView, error) {
	r, err := s.store.Release(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	sc := r.Screen(key)
	if sc == nil {
		return nil, sandpit.Errorf(sandpit.ENOTFOUND, "Screen not found.")
	}
	w, err := s.store.WorkflowIn(ctx, r.WorkflowID, readScope(a, accessRead))
	if err != nil {
		return nil, err
	}
	return &ScreenView{ReleaseView: &ReleaseView{Release: r, Workflow: w, CanEdit: sandpit.CanEditWorkflows(a.User, m.TeamID)}, Screen: sc}, nil
}

// ScreenInput is a screen as its form gives it: a key (when adding), a
// title and an uploaded image; Image is nil when no file was sent.
type ScreenInput struct {
	Key   string
	Title string
	Image []byte
}

// checkScreen checks in, the key too when key is set, and returns its
// checked image (nil when none was sent and optional is set), decoded
// under decoders' bound.
func checkScreen(decoders sandpit.Decoders, in *ScreenInput, key, optional bool) (*sandpit.CheckedImage, error) {
	in.Key, in.Title = strings.TrimSpace(in.Key), strings.TrimSpace(in.Title)
	var fields []sandpit.FieldError
	if key {
		if f, bad := sandpit.CheckKey("key", in.Key); bad {
			fields = append(fields, f)
		}
	}
	if f, bad := sandpit.CheckTitle("title", in.Title); bad {
		fields = append(fields, f)
	}
	var img *sandpit.CheckedImage
	switch {
	case len(in.Image) == 0 && !optional:
		fields = append(fields, sandpit.Required("image"))
	case len(in.Image) > 0:
		var err error
		if img, err = decoders.CheckImage(in.Image); err != nil {
			fields = append(fields, sandpit.FieldErrorsOf(err)...)
		}
	}
	if len(fields) > 0 {
		return nil, sandpit.Invalid("Check the screen.", fields...)
	}
	return img, nil
}

// AddScreen adds a screen, uploaded as an image, to draft release id; a
// screen given no key gets one made from its title. It returns the key.
func (s *Authoring) AddScreen(ctx context.Context, a Actor, id int64, in ScreenInput) (string, error) {
	m, err := s.draft(ctx, a, id)
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(in.Key) == "" {
		r, err := s.store.Release(ctx, m.ID)
		if err != nil {
			return "", err
		}
		in.Key = sandpit.KeyFromTitle(in.Title, "screen", func(k string) bool { return r.Screen(k) != nil })
	}
	img, err := s.screenImage(ctx, m.ID, "", &in, true, false)
	if err != nil {
		return "", err
	}
	return in.Key, s.store.AddScreen(ctx, m.ID, in.Key, in.Title, img)
}

// screenImage checks the screen form in for draft release id, whose screen
// replacing (or "" for a new one) it would replace: its fields, the
// image's bytes, the release's pixel budget and, by OCR, that it shows no
// real NHS number. A screen form without a new image has no image to check.
func (s *Authoring) screenImage(ctx context.Context, id int64, replacing string, in *ScreenInput, needKey, optional bool) (*sandpit.CheckedImage, error) {
	img, err := checkScreen(s.cfg.Decoders, in, needKey, optional)
	if err != nil {
		return nil, err
	}
	if err := s.withinPixelBudget(ctx, id, replacing, img); err != nil {
		return nil, err
	}
	return img, s.readScreen(ctx, "image", img)
}

// withinPixelBudget is EINVALID on "image" when img, added to release id or
// replacing the image of its screen replacing, would take its screens past
// sandpit.MaxDefinitionPixels: screens added one by one are bounded as an
// imported definition is.
func (s *Authoring) withinPixelBudget(ctx context.Context, id int64, replacing string, img *sandpit.CheckedImage) error {
	if img == nil {
		return nil
	}
	r, err := s.store.Release(ctx, id)
	if err != nil {
		return err
	}
	pixels := img.Width * img.Height
	for _, sc := range r.Definition.Screens {
		if sc.Key != replacing {
			pixels += sc.Width * sc.Height
		}
	}
	if pixels <= sandpit.MaxDefinitionPixels {
		return nil
	}
	f := sandpit.FieldError{Field: "image", Code: sandpit.FieldPixels,
		Params: sandpit.Params{"millions": pixels / 1_000_000, "max_millions": sandpit.MaxDefinitionPixels / 1_000_000}}
	return sandpit.Invalid(fmt.Sprintf("With this image the release's screens would hold %d million pixels; the most is %d million.",
		pixels/1_000_000, sandpit.MaxDefinitionPixels/1_000_000), f)
}

// UpdateScreen renames screen key of draft release id and, when in has an
// image, replaces its image.
func (s *Authoring) UpdateScreen(ctx context.Context, a Actor, id int64, key string, in ScreenInput) error {
	m, err := s.draft(ctx, a, id)
	if err != nil {
		return err
	}
	sv, err := s.screenView(ctx, a, m, key)
	if err != nil {
		return err
	}
	img, err := s.screenImage(ctx, m.ID, sv.Screen.Key, &in, false, true)
	if err != nil {
		return err
	}
	return s.store.UpdateScreen(ctx, m.ID, sv.Screen.Key, in.Title, img)
}

// MoveScreen moves screen key of draft release id one place "up" or "down"
// the list.
func (s *Authoring) MoveScreen(ctx context.Context, a Actor, id int64, key, direction string) error {
	m, err := s.draft(ctx, a, id)
	if err != nil {
		return err
	}
	switch direction {
	case "up":
		return s.store.MoveScreen(ctx, m.ID, key, -1)
	case "down":
		return s.store.MoveScreen(ctx, m.ID, key, 1)
	}
	return sandpit.Errorf(sandpit.EMALFORMED, "Choose to move the screen up or down.")
}

// DeleteScreen removes screen key from draft release id, unless hotspots
// or tasks use it (ECONFLICT saying which).
func (s *Authoring) DeleteScreen(ctx context.Context, a Actor, id int64, key string) error {
	m, err := s.draft(ctx, a, id)
	if err != nil {
		return err
	}
	return s.store.DeleteScreen(ctx, m.ID, key)
}

// HotspotInput is one hotspot as typed into the hotspot form: Row is its
// row's index, which its field errors carry as "hotspot".
type HotspotInput struct {
	Row           int
	X, Y, W, H    string
	Target, Label string
}

// SaveHotspots replaces the hotspots of screen key of draft release id
// with rows, or is EINVALID naming every problem: each field error's
// field is "hotspots[row].x" and so on, with the row as Params["hotspot"]
// and the attribute as Params["attribute"] (see FieldError.Place).
func (s *Authoring) SaveHotspots(ctx context.Context, a Actor, id int64, key string, rows []HotspotInput) error {
	m, err := s.draft(ctx, a, id)
	if err != nil {
		return err
	}
	sv, err := s.screenView(ctx, a, m, key)
	if err != nil {
		return err
	}
	hs, err := checkHotspots(&sv.Release.Definition, sv.Screen, rows)
	if err != nil {
		return err
	}
	entry := a.teamEntry(sandpit.AuditHotspotsSaved, m.TeamID)
	entry.Detail = fmt.Sprintf("release %d, screen %s: %d hotspots", m.ID, sv.Screen.Key, len(hs))
	return s.store.SetHotspots(ctx, m.ID, sv.Screen.Key, hs, entry)
}

// checkHotspots reads rows as hotspots of screen sc of def and checks
// them as the hotspot editor saves them (sandpit.Definition.CheckHotspots):
// each field error names its row, as HotspotInput says.
func checkHotspots(def *sandpit.Definition, sc *sandpit.Screen, rows []HotspotInput) ([]sandpit.Hotspot, error) {
	var fields []sandpit.FieldError
	at := func(row int, attribute string, f sandpit.FieldError) {
		params := sandpit.Params{}
		for k, v := range f.Params {
			params[k] = v
		}
		params["hotspot"], params["attribute"] = row, attribute
		fields = append(fields, sandpit.FieldError{Field: "hotspots[" + strconv.Itoa(row) + "]." + attribute, Code: f.Code, Params: params})
	}
	number := func(row int, attribute, value string, min int) int {
		n, err := strconv.Atoi(strings.TrimSpace(value))
		if err != nil || n < min {
			at(row, attribute, sandpit.BadFormat(attribute, "a whole number of "+strconv.Itoa(min)+" or more"))
		}
		return n
	}
	hs := make([]sandpit.Hotspot, 0, len(rows))
	var checked []int // the rows of hs whose numbers could be read
	for _, r := range rows {
		before := len(fields)
		h := sandpit.Hotspot{X: number(r.Row, "x", r.X, 0), Y: number(r.Row, "y", r.Y, 0), W: number(r.Row, "w", r.W, 1), H: number(r.Row, "h", r.H, 1),
			Target: strings.TrimSpace(r.Target), Label: strings.TrimSpace(r.Label)}
		if len(fields) == before {
			hs = append(hs, h)
			checked = append(checked, r.Row)
		} else if def.Screen(h.Target) == nil {
			at(r.Row, "target", sandpit.Unknown("target", "screen"))
		}
	}
	if len(rows) > sandpit.MaxHotspots {
		fields = append(fields, sandpit.TooMany("hotspots", sandpit.MaxHotspots))
	}
	for _, f := range sandpit.FieldErrorsOf(def.CheckHotspots(sc, hs)) {
		if j, ok := f.Params["hotspot"].(int); ok {
			// A whole-hotspot error cannot come of numbers read above;
			// it would be put on x.
			at(checked[j], cmp.Or(f.Text("attribute"), "x"), f)
		} else if len(rows) <= sandpit.MaxHotspots {
			fields = append(fields, f)
		}
	}
	if len(fields) > 0 {
		return nil, sandpit.Invalid("Check the hotspots.", fields...)
	}
	return hs, nil
}

// TaskForm is a draft release and, when editing, one of its tasks.
type TaskForm struct {
	*ReleaseView
	Task *sandpit.Task // nil for a new task
}

// TaskForm returns draft release id and its task key ("" for a new task),
// if a may change them.
func (s *Authoring) TaskForm(ctx context.Context, a Actor, id int64, key string) (*TaskForm, error) {
	m, err := s.draft(ctx, a, id)
	if err != nil {
		return nil, err
	}
	return s.taskForm(ctx, a, m, key)
}

func (s *Authoring) taskForm(ctx context.Context, a Actor, m *store.ReleaseMeta, key string) (*TaskForm, error) {
	r, err := s.store.Release(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	w, err := s.store.WorkflowIn(ctx, r.WorkflowID, readScope(a, accessRead))
	if err != nil {
		return nil, err
	}
	f := &TaskForm{ReleaseView: &ReleaseView{Release: r, Workflow: w, CanEdit: true}}
	if key != "" {
		if f.Task = r.Task(key); f.Task == nil {
			return nil, sandpit.Errorf(sandpit.ENOTFOUND, "Task not found.")
		}
	}
	return f, nil
}

// TaskInput is a task as its form gives it; DailyFrequency is as typed.
type TaskInput struct {
	Key, Title, Scenario, Start string
	Success, OptimalPath        []string
	DailyFrequency              string
}

// SaveTask stores a task of draft release id, replacing task replacing
// when it is not empty; its key may change. A task given no key keeps the
// one it had, or gets one made from its title.
func (s *Authoring) SaveTask(ctx context.Context, a Actor, id int64, replacing string, in TaskInput) error {
	m, err := s.draft(ctx, a, id)
	if err != nil {
		return err
	}
	f, err := s.taskForm(ctx, a, m, replacing)
	if err != nil {
		return err
	}
	if strings.TrimSpace(in.Key) == "" {
		in.Key = replacing
		if replacing == "" {
			in.Key = sandpit.KeyFromTitle(in.Title, "task", func(k string) bool { return f.Release.Task(k) != nil })
		}
	}
	t, err := checkTask(&f.Release.Definition, in)
	if err != nil {
		return err
	}
	return s.store.SaveTask(ctx, m.ID, replacing, t)
}

// checkTask reads and checks in as a task of def.
func checkTask(def *sandpit.Definition, in TaskInput) (sandpit.Task, error) {
	t := sandpit.Task{Key: strings.TrimSpace(in.Key), Title: strings.TrimSpace(in.Title), Scenario: strings.TrimSpace(in.Scenario),
		Start: in.Start, Success: []string{}, OptimalPath: []string{}}
	for _, k := range in.Success {
		if k != "" && !slices.Contains(t.Success, k) {
			t.Success = append(t.Success, k)
		}
	}
	for _, k := range in.OptimalPath {
		if k = strings.TrimSpace(k); k != "" {
			t.OptimalPath = append(t.OptimalPath, k)
		}
	}
	var fields []sandpit.FieldError
	if f, bad := sandpit.CheckKey("key", t.Key); bad {
		fields = append(fields, f)
	}
	if f, bad := sandpit.CheckTitle("title", t.Title); bad {
		fields = append(fields, f)
	}
	if utf8.RuneCountInString(t.Scenario) > sandpit.MaxText {
		fields = append(fields, sandpit.TooLong("scenario", sandpit.MaxText))
	}
	if def.Screen(t.Start) == nil {
		fields = append(fields, sandpit.Unknown("start", "screen"))
	}
	if len(t.Success) == 0 {
		fields = append(fields, sandpit.Required("success"))
	}
	for _, k := range t.Success {
		if def.Screen(k) == nil {
			fields = append(fields, sandpit.Unknown("success", "screen"))
			break
		}
	}
	for _, k := range t.OptimalPath {
		if def.Screen(k) == nil {
			fields = append(fields, sandpit.Unknown("optimal_path", "screen"))
			break
		}
	}
	freq := strings.TrimSpace(in.DailyFrequency)
	if f, err := strconv.ParseFloat(freq, 64); freq == "" || err != nil || f < 0 || f > sandpit.MaxDailyFrequency {
		fields = append(fields, sandpit.OutOfRange("daily_frequency", 0, sandpit.MaxDailyFrequency))
	} else {
		t.DailyFrequency = f
	}
	if len(fields) > 0 {
		return t, sandpit.Invalid("Check the task.", fields...)
	}
	return t, nil
}

// DeleteTask removes task key from draft release id.
func (s *Authoring) DeleteTask(ctx context.Context, a Actor, id int64, key string) error {
	m, err := s.draft(ctx, a, id)
	if err != nil {
		return err
	}
	return s.store.DeleteTask(ctx, m.ID, key)
}

// Preview is a release as its team and researchers click through it, and,
// for a task, the screen shown.
type Preview struct {
	*sandpit.Release
	Workflow *sandpit.Workflow
	Task     *sandpit.Task   // nil on the list of tasks
	Screen   *sandpit.Screen // nil on the list of tasks
	// Problems are why the release cannot be published yet: a preview
	// shows them rather than refusing, as part of it may still work.
	Problems []sandpit.Problem
	CanEdit  bool // may fix them
}

// Complete reports whether the screen is one of the task's success screens.
func (p *Preview) Complete() bool {
	return p.Task != nil && p.Screen != nil && slices.Contains(p.Task.Success, p.Screen.Key)
}

// Preview returns release id for previewing: its team and researchers may
// preview any release, with the problems that stop it being published. With task set, it is that
// task on screen (its start screen when screen is "").
func (s *Authoring) Preview(ctx context.Context, a Actor, id int64, task, screen string) (*Preview, error) {
	m, err := s.release(ctx, a, id, accessRead)
	if err != nil {
		return nil, err
	}
	r, err := s.store.Release(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	w, err := s.store.WorkflowIn(ctx, r.WorkflowID, readScope(a, accessRead))
	if err != nil {
		return nil, err
	}
	p := &Preview{Release: r, Workflow: w, Problems: r.PublishProblems(), CanEdit: sandpit.CanEditWorkflows(a.User, m.TeamID)}
	if task == "" {
		return p, nil
	}
	if p.Task = r.Task(task); p.Task == nil {
		return nil, sandpit.Errorf(sandpit.ENOTFOUND, "Task not found.")
	}
	if screen == "" {
		screen = p.Task.Start
	}
	if p.Screen = r.Screen(screen); p.Screen == nil {
		return nil, sandpit.Errorf(sandpit.ENOTFOUND, "Screen not found.")
	}
	return p, nil
}

// PreviewClick follows a click on screen of task in preview of release id,
// at the point where reads (false when the request named none). A hit
// returns the hotspot; a miss returns nil. A point outside the image is
// EINVALID on "click". The preview is returned whenever the screen could
// be shown, so a page can show it again; nothing is recorded.
func (s *Authoring) PreviewClick(ctx context.Context, a Actor, id int64, task, screen string, where func(*sandpit.Screen) (x, y int, ok bool)) (*Preview, *sandpit.Hotspot, error) {
	if screen == "" {
		// A click names the screen it was on; without one there is none,
		// which only those who may preview the release learn.
		if _, err := s.release(ctx, a, id, accessRead); err != nil {
			return nil, nil, err
		}
		return nil, nil, sandpit.Errorf(sandpit.ENOTFOUND, "Screen not found.")
	}
	p, err := s.Preview(ctx, a, id, task, screen)
	if err != nil {
		return nil, nil, err
	}
	sc := p.Screen
	x, y, ok := where(sc)
	if !ok || x < 0 || y < 0 || x >= sc.Width || y >= sc.Height {
		return p, nil, sandpit.Invalid("Select a point inside the screen image.", sandpit.FieldError{Field: "click", Code: sandpit.FieldOutOfRange,
			Params: sandpit.Params{"min": 0, "max": max(sc.Width, sc.Height) - 1}})
	}
	return p, sc.Hit(x, y), nil
}

// ScreensChecked reports whether uploaded screens are read for patient
// identifiers; pages say so when they are not.
func (s *Authoring) ScreensChecked() bool { return s.cfg.Screens != nil }

// screenIdentifiers returns the boxes around real NHS numbers OCR reads in
// img. A failure to read is an error: a screen nobody could check is not
// stored.
func (s *Authoring) screenIdentifiers(ctx context.Context, img *sandpit.CheckedImage) ([]sandpit.Box, error) {
	select {
	case s.reading <- struct{}{}:
		defer func() { <-s.reading }()
	case <-ctx.Done():
		return nil, fmt.Errorf("app: read screen: %w", ctx.Err())
	}
	words, err := s.cfg.Screens.ReadWords(ctx, img.Data)
	if err != nil {
		return nil, fmt.Errorf("app: read screen: %w", err)
	}
	return sandpit.ScreenIdentifiers(words), nil
}

// readScreen refuses img, held in field, when OCR reads a real NHS number
// in it; the refusal carries the number's box.
func (s *Authoring) readScreen(ctx context.Context, field string, img *sandpit.CheckedImage) error {
	if s.cfg.Screens == nil || img == nil {
		return nil
	}
	boxes, err := s.screenIdentifiers(ctx, img)
	if err != nil {
		return err
	}
	if len(boxes) > 0 {
		return sandpit.ErrScreenIdentifier(field, boxes)
	}
	return nil
}

// readDefinitionScreens reads every screen of def, as many at once as
// there are free OCR slots, and refuses the definition naming each screen that
// shows a real NHS number.
func (s *Authoring) readDefinitionScreens(ctx context.Context, def *sandpit.Definition, images map[string]*sandpit.CheckedImage) error {
	if s.cfg.Screens == nil {
		return nil
	}
	found := make([][]sandpit.Box, len(def.Screens))
	errs := make([]error, len(def.Screens))
	var wg sync.WaitGroup
	for i, sc := range def.Screens {
		img := images[sc.Key]
		if img == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			found[i], errs[i] = s.screenIdentifiers(ctx, img)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	var fields []sandpit.FieldError
	for i, boxes := range found {
		if len(boxes) > 0 {
			fields = append(fields, sandpit.ScreenIdentifierError(fmt.Sprintf("screens[%d].image", i), boxes))
		}
	}
	if len(fields) > 0 {
		return sandpit.Invalid("Remove the NHS numbers from the screens: Sandpit must never hold real patient identifiers.", fields...)
	}
	return nil
}
