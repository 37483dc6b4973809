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
	bureaus := fs.Int("bureaus", 0, "synthetic bureaus to create (with --applications)")
	applications := fs.Int("applications", 0, "synthetic requests per bureau")
	years := fs.Int("years", 1, "spread synthetic receipt dates over this many years")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !*demo && (*bureaus <= 0 || *applications <= 0) {
		return errors.New("usage: gongkai seed --demo [--force] | gongkai seed --bureaus N --applications N [--years N]  [-- service flags]")
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
	if !*demo {
		res, err := seed.Bulk(ctx, a, workday.FromTime(time.Now(), cfg.Location), seed.BulkOptions{Bureaus: *bureaus, Applications: *applications, Years: *years, Seed: uint64(time.Now().UnixNano())})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "synthetic data: %d bureaus, %d requests in %s (%.0f requests/s)\n", res.Bureaus, res.Requests, res.Elapsed.Round(time.Millisecond), float64(res.Requests)/res.Elapsed.Seconds())
		return nil
	}
	start := time.Now()
	res, err := seed.Demo(ctx, a, workday.FromTime(time.Now(), cfg.Location), *force)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "demo data: %d requests, %d appeals, %d inquiries, %d reports (%s)\n", res.Requests, res.Appeals, res.Inquiries, res.Reports, time.Since(start).Round(time.Millisecond))
	return nil
}
