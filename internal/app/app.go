// Package app holds Sandpit's use cases: one service per area, each method
// taking (ctx, actor, args) and returning a result or a domain error. Every
// permission decision and every audit entry is made here and nowhere else;
// the web layer only decodes requests, calls one method and renders what it
// returns. Services depend on small interfaces, declared beside the service
// that uses them, which the store satisfies.
package app

import (
	"context"
	"runtime"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// Actor is who asks for a use case, and from where, for the audit log.
type Actor struct {
	User *sandpit.User // nil when nobody is signed in
	IP   string
}

// ID is the actor's user id, or 0 when nobody is signed in.
func (a Actor) ID() int64 {
	if a.User == nil {
		return 0
	}
	return a.User.ID
}

// scope is the teams whose data the actor may read, for the store.
func (a Actor) scope() store.Scope {
	t := sandpit.ReadScope(a.User)
	return store.Scope{All: t.All, Teams: t.TeamIDs}
}

// scopeOf is the actor's scope for reading team teamID's trial data: only
// research-consented trials when they read it as research data.
func (a Actor) scopeOf(teamID int64) store.Scope {
	sc := a.scope()
	sc.ResearchOnly = sandpit.ResearchDataOnly(a.User, teamID)
	return sc
}

// entry is the audit entry of action done by the actor.
func (a Actor) entry(action string) sandpit.AuditEntry {
	e := sandpit.AuditEntry{Action: action, IP: a.IP}
	if a.User != nil {
		e.ActorID = &a.User.ID
	}
	return e
}

// teamEntry is the audit entry of action done by the actor in team teamID.
func (a Actor) teamEntry(action string, teamID int64) sandpit.AuditEntry {
	e := a.entry(action)
	e.TeamID = &teamID
	return e
}

// Config is what the services need of Sandpit's settings.
type Config struct {
	// PasswordCost is bcrypt's cost; tests lower it.
	PasswordCost int
	// PseudonymKey keys the hash that turns users into the participant ids
	// of research exports.
	PseudonymKey []byte
	// OpenRegistration lets anyone register as a clinician.
	OpenRegistration bool
	// Version is the build's version, written into exports' metadata.
	Version string
	// Now is the clock.
	Now func() time.Time
	// Screens reads the words in uploaded and imported screen images, so
	// that a screenshot showing a real NHS number is refused; nil leaves
	// screens unchecked (SANDPIT_OCR=off).
	Screens ScreenReader
	// BaseURL is where people reach Sandpit, with no trailing slash: the
	// providers send them back to it.
	BaseURL string
	// SSO is the configured OpenID Providers, in the order the sign-in page
	// offers them.
	SSO []SSOProvider
	// NoPasswordSignIn turns off signing in, registering and setting
	// passwords with passwords (SANDPIT_PASSWORD_SIGNIN=false).
	NoPasswordSignIn bool
	// Decoders bounds how many screen images are decoded at once, across
	// every request (nil: New sizes it to the cores).
	Decoders sandpit.Decoders
	// Mail says Sandpit can send email (SANDPIT_SMTP_URL is set): without
	// it invitations answer EUNAVAILABLE and no digest is queued.
	Mail bool
	// FeedbackDigest is the least time between two "you said, we did"
	// digests to one clinician (SANDPIT_FEEDBACK_DIGEST).
	FeedbackDigest time.Duration
	// UnsubscribeKey signs the unsubscribe links of emails.
	UnsubscribeKey []byte
}

// DefaultFeedbackDigest is the least time between two digests to one
// clinician when SANDPIT_FEEDBACK_DIGEST is not set.
const DefaultFeedbackDigest = 24 * time.Hour

// ScreenReader reads the words, with their boxes, in a PNG or JPEG image.
type ScreenReader interface {
	ReadWords(ctx context.Context, image []byte) ([]sandpit.Word, error)
}

// App is every service.
type App struct {
	Identity  *Identity
	Authoring *Authoring
	Trials    *Trials
	Findings  *Findings
	Reports   *Reports
	Exports   *Exports
	Safety    *Safety
	// Recruitment invites clinicians and sets targets by profession.
	Recruitment *Recruitment
	Home        *Home
	Benefits    *Benefits
}

// New wires the services around the store.
func New(st *store.Store, cfg Config) *App {
	if cfg.PasswordCost == 0 {
		cfg.PasswordCost = sandpit.DefaultPasswordCost
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.FeedbackDigest == 0 {
		cfg.FeedbackDigest = DefaultFeedbackDigest
	}
	if cfg.Decoders == nil {
		cfg.Decoders = sandpit.NewDecoders(runtime.GOMAXPROCS(0))
	}
	reports := newReports(st, cfg)
	return &App{
		Identity:  newIdentity(st, cfg),
		Authoring: newAuthoring(st, cfg),
		Trials:    newTrials(st, cfg),
		Findings:  newFindings(st, cfg),
		Reports:   reports,
		Benefits:  newBenefits(st, cfg, reports),
		Exports:   newExports(st, cfg),
		Safety:    newSafety(st, cfg),

		Recruitment: newRecruitment(st, cfg),
		Home:        newHome(st, cfg),
	}
}

// allow is EFORBIDDEN unless ok: for an actor who may see the object but not
// do this to it.
func allow(ok bool) error {
	if !ok {
		return sandpit.Errorf(sandpit.EFORBIDDEN, "You are not allowed to do this.")
	}
	return nil
}

// visible is ENOTFOUND unless ok: an object the actor may not see is, to
// them, not there. what is its name in the message, e.g. "Release".
func visible(ok bool, what string) error {
	if !ok {
		return sandpit.Errorf(sandpit.ENOTFOUND, "%s not found.", what)
	}
	return nil
}

// signedIn is EUNAUTHORIZED when nobody is signed in.
func signedIn(a Actor) error {
	if a.User == nil {
		return sandpit.Errorf(sandpit.EUNAUTHORIZED, "Sign in to continue.")
	}
	return nil
}
