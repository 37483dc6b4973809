package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"gongkai/internal/app"
	"gongkai/internal/config"
	"gongkai/internal/tenant"
	"gongkai/internal/workday"
)

// serve runs the HTTP server (when http is true) and the job workers until
// ctx is cancelled (SIGINT/SIGTERM), then shuts down gracefully.
func serve(ctx context.Context, args []string, stdout, stderr io.Writer, http bool) error {
	name := "worker"
	if http {
		name = "serve"
	}
	cfg, _, err := config.Load(name, args, os.Getenv, stderr)
	if err != nil {
		return err
	}
	a, err := app.New(ctx, cfg, app.Options{Stdout: stdout, LogOutput: stderr, Workers: true, HTTP: http, Provision: http})
	if err != nil {
		return err
	}
	if err := a.Start(ctx); err != nil {
		_ = a.Shutdown(context.Background())
		return err
	}
	if http {
		a.PrintURLs(stdout)
	} else {
		fmt.Fprintf(stdout, "Gongkai %s worker started (%s)\n", app.Version, a.DB.Dialect)
	}
	<-ctx.Done()
	a.Log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	return a.Shutdown(sctx)
}

// migrateCmd applies or lists migrations.
func migrateCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "up" && args[0] != "status") {
		return errors.New("usage: gongkai migrate up|status [flags]")
	}
	cfg, _, err := config.Load("migrate "+args[0], args[1:], os.Getenv, stderr)
	if err != nil {
		return err
	}
	d, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	if args[0] == "up" {
		applied, err := d.Migrate(ctx, cfg.DBAppRole)
		if err != nil {
			return err
		}
		if len(applied) == 0 {
			fmt.Fprintln(stdout, "database is up to date")
		}
		for _, m := range applied {
			fmt.Fprintln(stdout, "applied", m)
		}
		return nil
	}
	st, riverPending, err := d.Status(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MIGRATION\tSTATUS")
	for _, s := range st {
		status := "pending"
		if s.Applied {
			status = "applied"
		}
		fmt.Fprintf(tw, "%s\t%s\n", s.Name, status)
	}
	fmt.Fprintf(tw, "job queue (River)\t%d pending\n", riverPending)
	return tw.Flush()
}

// tenantsCmd applies tenant files or lists provisioned bureaus.
func tenantsCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "apply" && args[0] != "list") {
		return errors.New("usage: gongkai tenants apply [DIR] | gongkai tenants list")
	}
	sub := args[0]
	cfg, rest, err := config.Load("tenants "+sub, args[1:], os.Getenv, stderr)
	if err != nil {
		return err
	}
	if sub == "apply" && len(rest) > 0 {
		cfg.TenantsDir = rest[0]
	}
	d, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		return err
	}
	svc := tenant.NewService(d, timeNow)
	if sub == "list" {
		ts, err := svc.List(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SLUG\tNAME\tKIND\tCREDIT CODE\tPARENT")
		for _, t := range ts {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.Slug, t.Name, t.Kind, t.CreditCode, t.Spec.Parent)
		}
		return tw.Flush()
	}
	specs, err := tenant.LoadFiles(cfg.TenantsDir)
	if err != nil {
		return err
	}
	res, err := svc.Apply(ctx, specs)
	if err != nil {
		return err
	}
	for _, s := range res.Created {
		fmt.Fprintln(stdout, "created  ", s)
	}
	for _, s := range res.Changed {
		fmt.Fprintln(stdout, "changed  ", s)
	}
	fmt.Fprintf(stdout, "%d created, %d changed, %d unchanged\n", len(res.Created), len(res.Changed), len(res.Unchanged))
	return nil
}

// workdayCmd runs the working-day calculator.
func workdayCmd(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		return errors.New("usage: gongkai workday add --from 2026-02-13 --days 20 [--explain]")
	}
	return workday.RunAdd(args[1:], stdout)
}

func versionCmd(stdout io.Writer) error {
	_, err := fmt.Fprintln(stdout, "gongkai", app.Version)
	return err
}

// healthcheckCmd asks a running service whether it is ready (for container
// health checks, where there is no curl): exit 0 when /readyz answers 200.
func healthcheckCmd(ctx context.Context, args []string, stdout io.Writer) error {
	url := "http://127.0.0.1:8080/readyz"
	if len(args) > 0 {
		url = args[0]
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("not reachable: %w", err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 1024))
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("not ready (%d): %s", res.StatusCode, strings.TrimSpace(string(body)))
	}
	_, err = fmt.Fprint(stdout, string(body))
	return err
}
