package app

import (
	"context"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// recruitmentStore is what Recruitment needs of the store.
type recruitmentStore interface {
	ReleaseMeta(ctx context.Context, id int64) (*store.ReleaseMeta, error)
	Invite(ctx context.Context, releaseID int64, emails []string, entry sandpit.AuditEntry) (int, error)
	Recruitment(ctx context.Context, releaseID int64) (*store.Recruitment, error)
	Targets(ctx context.Context, releaseID int64) (map[string]int, error)
	SetTargets(ctx context.Context, releaseID int64, targets map[string]int, entry sandpit.AuditEntry) error
	Unsubscribe(ctx context.Context, email string, kind sandpit.MailKind, entry sandpit.AuditEntry) error
	Unsubscribed(ctx context.Context, email string, kind sandpit.MailKind) (bool, error)
}

// Recruitment is the use cases of inviting clinicians by email, targets of
// participants by profession, and leaving a kind of email.
type Recruitment struct {
	store recruitmentStore
	cfg   Config
}

func newRecruitment(st *store.Store, cfg Config) *Recruitment {
	return &Recruitment{store: st, cfg: cfg}
}

// release returns release id's meta if the actor may manage its
// recruitment by rule: ENOTFOUND when they may not see it, EFORBIDDEN
// when they see it but rule says no.
func (r *Recruitment) release(ctx context.Context, a Actor, id int64, rule func(*sandpit.User, int64) bool) (*store.ReleaseMeta, error) {
	if err := signedIn(a); err != nil {
		return nil, err
	}
	m, err := r.store.ReleaseMeta(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := visible(sandpit.CanSeeRelease(a.User, m.TeamID, m.Status), "Release"); err != nil {
		return nil, err
	}
	return m, allow(rule(a.User, m.TeamID))
}

// MailConfigured reports whether Sandpit can send email.
func (r *Recruitment) MailConfigured() bool { return r.cfg.Mail }

// errNoMail answers a use case that sends email when no relay is set.
func errNoMail() error {
	return sandpit.Errorf(sandpit.EUNAVAILABLE, "Sandpit cannot send email: an administrator needs to set SANDPIT_SMTP_URL (and SANDPIT_MAIL_FROM).")
}

// Invite emails the release's invite link to each address not invited to
// it yet, and returns how many were new: the team's product owners, while
// the release is open.
func (r *Recruitment) Invite(ctx context.Context, a Actor, releaseID int64, emails []string) (int, error) {
	m, err := r.release(ctx, a, releaseID, sandpit.CanInviteClinicians)
	if err != nil {
		return 0, err
	}
	if !r.cfg.Mail {
		return 0, errNoMail()
	}
	if err := sandpit.CheckInvitations(emails); err != nil {
		return 0, err
	}
	if m.Status != sandpit.StatusOpen {
		return 0, sandpit.Errorf(sandpit.ECONFLICT, "Invite clinicians once the release is published and open for trials.")
	}
	clean := make([]string, len(emails))
	for i, e := range emails {
		clean[i] = sandpit.NormalizeEmail(e)
	}
	return r.store.Invite(ctx, releaseID, clean, a.teamEntry(sandpit.AuditInvited, m.TeamID))
}

// InviteForm checks that the actor may invite clinicians to release
// releaseID, for the page that takes the addresses.
func (r *Recruitment) InviteForm(ctx context.Context, a Actor, releaseID int64) error {
	_, err := r.release(ctx, a, releaseID, sandpit.CanInviteClinicians)
	return err
}

// Status is a release's recruitment: invitations, trials started and
// completed, by profession against the targets.
func (r *Recruitment) Status(ctx context.Context, a Actor, releaseID int64) (*store.Recruitment, error) {
	if _, err := r.release(ctx, a, releaseID, sandpit.CanSeeRecruitment); err != nil {
		return nil, err
	}
	return r.store.Recruitment(ctx, releaseID)
}

// Targets returns the release's targets by profession.
func (r *Recruitment) Targets(ctx context.Context, a Actor, releaseID int64) (map[string]int, error) {
	if _, err := r.release(ctx, a, releaseID, sandpit.CanSetRecruitmentTargets); err != nil {
		return nil, err
	}
	return r.store.Targets(ctx, releaseID)
}

// ReportTargets returns the release's targets for its usability report,
// whose readers compare its participants with them.
func (r *Recruitment) ReportTargets(ctx context.Context, a Actor, releaseID int64) (map[string]int, error) {
	if _, err := r.release(ctx, a, releaseID, sandpit.CanReadReports); err != nil {
		return nil, err
	}
	return r.store.Targets(ctx, releaseID)
}

// SetTargets replaces the release's targets: a profession not named is not
// limited. The team's product owners, of a draft or open release.
func (r *Recruitment) SetTargets(ctx context.Context, a Actor, releaseID int64, targets map[string]int) error {
	m, err := r.release(ctx, a, releaseID, sandpit.CanSetRecruitmentTargets)
	if err != nil {
		return err
	}
	if err := sandpit.CheckTargets(targets); err != nil {
		return err
	}
	if m.Status == sandpit.StatusClosed {
		return sandpit.Errorf(sandpit.ECONFLICT, "This release is closed to trials, so its targets can no longer change.")
	}
	return r.store.SetTargets(ctx, releaseID, targets, a.teamEntry(sandpit.AuditTargetsSet, m.TeamID))
}

// Unsubscription is what an unsubscribe link names.
type Unsubscription struct {
	Email string
	Kind  sandpit.MailKind
	Done  bool // the address has left this kind already
}

// Unsubscription reads an unsubscribe link's token; anyone may, signed in
// or not, since the token is the proof.
func (r *Recruitment) Unsubscription(ctx context.Context, token string) (*Unsubscription, error) {
	email, kind, ok := sandpit.ParseUnsubscribeToken(r.cfg.UnsubscribeKey, token)
	if !ok || len(r.cfg.UnsubscribeKey) == 0 {
		return nil, sandpit.Errorf(sandpit.ENOTFOUND, "This unsubscribe link is not valid. Copy the whole link from the email.")
	}
	done, err := r.store.Unsubscribed(ctx, email, kind)
	if err != nil {
		return nil, err
	}
	return &Unsubscription{Email: email, Kind: kind, Done: done}, nil
}

// Unsubscribe stops the emails of the token's kind to its address.
func (r *Recruitment) Unsubscribe(ctx context.Context, a Actor, token string) (*Unsubscription, error) {
	u, err := r.Unsubscription(ctx, token)
	if err != nil {
		return nil, err
	}
	if err := r.store.Unsubscribe(ctx, u.Email, u.Kind, a.entry(sandpit.AuditUnsubscribed)); err != nil {
		return nil, err
	}
	u.Done = true
	return u, nil
}
