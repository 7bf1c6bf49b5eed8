package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// IdempotencyWindow is how long a key's first answer is kept.
const IdempotencyWindow = 24 * time.Hour

type idempotencyRow struct {
	Caller      string
	Key         string
	RequestHash string
	Status      int
	ContentType string
	Body        []byte
	CreatedAt   time.Time
}

func (idempotencyRow) TableName() string { return "idempotency_keys" }

// StoredAnswer is the first answer given to an idempotent request.
type StoredAnswer struct {
	Status      int
	ContentType string
	Body        []byte
}

// ClaimIdempotencyKey claims key for caller's request with hash. It returns
// the stored answer when the key answered before, nil when the claim is new
// (the caller must then Save or Release it), ECONFLICT while another request
// with the key is still running, and EINVALID when the key was used for a
// different request.
func (s *Store) ClaimIdempotencyKey(ctx context.Context, caller, key, hash string) (*StoredAnswer, error) {
	now := s.Now()
	var answer *StoredAnswer
	err := s.transact(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("created_at < ?", now.Add(-IdempotencyWindow)).Delete(&idempotencyRow{}).Error; err != nil {
			return err
		}
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&idempotencyRow{Caller: caller, Key: key, RequestHash: hash, CreatedAt: now})
		if res.Error != nil || res.RowsAffected == 1 {
			return res.Error
		}
		var row idempotencyRow
		if err := tx.Where("caller = ? AND key = ?", caller, key).Take(&row).Error; err != nil {
			return err
		}
		switch {
		case row.RequestHash != hash:
			return sandpit.Invalid("This Idempotency-Key was used for a different request in the last 24 hours.", sandpit.Taken("Idempotency-Key"))
		case row.Status == 0:
			return sandpit.Errorf(sandpit.ECONFLICT, "A request with this Idempotency-Key is still being answered.")
		}
		answer = &StoredAnswer{Status: row.Status, ContentType: row.ContentType, Body: row.Body}
		return nil
	})
	if err != nil {
		var e *sandpit.Error
		if errors.As(err, &e) {
			return nil, e
		}
		return nil, fmt.Errorf("store: claim idempotency key: %w", err)
	}
	return answer, nil
}

// SaveIdempotentAnswer keeps the answer to caller's claimed key.
func (s *Store) SaveIdempotentAnswer(ctx context.Context, caller, key string, a StoredAnswer) error {
	err := s.write.WithContext(ctx).Model(&idempotencyRow{}).Where("caller = ? AND key = ?", caller, key).
		Updates(map[string]any{"status": a.Status, "content_type": a.ContentType, "body": a.Body}).Error
	if err != nil {
		return fmt.Errorf("store: save idempotent answer: %w", err)
	}
	return nil
}

// ReleaseIdempotencyKey gives up caller's claim, so the request may be tried
// again.
func (s *Store) ReleaseIdempotencyKey(ctx context.Context, caller, key string) error {
	if err := s.write.WithContext(ctx).Where("caller = ? AND key = ? AND status = 0", caller, key).Delete(&idempotencyRow{}).Error; err != nil {
		return fmt.Errorf("store: release idempotency key: %w", err)
	}
	return nil
}
