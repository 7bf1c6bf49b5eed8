package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

type auditRow struct {
	ID        int64
	CreatedAt time.Time
	ActorID   *int64
	Action    string
	SubjectID *int64
	TeamID    *int64
	IP        string
	Detail    string
}

func (auditRow) TableName() string { return "audit_events" }

// audit appends entry to the audit log inside tx, so it is kept exactly when
// the action is.
func (s *Store) audit(tx *gorm.DB, e sandpit.AuditEntry) error {
	return tx.Create(&auditRow{CreatedAt: s.Now(), ActorID: e.ActorID, Action: e.Action, SubjectID: e.SubjectID,
		TeamID: e.TeamID, IP: e.IP, Detail: e.Detail}).Error
}

// Audit appends entry to the audit log on its own, for events that change
// nothing else, such as a sign-in.
func (s *Store) Audit(ctx context.Context, entry sandpit.AuditEntry) error {
	if err := s.audit(s.write.WithContext(ctx), entry); err != nil {
		return fmt.Errorf("store: audit %s: %w", entry.Action, err)
	}
	return nil
}

// AuditFilter narrows the audit log.
type AuditFilter struct {
	Email  string // events the user with this email did or had done to them
	Action string
	Offset int
	Limit  int
}

// AuditEvents returns a page of the audit log, newest first, and how many
// events match the filter in all.
func (s *Store) AuditEvents(ctx context.Context, f AuditFilter) ([]sandpit.AuditEvent, int64, error) {
	q := s.read.WithContext(ctx).Table("audit_events e").
		Joins("LEFT JOIN users a ON a.id = e.actor_id").
		Joins("LEFT JOIN users u ON u.id = e.subject_id")
	if f.Email != "" {
		q = q.Where("a.email_lower = lower(?) OR u.email_lower = lower(?)", f.Email, f.Email)
	}
	if f.Action != "" {
		q = q.Where("e.action = ?", f.Action)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: count audit events: %w", err)
	}
	var rows []struct {
		Event   auditRow `gorm:"embedded"`
		Actor   *string
		Subject *string
	}
	err := q.Select("e.*, a.email AS actor, u.email AS subject").Order("e.id DESC").Offset(f.Offset).Limit(f.Limit).Scan(&rows).Error
	if err != nil {
		return nil, 0, fmt.Errorf("store: audit events: %w", err)
	}
	events := make([]sandpit.AuditEvent, len(rows))
	for i, r := range rows {
		e := r.Event
		events[i] = sandpit.AuditEvent{ID: e.ID, At: e.CreatedAt, ActorID: e.ActorID, Actor: deref(r.Actor), Action: e.Action,
			SubjectID: e.SubjectID, Subject: deref(r.Subject), TeamID: e.TeamID, IP: e.IP, Detail: e.Detail}
	}
	return events, total, nil
}
