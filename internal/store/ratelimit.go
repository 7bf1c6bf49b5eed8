package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

type rateEventRow struct {
	ID        int64
	Kind      string
	Key       string
	CreatedAt time.Time
}

func (rateEventRow) TableName() string { return "rate_events" }

// RateCount returns how many events of kind for key happened within window
// of now, and when the oldest of them leaves the window.
func (s *Store) RateCount(ctx context.Context, kind, key string, window time.Duration) (int64, time.Time, error) {
	since := s.Now().Add(-window)
	var r struct {
		N      int64
		Oldest *time.Time
	}
	// Aggregates over a time column come back as text on SQLite, so the
	// oldest is read as a row instead.
	err := s.read.WithContext(ctx).Model(&rateEventRow{}).Select("COUNT(*) AS n").
		Where("kind = ? AND key = ? AND created_at > ?", kind, key, since).Scan(&r).Error
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("store: rate count %s: %w", kind, err)
	}
	if r.N == 0 {
		return 0, time.Time{}, nil
	}
	var oldest rateEventRow
	err = s.read.WithContext(ctx).Where("kind = ? AND key = ? AND created_at > ?", kind, key, since).Order("created_at").Take(&oldest).Error
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("store: rate oldest %s: %w", kind, err)
	}
	return r.N, oldest.CreatedAt.Add(window), nil
}

// RateEvent is one event to count against a limit.
type RateEvent struct {
	Kind string
	Key  string
}

// RecordRateEvents counts events and, when entry has an action, records it
// in the audit log, in one transaction. Events older than a day go in the
// same transaction, so the table stays small.
func (s *Store) RecordRateEvents(ctx context.Context, events []RateEvent, entry sandpit.AuditEntry) error {
	now := s.Now()
	err := s.transact(ctx, func(tx *gorm.DB) error {
		for _, e := range events {
			if err := tx.Create(&rateEventRow{Kind: e.Kind, Key: e.Key, CreatedAt: now}).Error; err != nil {
				return err
			}
		}
		if err := tx.Where("created_at < ?", now.Add(-24*time.Hour)).Delete(&rateEventRow{}).Error; err != nil {
			return err
		}
		if entry.Action == "" {
			return nil
		}
		return s.audit(tx, entry)
	})
	if err != nil {
		return fmt.Errorf("store: record rate events: %w", err)
	}
	return nil
}

// RateNewest returns when the newest event of kind for key happened, or
// the zero time when there is none.
func (s *Store) RateNewest(ctx context.Context, kind, key string) (time.Time, error) {
	var rows []rateEventRow
	if err := s.read.WithContext(ctx).Where("kind = ? AND key = ?", kind, key).Order("created_at DESC").Limit(1).Find(&rows).Error; err != nil {
		return time.Time{}, fmt.Errorf("store: rate newest %s: %w", kind, err)
	}
	if len(rows) == 0 {
		return time.Time{}, nil
	}
	return rows[0].CreatedAt, nil
}
