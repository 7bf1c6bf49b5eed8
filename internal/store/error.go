package store

import (
	"errors"

	"gorm.io/gorm"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// notFound turns gorm's missing-record error into the domain's, leaving
// other errors alone.
func notFound(err error, what string) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return sandpit.Errorf(sandpit.ENOTFOUND, "%s not found.", what)
	}
	return err
}

// isDuplicate reports whether err is a unique-constraint violation, on
// either database (gorm translates both with TranslateError).
func isDuplicate(err error) bool {
	return errors.Is(err, gorm.ErrDuplicatedKey)
}
