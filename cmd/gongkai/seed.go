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

// seedCmd runs "seed --demo" (the demo city's activity for a newcomer) and
// "seed --bureaus N …" (synthetic data for measurements).
func seedCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	demo := fs.Bool("demo", false, "fill the demo city with a year and a half of activity (idempotent)")
	force := fs.Bool("force", false, "seed even though the database holds requests that are not demo data")
	bureaus := fs.Int("bureaus", 0, "synthetic bureaus to create (with --applications and/or --items)")
	applications := fs.Int("applications", 0, "synthetic requests per bureau")
	items := fs.Int("items", 0, "published synthetic catalog items per bureau")
	years := fs.Int("years", 1, "spread synthetic receipt and publication dates over this many years")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !*demo && (*bureaus <= 0 || *applications < 0 || *items < 0 || *applications+*items == 0 || *years <= 0) {
		return errors.New("usage: gongkai seed --demo [--force] | gongkai seed --bureaus N [--applications N] [--items N] [--years N]  [-- service flags]\n(--bureaus and at least one of --applications and --items must be positive)")
	}
	cfg, _, err := config.Load("seed", fs.Args(), os.Getenv, stderr)
	if err != nil {
		return err
	}
	clock := &seed.Clock{}
	a, err := app.New(ctx, cfg, app.Options{LogOutput: stderr, Provision: true, Stdout: stdout, Now: clock.Now})
	if err != nil {
		return err
	}
	defer a.Shutdown(context.Background()) //nolint:errcheck
	if !*demo {
		res, err := seed.Bulk(ctx, a, workday.FromTime(time.Now(), cfg.Location), seed.BulkOptions{Bureaus: *bureaus, Applications: *applications, Items: *items, Years: *years, Seed: uint64(time.Now().UnixNano())})
		if err != nil {
			return err
		}
		if err := a.DB.Optimize(ctx); err != nil { // statistics for the new data
			return err
		}
		fmt.Fprintf(stdout, "synthetic data: %d bureaus, %d requests, %d catalog items in %s\n", res.Bureaus, res.Requests, res.Items, res.Elapsed.Round(time.Millisecond))
		return nil
	}
	start := time.Now()
	res, err := seed.Demo(ctx, a, workday.FromTime(time.Now(), cfg.Location), clock, *force)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "demo data: %d requests, %d appeals, %d inquiries, %d catalog items, %d reports (%s)\n", res.Requests, res.Appeals, res.Inquiries, res.CatalogItems, res.Reports, time.Since(start).Round(time.Millisecond))
	return nil
}
