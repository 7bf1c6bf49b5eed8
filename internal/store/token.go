package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

type tokenRow struct {
	ID         int64
	UserID     int64
	Label      string
	TokenHash  string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

func (tokenRow) TableName() string { return "api_tokens" }

// Token is an API token as its owner sees it: never the secret.
type Token struct {
	ID         int64
	Label      string
	CreatedAt  time.Time
	LastUsedAt *time.Time
}

// touchInterval is how stale a token's last use may be before a request
// writes it again: one write per request would be one fsync per request.
const touchInterval = time.Minute

// CreateToken stores the hash of a new API token of user id, recording
// entry.
func (s *Store) CreateToken(ctx context.Context, userID int64, label, hash string, entry sandpit.AuditEntry) (*Token, error) {
	row := tokenRow{UserID: userID, Label: label, TokenHash: hash, CreatedAt: s.Now()}
	err := s.transact(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		entry.Detail = fmt.Sprintf("token %d %q", row.ID, label)
		return s.audit(tx, entry)
	})
	if err != nil {
		return nil, fmt.Errorf("store: create token: %w", err)
	}
	return &Token{ID: row.ID, Label: row.Label, CreatedAt: row.CreatedAt}, nil
}

// UserByToken returns the enabled user holding the unrevoked token with
// hash, and the token's id; anything else is EUNAUTHORIZED. It notes the
// token's use at most once a minute.
func (s *Store) UserByToken(ctx context.Context, hash string) (*sandpit.User, int64, error) {
	var row tokenRow
	err := s.read.WithContext(ctx).Where("token_hash = ? AND revoked_at IS NULL", hash).Take(&row).Error
	if err != nil {
		if err := notFound(err, "Token"); sandpit.ErrorCode(err) == sandpit.ENOTFOUND {
			return nil, 0, sandpit.Errorf(sandpit.EUNAUTHORIZED, "The API token is not valid.")
		}
		return nil, 0, fmt.Errorf("store: token: %w", err)
	}
	u, err := s.User(ctx, row.UserID)
	if err != nil {
		return nil, 0, err
	}
	if u.Disabled {
		return nil, 0, sandpit.Errorf(sandpit.EUNAUTHORIZED, "The API token is not valid.")
	}
	now := s.Now()
	if row.LastUsedAt == nil || now.Sub(*row.LastUsedAt) > touchInterval {
		if err := s.write.WithContext(ctx).Model(&tokenRow{}).Where("id = ?", row.ID).Update("last_used_at", now).Error; err != nil {
			return nil, 0, fmt.Errorf("store: touch token %d: %w", row.ID, err)
		}
	}
	return u, row.ID, nil
}

// Tokens lists user id's unrevoked tokens, newest first.
func (s *Store) Tokens(ctx context.Context, userID int64) ([]Token, error) {
	var rows []tokenRow
	if err := s.read.WithContext(ctx).Where("user_id = ? AND revoked_at IS NULL", userID).Order("id DESC").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: tokens of %d: %w", userID, err)
	}
	tokens := make([]Token, len(rows))
	for i, r := range rows {
		tokens[i] = Token{ID: r.ID, Label: r.Label, CreatedAt: r.CreatedAt, LastUsedAt: r.LastUsedAt}
	}
	return tokens, nil
}

// RevokeToken stops token id of user userID working, recording entry. A
// token that is not the user's, or is revoked already, is ENOTFOUND.
func (s *Store) RevokeToken(ctx context.Context, userID, id int64, entry sandpit.AuditEntry) error {
	err := s.transact(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&tokenRow{}).Where("id = ? AND user_id = ? AND revoked_at IS NULL", id, userID).Update("revoked_at", s.Now())
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return sandpit.Errorf(sandpit.ENOTFOUND, "Token not found.")
		}
		entry.Detail = fmt.Sprintf("token %d", id)
		return s.audit(tx, entry)
	})
	if err != nil {
		return fmt.Errorf("store: revoke token %d: %w", id, err)
	}
	return nil
}
