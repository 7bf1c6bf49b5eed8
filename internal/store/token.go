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
// hash, and the token's id; anything else is EUNAUTHORIZED. The token, its
// user, their roles and their teams come in one query, read on every
// request and kept for hotTTL, so a revoked token or a disabled user stops
// working at once here and within hotTTL (1 s) on every other replica. It notes
// the token's use at most once a minute.
func (s *Store) UserByToken(ctx context.Context, hash string) (*sandpit.User, int64, error) {
	if hit, ok := s.hot.user(hash); ok {
		u := hit.user
		return &u, hit.tokenID, nil
	}
	read := s.hot.begin()
	rows, err := s.prepared.WithContext(ctx).Raw(`SELECT tk.id, tk.last_used_at, u.id, u.email, u.name, u.profession, u.setting,
			u.years_experience, u.legacy_familiarity, u.session_epoch, u.disabled_at, u.created_at, r.role, m.team_id, tm.name, m.role
		FROM api_tokens tk
		JOIN users u ON u.id = tk.user_id
		LEFT JOIN user_roles r ON r.user_id = u.id
		LEFT JOIN team_members m ON m.user_id = u.id
		LEFT JOIN teams tm ON tm.id = m.team_id
		WHERE tk.token_hash = ? AND tk.revoked_at IS NULL
		ORDER BY tm.name_lower, m.role, r.role`, hash).Rows()
	if err != nil {
		return nil, 0, fmt.Errorf("store: token: %w", err)
	}
	defer rows.Close()
	var (
		tokenID  int64
		lastUsed *time.Time
		row      userRow
		roles    = map[string]bool{}
		teams    []sandpit.TeamMembership
		found    bool
	)
	for rows.Next() {
		var role, teamName, teamRole *string
		var teamID *int64
		if err := rows.Scan(&tokenID, &lastUsed, &row.ID, &row.Email, &row.Name, &row.Profession, &row.Setting,
			&row.YearsExperience, &row.LegacyFamiliarity, &row.SessionEpoch, &row.DisabledAt, &row.CreatedAt,
			&role, &teamID, &teamName, &teamRole); err != nil {
			return nil, 0, fmt.Errorf("store: token: %w", err)
		}
		found = true
		if role != nil {
			roles[*role] = true
		}
		if teamID != nil {
			m := sandpit.TeamMembership{TeamID: *teamID, TeamName: deref(teamName), Role: sandpit.Role(deref(teamRole))}
			if len(teams) == 0 || teams[len(teams)-1] != m {
				teams = append(teams, m)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("store: token: %w", err)
	}
	if !found || row.DisabledAt != nil {
		return nil, 0, sandpit.Errorf(sandpit.EUNAUTHORIZED, "The API token is not valid.")
	}
	u := userOf(row)
	for _, r := range sandpit.Roles() {
		if roles[string(r)] {
			u.Roles = append(u.Roles, r)
		}
	}
	u.Teams = teams
	now := s.Now()
	if lastUsed == nil || now.Sub(*lastUsed) > touchInterval {
		if err := s.write.WithContext(ctx).Model(&tokenRow{}).Where("id = ?", tokenID).Update("last_used_at", now).Error; err != nil {
			return nil, 0, fmt.Errorf("store: touch token %d: %w", tokenID, err)
		}
	}
	s.hot.keepUser(read, hash, authHit{user: *u, tokenID: tokenID})
	return u, tokenID, nil
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
