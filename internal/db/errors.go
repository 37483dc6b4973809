package db

import (
	"context"
	"database/sql/driver"
	"errors"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"

	"gongkai/internal/fault"
)

// Translate turns driver errors into fault errors at the store boundary:
// unique violations become Conflict, lost or refused connections become
// Unavailable. fault errors and nil pass through unchanged.
func Translate(err error) error {
	if err == nil {
		return nil
	}
	var fe *fault.Error
	if errors.As(err, &fe) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fault.Wrap(err, fault.Unavailable, "the database did not answer in time")
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case pgErr.Code == "23505":
			return fault.Wrap(err, fault.Conflict, "already exists (%s)", pgErr.ConstraintName)
		case pgErr.Code == "23503":
			return fault.Wrap(err, fault.Conflict, "refers to a record that does not exist or is still referenced (%s)", pgErr.ConstraintName)
		case pgErr.Code == "23514" || pgErr.Code == "23502" || pgErr.Code == "22001":
			return fault.Wrap(err, fault.Invalid, "value rejected by the database (%s)", pgErr.ConstraintName)
		case pgErr.Code == "40001" || pgErr.Code == "40P01":
			return fault.Wrap(err, fault.Unavailable, "concurrent update; retry")
		case strings.HasPrefix(pgErr.Code, "08") || pgErr.Code == "57P01" || pgErr.Code == "57P02" || pgErr.Code == "57P03":
			return fault.Wrap(err, fault.Unavailable, "database is not reachable")
		}
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "UNIQUE constraint failed"):
		return fault.Wrap(err, fault.Conflict, "already exists")
	case strings.Contains(msg, "FOREIGN KEY constraint failed"):
		return fault.Wrap(err, fault.Conflict, "refers to a record that does not exist or is still referenced")
	case strings.Contains(msg, "CHECK constraint failed") || strings.Contains(msg, "NOT NULL constraint failed"):
		return fault.Wrap(err, fault.Invalid, "value rejected by the database")
	case strings.Contains(msg, "database is locked") || strings.Contains(msg, "SQLITE_BUSY"):
		return fault.Wrap(err, fault.Unavailable, "database is busy; retry")
	}
	var netErr net.Error
	var connErr *pgconn.ConnectError
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.As(err, &connErr) || errors.As(err, &netErr) || pgconn.SafeToRetry(err) || strings.Contains(msg, "conn closed") {
		return fault.Wrap(err, fault.Unavailable, "database is not reachable")
	}
	return fault.Wrap(err, fault.Internal, "database error")
}
