package loadtest

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"gongkai/internal/app"
	"gongkai/internal/config"
	"gongkai/internal/workday"
)

// DefaultPassword is the default password of the load test's accounts.
const DefaultPassword = "Gongkai-Load-2026!"

// Command runs "gongkai loadtest": the flags below, then (after --) the
// service flags of "gongkai serve" naming the same database.
func Command(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("url", "http://127.0.0.1:8080", "base URL of the started server")
	bureau := fs.String("bureau", "civil-affairs", "slug of the bureau whose pages are loaded")
	clients := fs.Int("clients", 8, "concurrent clients (closed loop: each sends its next request when the last is answered)")
	duration := fs.Duration("duration", 10*time.Second, "how long each scenario, and each SQL twin, runs")
	year := fs.Int("year", 0, "year of the report tables and the dashboard (default: this year)")
	query := fs.String("q", "养老", "catalog search text")
	password := fs.String("password", DefaultPassword, "password of the accounts loadtest and loadtest-overseer (set when they are created)")
	only := fs.String("scenarios", "", "comma-separated scenarios to run (default all): "+names())
	noSQL := fs.Bool("no-sql", false, "skip the direct-SQL twins")
	pid := fs.Int("server-pid", 0, "process id of the server, to report its resident memory (VmRSS)")
	start := fs.Bool("start", false, "start \"gongkai serve\" (this binary, with the service flags after --) on the address of --url, report its time to ready, and stop it at the end")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: gongkai loadtest [flags] [-- service flags]\n\n"+
			"Runs a closed-loop load against a started server and, for each read, the same SQL\n"+
			"directly against the same database (DATABASE_URL or --data-dir, as for serve).\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	serviceArgs := fs.Args()
	cfg, _, err := config.Load("loadtest", serviceArgs, os.Getenv, stderr)
	if err != nil {
		return err
	}
	opts := Options{URL: strings.TrimRight(*base, "/"), Bureau: *bureau, Clients: *clients, Duration: *duration, Year: *year,
		Query: *query, Password: *password, NoSQL: *noSQL, ServerPID: *pid}
	if opts.Year == 0 {
		opts.Year = workday.FromTime(time.Now(), cfg.Location).Year
	}
	for _, s := range strings.Split(*only, ",") {
		if s = strings.TrimSpace(s); s != "" {
			if !strings.Contains(","+names()+",", ","+s+",") {
				return fmt.Errorf("unknown scenario %q (have %s)", s, names())
			}
			opts.Scenarios = append(opts.Scenarios, s)
		}
	}

	if *start {
		srv, err := startServer(ctx, opts.URL, serviceArgs, stderr)
		if err != nil {
			return err
		}
		defer srv.stop(stderr)
		opts.ServerPID = srv.pid
		fmt.Fprintf(stdout, "server started (pid %d): ready after %s; log %s\n", srv.pid, srv.ready.Round(time.Millisecond), srv.log)
		if kb, err := RSS(srv.pid); err == nil {
			fmt.Fprintf(stdout, "server RSS when ready: %.0f MiB\n", float64(kb)/1024)
		}
	}
	a, err := app.New(ctx, cfg, app.Options{LogOutput: stderr})
	if err != nil {
		return err
	}
	defer a.Shutdown(context.Background()) //nolint:errcheck
	rep, err := Run(ctx, a, opts, stderr)
	if rep != nil {
		if perr := rep.Print(stdout); perr != nil {
			return perr
		}
		if opts.ServerPID > 0 {
			if kb, err := RSS(opts.ServerPID); err == nil {
				fmt.Fprintf(stdout, "server RSS at the end: %.0f MiB\n", float64(kb)/1024)
			}
		}
	}
	if err != nil {
		return err
	}
	if failed := rep.Failed(); len(failed) > 0 {
		return fmt.Errorf("errors in %s", strings.Join(failed, ", "))
	}
	return nil
}

// RSS returns the resident memory of process pid in KiB (VmRSS of
// /proc/<pid>/status; Linux only).
func RSS(pid int) (int64, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			return strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, errors.New("no VmRSS in /proc/" + strconv.Itoa(pid) + "/status")
}

// server is a "gongkai serve" child process.
type server struct {
	cmd   *exec.Cmd
	pid   int
	ready time.Duration
	log   string
	done  chan error
}

// startServer starts this binary as "gongkai serve" listening on the
// address of base, and waits until /readyz answers 200 (at most a minute).
func startServer(ctx context.Context, base string, serviceArgs []string, stderr io.Writer) (*server, error) {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("--url %q is not a URL", base)
	}
	host, port, err := net.SplitHostPort(u.Host)
	if err != nil {
		return nil, fmt.Errorf("--url %q has no port", base)
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	logf, err := os.CreateTemp("", "gongkai-loadtest-serve-*.log")
	if err != nil {
		return nil, err
	}
	args := append([]string{"serve"}, serviceArgs...)
	args = append(args, "--addr", net.JoinHostPort(host, port))
	cmd := exec.Command(exe, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s serve: %w", exe, err)
	}
	s := &server{cmd: cmd, pid: cmd.Process.Pid, log: logf.Name(), done: make(chan error, 1)}
	go func() { s.done <- cmd.Wait(); logf.Close() }()
	client := &http.Client{Timeout: time.Second}
	for {
		select {
		case err := <-s.done:
			return nil, fmt.Errorf("the server exited before it was ready (%v); see %s", err, s.log)
		case <-ctx.Done():
			s.stop(stderr)
			return nil, ctx.Err()
		default:
		}
		if res, err := client.Get(base + "/readyz"); err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				s.ready = time.Since(t0)
				return s, nil
			}
		}
		if time.Since(t0) > time.Minute {
			s.stop(stderr)
			return nil, fmt.Errorf("the server was not ready within a minute; see %s", s.log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop asks the server to shut down (SIGTERM) and waits for it, killing it
// after 30 seconds.
func (s *server) stop(stderr io.Writer) {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
		fmt.Fprintf(stderr, "server pid %d killed after 30 s\n", s.pid)
	}
}
