package store

import (
	"time"

	"gorm.io/gorm"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// linkPurpose is what a one-time link lets its holder do, once.
type linkPurpose string

const (
	linkPassword linkPurpose = "password" // set the account's password (issue 14)
	linkSignIn   linkPurpose = "sign_in"  // sign in, when the identity provider can't (issue 17)
)

// linkDetail is how the audit log names a new link of each purpose.
var linkDetail = map[linkPurpose]string{
	linkPassword: "one-time link to set the password",
	linkSignIn:   "one-time sign-in link",
}

// oneTimeLinkRow is a one-time link: only the hash of its token is kept.
type oneTimeLinkRow struct {
	ID        int64
	Purpose   linkPurpose
	UserID    int64
	TokenHash string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

func (oneTimeLinkRow) TableName() string { return "one_time_links" }

// createLink stores, inside tx, the hash of a one-time link for purpose
// for user userID, good until expires, recording entry.
func (s *Store) createLink(tx *gorm.DB, purpose linkPurpose, userID int64, hash string, expires time.Time, entry sandpit.AuditEntry) error {
	row := oneTimeLinkRow{Purpose: purpose, UserID: userID, TokenHash: hash, CreatedAt: s.Now(), ExpiresAt: expires.UTC()}
	if err := tx.Create(&row).Error; err != nil {
		return err
	}
	entry.SubjectID = &userID
	entry.Detail = linkDetail[purpose] + ", until " + expires.UTC().Format(time.RFC3339)
	return s.audit(tx, entry)
}

// linkUser returns the user of the unused, unexpired link for purpose with
// hash: ENOTFOUND for any other link.
func (s *Store) linkUser(db *gorm.DB, purpose linkPurpose, hash string) (int64, error) {
	var row oneTimeLinkRow
	err := db.Where("purpose = ? AND token_hash = ? AND used_at IS NULL AND expires_at > ?", purpose, hash, s.Now()).Take(&row).Error
	if err != nil {
		return 0, notFound(err, "Link")
	}
	return row.UserID, nil
}

// spendLink marks, inside tx, the unused, unexpired link for purpose with
// hash used and returns its user: ENOTFOUND for any other link, or one a
// concurrent request spent first.
func (s *Store) spendLink(tx *gorm.DB, purpose linkPurpose, hash string) (int64, error) {
	userID, err := s.linkUser(tx, purpose, hash)
	if err != nil {
		return 0, err
	}
	used := tx.Model(&oneTimeLinkRow{}).Where("purpose = ? AND token_hash = ? AND used_at IS NULL", purpose, hash).Update("used_at", s.Now())
	if used.Error != nil {
		return 0, used.Error
	}
	if used.RowsAffected == 0 {
		return 0, sandpit.Errorf(sandpit.ENOTFOUND, "Link not found.")
	}
	return userID, nil
}
