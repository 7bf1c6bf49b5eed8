package store

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

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

// PostgreSQL's codes for the errors two clients racing each other cause
// (https://www.postgresql.org/docs/current/errcodes-appendix.html).
const (
	pgUniqueViolation      = "23505"
	pgForeignKeyViolation  = "23503"
	pgSerializationFailure = "40001"
	pgDeadlockDetected     = "40P01"
)

// pgCode is the SQLSTATE of a PostgreSQL error within err, or "".
func pgCode(err error) string {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code
	}
	return ""
}

// isRace reports whether err is what a client's race causes rather than a
// fault: a row referred to went away meanwhile (foreign key), or the
// database chose this transaction to lose (serialization, deadlock). Such
// a transaction is worth running once more: its reads now see the winner.
func isRace(err error) bool {
	if errors.Is(err, gorm.ErrForeignKeyViolated) {
		return true
	}
	switch pgCode(err) {
	case pgForeignKeyViolation, pgSerializationFailure, pgDeadlockDetected:
		return true
	}
	return false
}

// isExpectedConflict reports whether err is a conflict the store answers
// for (a race, or a unique violation it reads back or names), which is
// logged at INFO rather than as a fault.
func isExpectedConflict(err error) bool {
	return isRace(err) || isDuplicate(err) || pgCode(err) == pgUniqueViolation
}

// raceConflict turns a race that lost twice into the domain's answer: a
// row it referred to has gone (ENOTFOUND would name the wrong thing, so it
// is ECONFLICT), or the database could not order the two (ECONFLICT).
// Other errors are left alone.
func raceConflict(err error) error {
	if !isRace(err) {
		return err
	}
	if errors.Is(err, gorm.ErrForeignKeyViolated) || pgCode(err) == pgForeignKeyViolation {
		return sandpit.Errorf(sandpit.ECONFLICT, "Something this change refers to was changed or removed at the same moment. Reload the page and try again.")
	}
	return sandpit.Errorf(sandpit.ECONFLICT, "Someone else changed this at the same moment. Reload the page and try again.")
}

// conflictLogger is gorm's logger, except that the conflicts the store
// answers for (isExpectedConflict) are logged at INFO: they are clients'
// races, not faults.
type conflictLogger struct {
	logger.Interface
	log *slog.Logger
}

// LogMode returns the logger at level, still quiet about conflicts.
func (l conflictLogger) LogMode(level logger.LogLevel) logger.Interface {
	return conflictLogger{Interface: l.Interface.LogMode(level), log: l.log}
}

// Trace logs one statement; expected conflicts at INFO.
func (l conflictLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	if err != nil && isExpectedConflict(err) {
		sql, _ := fc()
		l.log.InfoContext(ctx, "store: conflict", "error", err.Error(), "sql", sql, "elapsed", time.Since(begin))
		return
	}
	l.Interface.Trace(ctx, begin, fc, err)
}
