// Command gongkai is the one binary of the Gongkai disclosure service:
// serve, worker, migrate, tenants, workday and version.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"gongkai/internal/fault"
	"gongkai/internal/loadtest"
)

const usage = `Usage: gongkai <command> [flags]

Commands:
  serve              serve HTTP (console, portal, API) and work background jobs
  worker             work background jobs only (for split deployments)
  migrate up         apply database migrations
  migrate status     list migrations and whether each is applied
  tenants apply [DIR]  provision the bureaus defined in DIR (default: the built-in demo city)
  tenants list       list provisioned bureaus
  workday add --from DATE --days N [--explain]   add working days to a date
  report generate --tenant SLUG --year 2026 --format html|xlsx|json --out FILE [-- service flags]
  backup --out FILE  consistent online backup of the SQLite database
  restore --from FILE  restore a backup into an empty data directory
  seed --demo [--force]  fill the demo city with a year and a half of activity
  loadtest [--url URL --clients N --duration D]  load a started server and its database (docs/benchmarks.md)
  healthcheck [URL]  exit 0 when the service at URL (default http://127.0.0.1:8080/readyz) is ready
  version            print the version

Run "gongkai <command> --help" for the flags of a command. Every flag can also
be set by an environment variable (GONGKAI_*); see "gongkai serve --help".
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "gongkai: "+oneLine(err))
		os.Exit(1)
	}
}

// oneLine renders err for the terminal: the user-facing message of a fault
// error, or the error text.
func oneLine(err error) string {
	var fe *fault.Error
	if errors.As(err, &fe) {
		if fe.Cause != nil && fe.Code == fault.Unavailable {
			return fe.Message + ": " + fe.Cause.Error()
		}
		return fe.Message
	}
	return err.Error()
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return serve(ctx, rest, stdout, stderr, true)
	case "worker":
		return serve(ctx, rest, stdout, stderr, false)
	case "migrate":
		return migrateCmd(ctx, rest, stdout, stderr)
	case "tenants":
		return tenantsCmd(ctx, rest, stdout, stderr)
	case "backup":
		return backupCmd(ctx, rest, stdout, stderr)
	case "restore":
		return restoreCmd(rest, stdout, stderr)
	case "seed":
		return seedCmd(ctx, rest, stdout, stderr)
	case "loadtest":
		return loadtest.Command(ctx, rest, stdout, stderr)
	case "report":
		return reportCmd(ctx, rest, stdout, stderr)
	case "workday":
		return workdayCmd(rest, stdout, stderr)
	case "healthcheck":
		return healthcheckCmd(ctx, rest, stdout)
	case "version":
		return versionCmd(stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}
