package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// The outbox: every email is a row of mail_messages, written in the
// transaction of the event that causes it and sent later by a worker that
// claims rows (FOR UPDATE SKIP LOCKED with a lease on PostgreSQL; SQLite's
// single writer on SQLite), so that a mail outage delays mail and loses
// none, and replicas never send a message twice at once.

// newMessage inserts one outbox row in tx and returns its id.
func (s *Store) newMessage(tx *gorm.DB, kind sandpit.MailKind, to string, userID, releaseID *int64, sendAfter time.Time) (int64, error) {
	var id int64
	err := tx.Raw(`INSERT INTO mail_messages (kind, to_addr, user_id, release_id, created_at, send_after)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, string(kind), to, userID, releaseID, s.Now(), sendAfter).Scan(&id).Error
	return id, err
}

// Invite records invitations to open release releaseID for each address
// not invited to it yet, each with its email in the outbox, in one
// transaction with entry; it returns how many were new.
func (s *Store) Invite(ctx context.Context, releaseID int64, emails []string, entry sandpit.AuditEntry) (int, error) {
	n := 0
	err := s.transact(ctx, func(tx *gorm.DB) error {
		n = 0
		var status []string
		if err := tx.Raw("SELECT status FROM releases WHERE id = ?", releaseID).Scan(&status).Error; err != nil {
			return err
		}
		if len(status) == 0 {
			return sandpit.Errorf(sandpit.ENOTFOUND, "Release not found.")
		}
		if sandpit.ReleaseStatus(status[0]) != sandpit.StatusOpen {
			return sandpit.Errorf(sandpit.ECONFLICT, "Invite clinicians once the release is published and open for trials.")
		}
		now := s.Now()
		for _, e := range emails {
			e = sandpit.NormalizeEmail(e)
			res := tx.Exec(`INSERT INTO invitations (release_id, email, email_lower, invited_by, created_at) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (release_id, email_lower) DO NOTHING`, releaseID, e, strings.ToLower(e), entry.ActorID, now)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				continue
			}
			if _, err := s.newMessage(tx, sandpit.MailInvitation, e, nil, &releaseID, now); err != nil {
				return err
			}
			n++
		}
		entry.Detail = fmt.Sprintf("release %d: %d invited, %d already invited", releaseID, n, len(emails)-n)
		return s.audit(tx, entry)
	})
	if err != nil {
		return 0, fmt.Errorf("store: invite to release %d: %w", releaseID, err)
	}
	return n, nil
}

// queueDigest adds the reports of finding findingID to each reporter's
// pending "you said, we did" digest, in tx: a digest not yet claimed by a
// sender takes them; otherwise a new one is due window from now, so that
// a clinician gets at most one digest a window.
func (s *Store) queueDigest(tx *gorm.DB, findingID int64, window time.Duration) error {
	var reporters []struct {
		UserID   int64
		Email    string
		ReportID int64
	}
	if err := tx.Raw(`SELECT t.user_id, u.email, r.id AS report_id FROM reports r JOIN trials t ON t.id = r.trial_id
		JOIN users u ON u.id = t.user_id WHERE r.finding_id = ? ORDER BY t.user_id, r.id`, findingID).Scan(&reporters).Error; err != nil {
		return err
	}
	now := s.Now()
	pending := map[int64]int64{}
	for _, r := range reporters {
		id, ok := pending[r.UserID]
		if !ok {
			// Digests of one clinician are written one transaction at a
			// time: two curators answering at once must not make two.
			if s.dialect == Postgres {
				if err := tx.Exec("SELECT id FROM users WHERE id = ? FOR UPDATE", r.UserID).Error; err != nil {
					return err
				}
			}
			lock := ""
			if s.dialect == Postgres {
				lock = " FOR UPDATE"
			}
			var ids []int64
			if err := tx.Raw(`SELECT id FROM mail_messages WHERE kind = ? AND user_id = ? AND sent_at IS NULL
				AND (claimed_until IS NULL OR claimed_until <= ?) ORDER BY id LIMIT 1`+lock, string(sandpit.MailDigest), r.UserID, now).Scan(&ids).Error; err != nil {
				return err
			}
			if len(ids) > 0 {
				id = ids[0]
			} else {
				var err error
				uid := r.UserID
				if id, err = s.newMessage(tx, sandpit.MailDigest, r.Email, &uid, nil, now.Add(window)); err != nil {
					return err
				}
			}
			pending[r.UserID] = id
		}
		if err := tx.Exec(`INSERT INTO mail_digest_items (message_id, report_id) VALUES (?, ?) ON CONFLICT (message_id, report_id) DO NOTHING`,
			id, r.ReportID).Error; err != nil {
			return err
		}
	}
	return nil
}

// QueueReminders puts in the outbox a reminder for each unfinished trial of
// an open release that has been waiting at least after[i] since consent
// (and less than after[i+1]), once per trial and i: at most len(after)
// reminders a trial, however often and from however many replicas it runs.
// It returns how many it queued.
func (s *Store) QueueReminders(ctx context.Context, after []time.Duration) (int, error) {
	n := 0
	err := s.transact(ctx, func(tx *gorm.DB) error {
		n = 0
		now := s.Now()
		for i, d := range after {
			cond, args := "t.consented_at <= ?", []any{now.Add(-d)}
			if i+1 < len(after) {
				cond += " AND t.consented_at > ?"
				args = append(args, now.Add(-after[i+1]))
			}
			res := tx.Exec(`INSERT INTO mail_messages (kind, to_addr, user_id, release_id, trial_id, reminder_seq, created_at, send_after)
				SELECT ?, u.email, t.user_id, t.release_id, t.id, ?, ?, ? FROM trials t
				JOIN releases r ON r.id = t.release_id JOIN users u ON u.id = t.user_id
				WHERE r.status = ? AND t.completed_at IS NULL AND u.disabled_at IS NULL AND `+cond+`
				ON CONFLICT (trial_id, reminder_seq) DO NOTHING`,
				append([]any{string(sandpit.MailReminder), i + 1, now, now, string(sandpit.StatusOpen)}, args...)...)
			if res.Error != nil {
				return res.Error
			}
			n += int(res.RowsAffected)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: queue reminders: %w", err)
	}
	return n, nil
}

// OutboxMessage is a claimed message with what its email needs.
type OutboxMessage struct {
	ID        int64
	Kind      sandpit.MailKind
	To        string
	UserID    *int64
	ReleaseID *int64
	TrialID   *int64
	Tries     int // including this one
	// Workflow and Version name the release of an invitation or reminder.
	Workflow string
	Version  string
	// Reports is how many of the clinician's reports a digest tells of.
	Reports int
	// Skip says why the message is no longer to be sent: its address left
	// the kind, or a reminder's trial was finished, withdrawn or closed.
	Skip string
}

// outboxRow is a row of mail_messages.
type outboxRow struct {
	ID        int64
	Kind      string
	ToAddr    string
	UserID    *int64
	ReleaseID *int64
	TrialID   *int64
	Tries     int
}

// ClaimMail claims up to limit messages due now for lease, counting a try
// of each: until the lease ends no other worker takes them.
func (s *Store) ClaimMail(ctx context.Context, limit int, lease time.Duration) ([]OutboxMessage, error) {
	var out []OutboxMessage
	err := s.transact(ctx, func(tx *gorm.DB) error {
		out = nil
		now := s.Now()
		lock := ""
		if s.dialect == Postgres {
			lock = " FOR UPDATE SKIP LOCKED"
		}
		var rows []outboxRow
		if err := tx.Raw(`SELECT id, kind, to_addr, user_id, release_id, trial_id, tries FROM mail_messages
			WHERE sent_at IS NULL AND send_after <= ? AND (claimed_until IS NULL OR claimed_until <= ?)
			ORDER BY send_after, id LIMIT ?`+lock, now, now, limit).Scan(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			if err := tx.Exec("UPDATE mail_messages SET claimed_until = ?, tries = tries + 1 WHERE id = ?", now.Add(lease), r.ID).Error; err != nil {
				return err
			}
			m := OutboxMessage{ID: r.ID, Kind: sandpit.MailKind(r.Kind), To: r.ToAddr, UserID: r.UserID, ReleaseID: r.ReleaseID, TrialID: r.TrialID, Tries: r.Tries + 1}
			if err := s.describe(tx, &m); err != nil {
				return err
			}
			out = append(out, m)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: claim mail: %w", err)
	}
	return out, nil
}

// describe fills in what m's email says, or why it is skipped.
func (s *Store) describe(tx *gorm.DB, m *OutboxMessage) error {
	var left int64
	if err := tx.Raw("SELECT COUNT(*) FROM mail_unsubscribes WHERE email_lower = ? AND kind = ?", strings.ToLower(m.To), string(m.Kind)).Scan(&left).Error; err != nil {
		return err
	}
	if left > 0 {
		m.Skip = "unsubscribed"
		return nil
	}
	if m.ReleaseID != nil {
		var rel []struct {
			Title, Version, Status string
		}
		if err := tx.Raw(`SELECT w.title, r.version, r.status FROM releases r JOIN workflows w ON w.id = r.workflow_id WHERE r.id = ?`,
			*m.ReleaseID).Scan(&rel).Error; err != nil {
			return err
		}
		if len(rel) == 0 || sandpit.ReleaseStatus(rel[0].Status) != sandpit.StatusOpen {
			m.Skip = "release closed"
			return nil
		}
		m.Workflow, m.Version = rel[0].Title, rel[0].Version
	}
	switch m.Kind {
	case sandpit.MailDigest:
		var n int64
		if err := tx.Raw("SELECT COUNT(*) FROM mail_digest_items WHERE message_id = ?", m.ID).Scan(&n).Error; err != nil {
			return err
		}
		m.Reports = int(n)
		if n == 0 {
			m.Skip = "nothing to tell"
		}
	case sandpit.MailReminder:
		var open int64
		if m.TrialID != nil {
			if err := tx.Raw("SELECT COUNT(*) FROM trials WHERE id = ? AND completed_at IS NULL", *m.TrialID).Scan(&open).Error; err != nil {
				return err
			}
		}
		if open == 0 {
			m.Skip = "trial finished or withdrawn"
		}
	}
	return nil
}

// MailDone records that message id was sent (outcome "sent") or will never
// be (outcome "skipped: …" or "failed: …").
func (s *Store) MailDone(ctx context.Context, id int64, outcome string) error {
	err := s.write.WithContext(ctx).Exec("UPDATE mail_messages SET sent_at = ?, outcome = ?, claimed_until = NULL WHERE id = ?", s.Now(), outcome, id).Error
	if err != nil {
		return fmt.Errorf("store: mail %d done: %w", id, err)
	}
	return nil
}

// MailFailed records a failed try of message id and when to try again.
func (s *Store) MailFailed(ctx context.Context, id int64, reason string, retryAt time.Time) error {
	if len(reason) > 500 {
		reason = reason[:500]
	}
	err := s.write.WithContext(ctx).Exec("UPDATE mail_messages SET claimed_until = NULL, send_after = ?, last_error = ? WHERE id = ?", retryAt, reason, id).Error
	if err != nil {
		return fmt.Errorf("store: mail %d failed: %w", id, err)
	}
	return nil
}

// MailCounts is how many messages are waiting and how many were sent, for
// metrics and tests.
type MailCounts struct {
	Waiting, Sent, Skipped, Failed int
}

// MailCounts counts the outbox.
func (s *Store) MailCounts(ctx context.Context) (MailCounts, error) {
	var c MailCounts
	err := s.read.WithContext(ctx).Raw(`SELECT
		COALESCE(SUM(CASE WHEN sent_at IS NULL THEN 1 ELSE 0 END), 0) AS waiting,
		COALESCE(SUM(CASE WHEN outcome = 'sent' THEN 1 ELSE 0 END), 0) AS sent,
		COALESCE(SUM(CASE WHEN outcome LIKE 'skipped%' THEN 1 ELSE 0 END), 0) AS skipped,
		COALESCE(SUM(CASE WHEN outcome LIKE 'failed%' THEN 1 ELSE 0 END), 0) AS failed FROM mail_messages`).Scan(&c).Error
	if err != nil {
		return c, fmt.Errorf("store: mail counts: %w", err)
	}
	return c, nil
}

// Unsubscribe records that email wants no more email of kind.
func (s *Store) Unsubscribe(ctx context.Context, email string, kind sandpit.MailKind, entry sandpit.AuditEntry) error {
	err := s.transact(ctx, func(tx *gorm.DB) error {
		res := tx.Exec(`INSERT INTO mail_unsubscribes (email_lower, kind, created_at) VALUES (?, ?, ?) ON CONFLICT (email_lower, kind) DO NOTHING`,
			strings.ToLower(email), string(kind), s.Now())
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		entry.Detail = "unsubscribed from " + string(kind) + " emails"
		return s.audit(tx, entry)
	})
	if err != nil {
		return fmt.Errorf("store: unsubscribe: %w", err)
	}
	return nil
}

// Unsubscribed reports whether email left kind.
func (s *Store) Unsubscribed(ctx context.Context, email string, kind sandpit.MailKind) (bool, error) {
	var n int64
	if err := s.read.WithContext(ctx).Raw("SELECT COUNT(*) FROM mail_unsubscribes WHERE email_lower = ? AND kind = ?", strings.ToLower(email), string(kind)).Scan(&n).Error; err != nil {
		return false, fmt.Errorf("store: unsubscribed: %w", err)
	}
	return n > 0, nil
}

// ---- Recruitment ----

// GroupCount is one profession's participants of a release against its
// target (nil: not limited).
type GroupCount struct {
	Target    *int `json:"target"`
	Started   int  `json:"started"`
	Completed int  `json:"completed"`
}

// Recruitment is who was invited to and took part in a release.
type Recruitment struct {
	Invited      int                   `json:"invited"`
	Started      int                   `json:"started"`
	Completed    int                   `json:"completed"`
	ByProfession map[string]GroupCount `json:"by_profession"`
}

// Recruitment counts release releaseID's invitations and trials, by
// profession, against its targets.
func (s *Store) Recruitment(ctx context.Context, releaseID int64) (*Recruitment, error) {
	db := s.read.WithContext(ctx)
	r := &Recruitment{ByProfession: map[string]GroupCount{}}
	var invited int64
	if err := db.Raw("SELECT COUNT(*) FROM invitations WHERE release_id = ?", releaseID).Scan(&invited).Error; err != nil {
		return nil, fmt.Errorf("store: recruitment of %d: %w", releaseID, err)
	}
	r.Invited = int(invited)
	var groups []struct {
		Profession         string
		Started, Completed int
	}
	if err := db.Raw(`SELECT COALESCE(u.profession, 'other') AS profession, COUNT(*) AS started,
		SUM(CASE WHEN t.completed_at IS NOT NULL THEN 1 ELSE 0 END) AS completed
		FROM trials t JOIN users u ON u.id = t.user_id WHERE t.release_id = ? GROUP BY COALESCE(u.profession, 'other')`, releaseID).Scan(&groups).Error; err != nil {
		return nil, fmt.Errorf("store: recruitment of %d: %w", releaseID, err)
	}
	for _, g := range groups {
		r.Started += g.Started
		r.Completed += g.Completed
		r.ByProfession[g.Profession] = GroupCount{Started: g.Started, Completed: g.Completed}
	}
	targets, err := s.Targets(ctx, releaseID)
	if err != nil {
		return nil, err
	}
	for p, t := range targets {
		g := r.ByProfession[p]
		g.Target = &t
		r.ByProfession[p] = g
	}
	return r, nil
}

// Targets returns release releaseID's recruitment targets by profession.
func (s *Store) Targets(ctx context.Context, releaseID int64) (map[string]int, error) {
	var rows []struct {
		Profession string
		Target     int
	}
	if err := s.read.WithContext(ctx).Raw("SELECT profession, target FROM recruitment_targets WHERE release_id = ?", releaseID).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: targets of %d: %w", releaseID, err)
	}
	out := map[string]int{}
	for _, r := range rows {
		out[r.Profession] = r.Target
	}
	return out, nil
}

// SetTargets replaces release releaseID's recruitment targets, in one
// transaction with entry.
func (s *Store) SetTargets(ctx context.Context, releaseID int64, targets map[string]int, entry sandpit.AuditEntry) error {
	err := s.transact(ctx, func(tx *gorm.DB) error {
		if err := tx.Exec("DELETE FROM recruitment_targets WHERE release_id = ?", releaseID).Error; err != nil {
			return err
		}
		var parts []string
		for _, p := range sandpit.Professions() {
			t, ok := targets[p]
			if !ok {
				continue
			}
			if err := tx.Exec("INSERT INTO recruitment_targets (release_id, profession, target) VALUES (?, ?, ?)", releaseID, p, t).Error; err != nil {
				return err
			}
			parts = append(parts, fmt.Sprintf("%s %d", p, t))
		}
		entry.Detail = fmt.Sprintf("release %d: %s", releaseID, strings.Join(parts, ", "))
		if len(parts) == 0 {
			entry.Detail = fmt.Sprintf("release %d: no targets", releaseID)
		}
		return s.audit(tx, entry)
	})
	if err != nil {
		return fmt.Errorf("store: set targets of %d: %w", releaseID, err)
	}
	return nil
}

// ProfessionStarted returns release releaseID's target for profession
// (limited false when it has none) and how many of its clinicians have
// started a trial of it.
func (s *Store) ProfessionStarted(ctx context.Context, releaseID int64, profession string) (target int, limited bool, started int, err error) {
	db := s.read.WithContext(ctx)
	var t []int
	if err := db.Raw("SELECT target FROM recruitment_targets WHERE release_id = ? AND profession = ?", releaseID, profession).Scan(&t).Error; err != nil {
		return 0, false, 0, fmt.Errorf("store: target of %d: %w", releaseID, err)
	}
	if len(t) == 0 {
		return 0, false, 0, nil
	}
	var n int64
	if err := db.Raw(`SELECT COUNT(*) FROM trials t JOIN users u ON u.id = t.user_id WHERE t.release_id = ? AND COALESCE(u.profession, 'other') = ?`,
		releaseID, profession).Scan(&n).Error; err != nil {
		return 0, false, 0, fmt.Errorf("store: started of %d: %w", releaseID, err)
	}
	return t[0], true, int(n), nil
}
