package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"gongkai/internal/app"
	"gongkai/internal/config"
	"gongkai/internal/seed"
	"gongkai/internal/workday"
)

// seedCmd runs "seed --demo": the demo city's activity for a newcomer.
func seedCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	demo := fs.Bool("demo", false, "fill the demo city with a year and a half of activity (idempotent)")
	force := fs.Bool("force", false, "seed even though the database holds requests that are not demo data")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !*demo {
		return errors.New("usage: gongkai seed --demo [--force] [-- service flags]")
	}
	cfg, _, err := config.Load("seed", fs.Args(), os.Getenv, stderr)
	if err != nil {
		return err
	}
	a, err := app.New(ctx, cfg, app.Options{LogOutput: stderr, Provision: true, Stdout: stdout})
	if err != nil {
		return err
	}
	defer a.Shutdown(context.Background()) //nolint:errcheck
	start := time.Now()
	res, err := seed.Demo(ctx, a, workday.FromTime(time.Now(), cfg.Location), *force)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "demo data: %d requests, %d appeals, %d inquiries, %d reports (%s)\n", res.Requests, res.Appeals, res.Inquiries, res.Reports, time.Since(start).Round(time.Millisecond))
	return nil
}
