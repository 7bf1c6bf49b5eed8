package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

type identityRow struct {
	ID        int64
	UserID    int64
	Provider  string
	Issuer    string
	Subject   string
	Email     string
	CreatedAt time.Time
}

func (identityRow) TableName() string { return "external_identities" }

func (r identityRow) identity() sandpit.ExternalIdentity {
	return sandpit.ExternalIdentity{ID: r.ID, UserID: r.UserID, Provider: r.Provider, Issuer: r.Issuer,
		Subject: r.Subject, Email: r.Email, Created: r.CreatedAt}
}

// errIdentityTaken is the answer to linking an identity another account
// holds already.
var errIdentityTaken = sandpit.Conflict("This account at your organisation is already linked to another Sandpit account.")

// linkIdentity stores id for user userID inside tx, recording entry.
func (s *Store) linkIdentity(tx *gorm.DB, userID int64, id sandpit.ExternalIdentity, entry sandpit.AuditEntry) error {
	row := identityRow{UserID: userID, Provider: id.Provider, Issuer: id.Issuer, Subject: id.Subject, Email: id.Email, CreatedAt: s.Now()}
	if err := tx.Create(&row).Error; err != nil {
		if isDuplicate(err) || pgCode(err) == pgUniqueViolation {
			return errIdentityTaken
		}
		return err
	}
	entry.SubjectID = &userID
	entry.Detail = "provider " + id.Provider
	return s.audit(tx, entry)
}

// CreateUserWithIdentity stores a new user who signs in only through
// identity id (their password hash is empty: no password matches it), with
// both audit entries, in one transaction. A taken email or identity is
// ECONFLICT.
func (s *Store) CreateUserWithIdentity(ctx context.Context, n sandpit.NewUser, id sandpit.ExternalIdentity, entry, linkEntry sandpit.AuditEntry) (*sandpit.User, error) {
	var userID int64
	err := s.transact(ctx, func(tx *gorm.DB) error {
		var err error
		if userID, err = s.createUser(tx, n, "", entry); err != nil {
			return err
		}
		linkEntry.ActorID = &userID
		return s.linkIdentity(tx, userID, id, linkEntry)
	})
	if err != nil {
		return nil, fmt.Errorf("store: create user with identity: %w", err)
	}
	return s.User(ctx, userID)
}

// IdentityUser returns the identity of issuer and subject and the user it
// is linked to: ENOTFOUND when none is.
func (s *Store) IdentityUser(ctx context.Context, issuer, subject string) (*sandpit.User, *sandpit.ExternalIdentity, error) {
	var row identityRow
	if err := s.read.WithContext(ctx).Where("issuer = ? AND subject = ?", issuer, subject).Take(&row).Error; err != nil {
		return nil, nil, fmt.Errorf("store: identity: %w", notFound(err, "Identity"))
	}
	u, err := s.User(ctx, row.UserID)
	if err != nil {
		return nil, nil, err
	}
	id := row.identity()
	return u, &id, nil
}

// Identities lists the identities linked to user userID, oldest first.
func (s *Store) Identities(ctx context.Context, userID int64) ([]sandpit.ExternalIdentity, error) {
	var rows []identityRow
	if err := s.read.WithContext(ctx).Where("user_id = ?", userID).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: identities of %d: %w", userID, err)
	}
	ids := make([]sandpit.ExternalIdentity, len(rows))
	for i, r := range rows {
		ids[i] = r.identity()
	}
	return ids, nil
}

// LinkIdentity links id to user userID, recording entry; an identity
// linked to any account already is ECONFLICT.
func (s *Store) LinkIdentity(ctx context.Context, userID int64, id sandpit.ExternalIdentity, entry sandpit.AuditEntry) error {
	if err := s.transact(ctx, func(tx *gorm.DB) error { return s.linkIdentity(tx, userID, id, entry) }); err != nil {
		return fmt.Errorf("store: link identity to %d: %w", userID, err)
	}
	return nil
}

// UnlinkIdentity removes identity id of user userID (ENOTFOUND when it is
// not theirs) when allowed, given how many identities they have, says
// they may (ECONFLICT otherwise), recording entry, in one transaction.
func (s *Store) UnlinkIdentity(ctx context.Context, userID, id int64, allowed func(linked int) bool, entry sandpit.AuditEntry) error {
	err := s.transact(ctx, func(tx *gorm.DB) error {
		var row identityRow
		if err := tx.Where("id = ? AND user_id = ?", id, userID).Take(&row).Error; err != nil {
			return notFound(err, "Linked account")
		}
		var linked int64
		if err := tx.Model(&identityRow{}).Where("user_id = ?", userID).Count(&linked).Error; err != nil {
			return err
		}
		if !allowed(int(linked)) {
			return sandpit.Conflict("This is your only way to sign in. Link another account or set a password before unlinking it.")
		}
		if err := tx.Delete(&identityRow{}, row.ID).Error; err != nil {
			return err
		}
		entry.SubjectID = &userID
		entry.Detail = "provider " + row.Provider
		return s.audit(tx, entry)
	})
	if err != nil {
		return fmt.Errorf("store: unlink identity %d of %d: %w", id, userID, err)
	}
	return nil
}

// CreateSignInLink stores the hash of a one-time sign-in link for user
// userID, good until expires, recording entry.
func (s *Store) CreateSignInLink(ctx context.Context, userID int64, hash string, expires time.Time, entry sandpit.AuditEntry) error {
	err := s.transact(ctx, func(tx *gorm.DB) error { return s.createLink(tx, linkSignIn, userID, hash, expires, entry) })
	if err != nil {
		return fmt.Errorf("store: create sign-in link of %d: %w", userID, err)
	}
	return nil
}

// UseSignInLink spends the unused, unexpired sign-in link with hash and
// returns its user, recording entry, in one transaction: ENOTFOUND for any
// other link.
func (s *Store) UseSignInLink(ctx context.Context, hash string, entry sandpit.AuditEntry) (*sandpit.User, error) {
	var userID int64
	err := s.transact(ctx, func(tx *gorm.DB) error {
		var err error
		if userID, err = s.spendLink(tx, linkSignIn, hash); err != nil {
			return err
		}
		entry.ActorID, entry.SubjectID = &userID, &userID
		return s.audit(tx, entry)
	})
	if err != nil {
		return nil, fmt.Errorf("store: use sign-in link: %w", err)
	}
	return s.User(ctx, userID)
}
