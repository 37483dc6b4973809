package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"gongkai/internal/config"
	"gongkai/internal/db"
)

// backupCmd makes a consistent online backup of the SQLite database.
func backupCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "backup file to write (must not exist)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("usage: gongkai backup --out FILE [-- service flags]")
	}
	cfg, _, err := config.Load("backup", fs.Args(), os.Getenv, stderr)
	if err != nil {
		return err
	}
	d, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Backup(ctx, *out); err != nil {
		return err
	}
	st, _ := os.Stat(*out)
	fmt.Fprintf(stdout, "backup written to %s (%d bytes)\n", *out, st.Size())
	return nil
}

// restoreCmd restores a backup into an empty data directory.
func restoreCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "", "backup file made by gongkai backup")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from == "" {
		return errors.New("usage: gongkai restore --from FILE [-- --data-dir DIR]")
	}
	cfg, _, err := config.Load("restore", fs.Args(), os.Getenv, stderr)
	if err != nil {
		return err
	}
	if cfg.DatabaseURL != "" {
		return errors.New("restore: use pg_restore for Postgres (see docs/operations.md)")
	}
	path := filepath.Join(cfg.DataDir, "gongkai.db")
	if err := db.Restore(*from, path); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored %s into %s\n", *from, path)
	return nil
}
