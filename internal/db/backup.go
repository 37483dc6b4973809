package db

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"gongkai/internal/fault"
)

// Backup writes a consistent copy of a SQLite database to path while the
// service keeps running (VACUUM INTO takes a read snapshot). Postgres is
// backed up with its own tools (pg_dump, or base backups with WAL archiving
// for point-in-time recovery; see docs/operations.md).
func (d *DB) Backup(ctx context.Context, path string) error {
	if d.Dialect != SQLite {
		return fault.New(fault.Invalid, "backup: use pg_dump or WAL archiving for Postgres (see docs/operations.md)")
	}
	if _, err := os.Stat(path); err == nil {
		return fault.New(fault.Conflict, "backup: %s already exists; choose a new file", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	if _, err := d.SQL.ExecContext(ctx, "VACUUM INTO ?", abs); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

// Restore copies a backup made by Backup to dbPath, which must not exist
// yet: a restore goes into an empty data directory, never over live data.
func Restore(from, dbPath string) error {
	if _, err := os.Stat(dbPath); err == nil {
		return fault.New(fault.Conflict, "restore: %s exists; restore into an empty data directory", dbPath)
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	src, err := os.Open(from)
	if err != nil {
		return fault.Wrap(err, fault.Invalid, "restore: cannot open %s", from)
	}
	defer src.Close()
	head := make([]byte, 16)
	if _, err := io.ReadFull(src, head); err != nil || string(head) != "SQLite format 3\x00" {
		return fault.New(fault.Invalid, "restore: %s is not a SQLite backup", from)
	}
	if _, err := src.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dbPath), 0o750); err != nil {
		return err
	}
	tmp := dbPath + ".restoring"
	dst, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		os.Remove(tmp)
		return err
	}
	if err := dst.Sync(); err != nil {
		dst.Close()
		os.Remove(tmp)
		return err
	}
	if err := dst.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, dbPath)
}
