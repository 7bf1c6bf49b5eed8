package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// userRow is a row of users.
type userRow struct {
	ID                int64
	Email             string
	EmailLower        string
	Name              string
	PasswordHash      string
	Profession        *string
	Setting           *string
	YearsExperience   *int
	LegacyFamiliarity *int
	SessionEpoch      int64
	DisabledAt        *time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

func (userRow) TableName() string { return "users" }

type userRoleRow struct {
	UserID    int64
	Role      string
	CreatedAt time.Time
}

func (userRoleRow) TableName() string { return "user_roles" }

// CreateUser stores a validated new user with their password hash and
// roles, and records entry in the audit log, in one transaction. A taken
// email, in any case, is ECONFLICT.
func (s *Store) CreateUser(ctx context.Context, n sandpit.NewUser, passwordHash string, entry sandpit.AuditEntry) (*sandpit.User, error) {
	var id int64
	err := s.transact(ctx, func(tx *gorm.DB) error {
		var err error
		id, err = s.createUser(tx, n, passwordHash, entry)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: create user: %w", err)
	}
	return s.User(ctx, id)
}

// CreateUserWithLink stores a new user as CreateUser does, with a one-time
// link (its hash, good until expires) for them to set their password, in
// one transaction with both entries.
func (s *Store) CreateUserWithLink(ctx context.Context, n sandpit.NewUser, passwordHash, linkHash string, expires time.Time,
	entry, linkEntry sandpit.AuditEntry) (*sandpit.User, error) {
	var id int64
	err := s.transact(ctx, func(tx *gorm.DB) error {
		var err error
		if id, err = s.createUser(tx, n, passwordHash, entry); err != nil {
			return err
		}
		return s.createLink(tx, linkPassword, id, linkHash, expires, linkEntry)
	})
	if err != nil {
		return nil, fmt.Errorf("store: create user: %w", err)
	}
	return s.User(ctx, id)
}

// createUser stores a new user inside tx, recording entry, and returns its
// id.
func (s *Store) createUser(tx *gorm.DB, n sandpit.NewUser, passwordHash string, entry sandpit.AuditEntry) (int64, error) {
	now := s.Now()
	row := userRow{Email: n.Email, EmailLower: strings.ToLower(n.Email), Name: n.Name, PasswordHash: passwordHash, CreatedAt: now, UpdatedAt: now}
	if p := n.Profile; p != nil {
		row.Profession, row.Setting = &p.Profession, &p.Setting
		row.YearsExperience, row.LegacyFamiliarity = &p.YearsExperience, &p.LegacyFamiliarity
	}
	if err := tx.Create(&row).Error; err != nil {
		if isDuplicate(err) {
			return 0, sandpit.Conflict("An account with this email address already exists.", sandpit.Taken("email"))
		}
		return 0, err
	}
	for _, r := range n.Roles {
		if err := tx.Create(&userRoleRow{UserID: row.ID, Role: string(r), CreatedAt: now}).Error; err != nil {
			return 0, err
		}
	}
	if entry.ActorID == nil && entry.Action == sandpit.AuditRegister {
		entry.ActorID = &row.ID // registering is done by the new user
	}
	entry.SubjectID = &row.ID
	return row.ID, s.audit(tx, entry)
}

// User returns the user with id, their roles and teams.
func (s *Store) User(ctx context.Context, id int64) (*sandpit.User, error) {
	var row userRow
	if err := s.read.WithContext(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, fmt.Errorf("store: user %d: %w", id, notFound(err, "User"))
	}
	return s.loadUser(ctx, row)
}

// UserByEmail returns the user with email, compared without case, and
// their password hash.
func (s *Store) UserByEmail(ctx context.Context, email string) (*sandpit.User, string, error) {
	var row userRow
	if err := s.read.WithContext(ctx).Where("email_lower = ?", strings.ToLower(strings.TrimSpace(email))).Take(&row).Error; err != nil {
		return nil, "", fmt.Errorf("store: user by email: %w", notFound(err, "User"))
	}
	u, err := s.loadUser(ctx, row)
	return u, row.PasswordHash, err
}

// PasswordHash returns the stored hash of user id's password.
func (s *Store) PasswordHash(ctx context.Context, id int64) (string, error) {
	var row userRow
	if err := s.read.WithContext(ctx).Select("password_hash").Where("id = ?", id).Take(&row).Error; err != nil {
		return "", fmt.Errorf("store: password hash %d: %w", id, notFound(err, "User"))
	}
	return row.PasswordHash, nil
}

// loadUser completes row with its roles and team memberships.
func (s *Store) loadUser(ctx context.Context, row userRow) (*sandpit.User, error) {
	u := userOf(row)
	db := s.read.WithContext(ctx)
	var roles []string
	if err := db.Model(&userRoleRow{}).Where("user_id = ?", row.ID).Order("role").Pluck("role", &roles).Error; err != nil {
		return nil, fmt.Errorf("store: roles of %d: %w", row.ID, err)
	}
	for _, r := range sandpit.Roles() {
		for _, have := range roles {
			if string(r) == have {
				u.Roles = append(u.Roles, r)
			}
		}
	}
	err := db.Raw(`SELECT m.team_id, t.name AS team_name, m.role FROM team_members m JOIN teams t ON t.id = m.team_id
		WHERE m.user_id = ? ORDER BY t.name_lower, m.role`, row.ID).Scan(&u.Teams).Error
	if err != nil {
		return nil, fmt.Errorf("store: teams of %d: %w", row.ID, err)
	}
	return u, nil
}

// userOf is row as a user, without roles or teams.
func userOf(row userRow) *sandpit.User {
	u := &sandpit.User{ID: row.ID, Email: row.Email, Name: row.Name, SessionEpoch: row.SessionEpoch,
		Disabled: row.DisabledAt != nil, CreatedAt: row.CreatedAt}
	if row.Profession != nil {
		u.Profile = &sandpit.Profile{Profession: *row.Profession, Setting: deref(row.Setting),
			YearsExperience: deref(row.YearsExperience), LegacyFamiliarity: deref(row.LegacyFamiliarity)}
	}
	return u
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// UserListItem is a row of the admin's user list.
type UserListItem struct {
	ID        int64
	Email     string
	Name      string
	Roles     string // comma-separated
	Disabled  bool
	CreatedAt time.Time
}

// Users lists every user, newest first, limit at a time from offset.
func (s *Store) Users(ctx context.Context, offset, limit int) ([]UserListItem, int64, error) {
	db := s.read.WithContext(ctx)
	var total int64
	if err := db.Model(&userRow{}).Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: count users: %w", err)
	}
	var rows []userRow
	if err := db.Order("id DESC").Offset(offset).Limit(limit).Find(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("store: users: %w", err)
	}
	items := make([]UserListItem, 0, len(rows))
	for _, r := range rows {
		u, err := s.loadUser(ctx, r)
		if err != nil {
			return nil, 0, err
		}
		names := make([]string, len(u.Roles))
		for i, role := range u.Roles {
			names[i] = role.Label()
		}
		items = append(items, UserListItem{ID: r.ID, Email: r.Email, Name: r.Name, Roles: strings.Join(names, ", "), Disabled: u.Disabled, CreatedAt: r.CreatedAt})
	}
	return items, total, nil
}

// GrantRole gives user id role, recording entry; granting a role held
// already changes nothing and records nothing.
func (s *Store) GrantRole(ctx context.Context, id int64, role sandpit.Role, entry sandpit.AuditEntry) error {
	err := s.transact(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&userRoleRow{}).Where("user_id = ? AND role = ?", id, string(role)).Count(&n).Error; err != nil || n > 0 {
			return err
		}
		if err := tx.Create(&userRoleRow{UserID: id, Role: string(role), CreatedAt: s.Now()}).Error; err != nil {
			return err
		}
		entry.SubjectID = &id
		return s.audit(tx, entry)
	})
	if err != nil {
		return fmt.Errorf("store: grant %s to %d: %w", role, id, err)
	}
	return nil
}

// RemoveRole takes role from user id, recording entry. Removing the last
// admin's admin role is ECONFLICT: someone must be able to administer.
func (s *Store) RemoveRole(ctx context.Context, id int64, role sandpit.Role, entry sandpit.AuditEntry) error {
	err := s.transact(ctx, func(tx *gorm.DB) error {
		if role == sandpit.RoleAdmin {
			var admins int64
			err := tx.Raw(`SELECT COUNT(*) FROM user_roles r JOIN users u ON u.id = r.user_id
				WHERE r.role = 'admin' AND u.disabled_at IS NULL AND u.id <> ?`, id).Scan(&admins).Error
			if err != nil {
				return err
			}
			if admins == 0 {
				return sandpit.Errorf(sandpit.ECONFLICT, "Sandpit needs at least one admin: grant another user the admin role first.")
			}
		}
		res := tx.Where("user_id = ? AND role = ?", id, string(role)).Delete(&userRoleRow{})
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		entry.SubjectID = &id
		return s.audit(tx, entry)
	})
	if err != nil {
		return fmt.Errorf("store: remove %s from %d: %w", role, id, err)
	}
	return nil
}

// DisableUser stops user id from signing in, ends their sessions and stops
// their API tokens, recording entry.
func (s *Store) DisableUser(ctx context.Context, id int64, entry sandpit.AuditEntry) error {
	err := s.transact(ctx, func(tx *gorm.DB) error {
		now := s.Now()
		res := tx.Model(&userRow{}).Where("id = ? AND disabled_at IS NULL", id).
			Updates(map[string]any{"disabled_at": now, "session_epoch": gorm.Expr("session_epoch + 1"), "updated_at": now})
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		if err := tx.Model(&tokenRow{}).Where("user_id = ? AND revoked_at IS NULL", id).Update("revoked_at", now).Error; err != nil {
			return err
		}
		entry.SubjectID = &id
		return s.audit(tx, entry)
	})
	if err != nil {
		return fmt.Errorf("store: disable user %d: %w", id, err)
	}
	return nil
}

// SetPassword replaces user id's password hash, moves their session epoch
// on, ending every session, and revokes every API token they hold (a
// password changed because it leaked must not leave a token made with it
// working), recording entry. It returns the new epoch so the caller can
// keep its own session.
func (s *Store) SetPassword(ctx context.Context, id int64, passwordHash string, entry sandpit.AuditEntry) (int64, error) {
	var epoch int64
	err := s.transact(ctx, func(tx *gorm.DB) error {
		var err error
		epoch, err = s.setPassword(tx, id, passwordHash, entry)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: set password of %d: %w", id, err)
	}
	return epoch, nil
}

// setPassword sets user id's password inside tx, ending their sessions and
// revoking their API tokens, and records entry; it returns the new session
// epoch.
func (s *Store) setPassword(tx *gorm.DB, id int64, passwordHash string, entry sandpit.AuditEntry) (int64, error) {
	var epoch int64
	now := s.Now()
	err := tx.Model(&userRow{}).Where("id = ?", id).Updates(map[string]any{
		"password_hash": passwordHash, "session_epoch": gorm.Expr("session_epoch + 1"), "updated_at": now}).Error
	if err != nil {
		return 0, err
	}
	if err := tx.Model(&userRow{}).Where("id = ?", id).Pluck("session_epoch", &epoch).Error; err != nil {
		return 0, err
	}
	revoked := tx.Model(&tokenRow{}).Where("user_id = ? AND revoked_at IS NULL", id).Update("revoked_at", now)
	if revoked.Error != nil {
		return 0, revoked.Error
	}
	entry.SubjectID = &id
	entry.Detail = fmt.Sprintf("%d API tokens revoked", revoked.RowsAffected)
	return epoch, s.audit(tx, entry)
}

// EndSessions moves user id's session epoch on, so every session cookie
// issued before stops working, recording entry.
func (s *Store) EndSessions(ctx context.Context, id int64, entry sandpit.AuditEntry) error {
	err := s.transact(ctx, func(tx *gorm.DB) error {
		if err := tx.Model(&userRow{}).Where("id = ?", id).Update("session_epoch", gorm.Expr("session_epoch + 1")).Error; err != nil {
			return err
		}
		return s.audit(tx, entry)
	})
	if err != nil {
		return fmt.Errorf("store: end sessions of %d: %w", id, err)
	}
	return nil
}

// UpdateProfile replaces user id's name and, when profile is not nil, their
// professional profile, recording entry.
func (s *Store) UpdateProfile(ctx context.Context, id int64, name string, profile *sandpit.Profile, entry sandpit.AuditEntry) error {
	values := map[string]any{"name": name, "updated_at": s.Now()}
	if profile != nil {
		values["profession"], values["setting"] = profile.Profession, profile.Setting
		values["years_experience"], values["legacy_familiarity"] = profile.YearsExperience, profile.LegacyFamiliarity
	}
	err := s.transact(ctx, func(tx *gorm.DB) error {
		if err := tx.Model(&userRow{}).Where("id = ?", id).Updates(values).Error; err != nil {
			return err
		}
		entry.SubjectID = &id
		return s.audit(tx, entry)
	})
	if err != nil {
		return fmt.Errorf("store: update profile of %d: %w", id, err)
	}
	return nil
}

// CreatePasswordLink stores a new one-time link for user id to set their
// password, good until expires, recording entry.
func (s *Store) CreatePasswordLink(ctx context.Context, userID int64, hash string, expires time.Time, entry sandpit.AuditEntry) error {
	err := s.transact(ctx, func(tx *gorm.DB) error { return s.createLink(tx, linkPassword, userID, hash, expires, entry) })
	if err != nil {
		return fmt.Errorf("store: create password link of %d: %w", userID, err)
	}
	return nil
}

// PasswordLinkUser returns the user an unused, unexpired password link with
// hash is for: ENOTFOUND for any other link.
func (s *Store) PasswordLinkUser(ctx context.Context, hash string) (*sandpit.User, error) {
	userID, err := s.linkUser(s.read.WithContext(ctx), linkPassword, hash)
	if err != nil {
		return nil, fmt.Errorf("store: password link: %w", err)
	}
	return s.User(ctx, userID)
}

// UsePasswordLink sets the password of the user of the unused, unexpired
// link with hash to passwordHash and spends the link, in one transaction
// with entry; as SetPassword, it ends the user's sessions and revokes their
// API tokens. A link already used or expired is ENOTFOUND.
func (s *Store) UsePasswordLink(ctx context.Context, hash, passwordHash string, entry sandpit.AuditEntry) (int64, error) {
	var epoch int64
	err := s.transact(ctx, func(tx *gorm.DB) error {
		userID, err := s.spendLink(tx, linkPassword, hash)
		if err != nil {
			return err
		}
		epoch, err = s.setPassword(tx, userID, passwordHash, entry)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: use password link: %w", err)
	}
	return epoch, nil
}
