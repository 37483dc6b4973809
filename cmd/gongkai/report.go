package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"gongkai/internal/app"
	"gongkai/internal/authz"
	"gongkai/internal/config"
	"gongkai/internal/report"
)

// reportCmd runs "report generate": the annual report of one bureau and
// year, written to a file, as the console and the API produce it.
func reportCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "generate" {
		return errors.New("usage: gongkai report generate --tenant SLUG --year 2026 --format html|xlsx|json --out FILE")
	}
	fs := flag.NewFlagSet("report generate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	slug := fs.String("tenant", "", "slug of the bureau")
	year := fs.Int("year", 0, "report year")
	format := fs.String("format", "html", "html, xlsx or json")
	out := fs.String("out", "", "output file (- for standard output)")
	// The service settings (database, data dir) come after "--".
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	switch {
	case *slug == "":
		return errors.New("--tenant is required (see gongkai tenants list)")
	case *year < 2008:
		return errors.New("--year is required, e.g. --year 2026")
	case *format != "html" && *format != "xlsx" && *format != "json":
		return fmt.Errorf("--format must be html, xlsx or json, not %q", *format)
	case *out == "":
		return errors.New("--out is required (a file name, or - for standard output)")
	}
	cfg, _, err := config.Load("report generate", fs.Args(), os.Getenv, stderr)
	if err != nil {
		return err
	}
	a, err := app.New(ctx, cfg, app.Options{LogOutput: stderr})
	if err != nil {
		return err
	}
	defer a.Shutdown(context.Background()) //nolint:errcheck
	ctx = authz.WithActor(ctx, authz.System)
	t, err := a.Tenants.BySlug(ctx, *slug)
	if err != nil {
		return err
	}
	stored := &report.Stored{Year: *year, State: "preview", Narrative: map[string]string{}}
	versions, err := a.Reports.Versions(ctx, t.ID)
	if err != nil {
		return err
	}
	for i := range versions {
		if versions[i].Year == *year {
			stored = &versions[i]
			break
		}
	}
	doc, err := a.Reports.Document(ctx, t.ID, t.Name, stored)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	switch *format {
	case "html":
		err = report.WriteHTML(&buf, doc)
	case "xlsx":
		err = report.WriteXLSX(&buf, doc)
	case "json":
		err = report.WriteJSON(&buf, doc)
	}
	if err != nil {
		return err
	}
	if *out == "-" {
		_, err = stdout.Write(buf.Bytes())
		return err
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%d bytes): %s, version %d, %s\n", *out, buf.Len(), doc.Title(), doc.Version, doc.State)
	return nil
}
