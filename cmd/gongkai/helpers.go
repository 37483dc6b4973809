package main

import (
	"context"
	"path/filepath"
	"time"

	"gongkai/internal/config"
	"gongkai/internal/db"
)

func timeNow() time.Time { return time.Now() }

func openDB(ctx context.Context, cfg config.Config) (*db.DB, error) {
	return db.Open(ctx, db.Options{URL: cfg.DatabaseURL, Path: filepath.Join(cfg.DataDir, "gongkai.db")})
}
