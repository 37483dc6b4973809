// Package loadtest runs a closed-loop load against a started Gongkai server
// (issue 10): N clients, each sending its next request as soon as the last
// one is answered, for a duration, over a mix of scenarios — the public
// catalog (list, search, item page), the console worklist, API registration,
// the report tables and the oversight dashboard. For every read scenario it
// then runs the SQL the service runs for that page directly against the same
// database at the same concurrency (the "physical limit") and reports the
// endpoint's throughput as a share of it.
package loadtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"gongkai/internal/app"
	"gongkai/internal/db"
)

// Options say what to load and how hard.
type Options struct {
	// URL is the server's base URL, e.g. http://127.0.0.1:8080.
	URL string
	// Bureau is the slug of the bureau whose pages are loaded.
	Bureau string
	// Clients is the number of concurrent clients (closed loop).
	Clients int
	// Duration is how long each scenario (and each SQL twin) runs.
	Duration time.Duration
	// Year is the year of the report tables and the dashboard.
	Year int
	// Query is the catalog search text.
	Query string
	// Password is the password of the load test's own accounts.
	Password string
	// Scenarios limits the run to these scenario names; empty runs all.
	Scenarios []string
	// NoSQL skips the direct-SQL twins.
	NoSQL bool
	// ServerPID, when not zero, is the server process whose resident
	// memory (VmRSS) is reported after each scenario.
	ServerPID int
}

// Stats are the figures of one closed-loop run.
type Stats struct {
	Requests int
	Errors   int
	// FirstError describes the first failure, if any.
	FirstError string
	Elapsed    time.Duration
	P50, P95   time.Duration
	P99, Max   time.Duration
}

// Throughput is the completed operations per second (failures included).
func (s Stats) Throughput() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Requests) / s.Elapsed.Seconds()
}

// Result is one scenario's figures: over HTTP and, for reads, directly in SQL.
type Result struct {
	Name string
	// Skipped says why the scenario did not run (e.g. no published item).
	Skipped string
	HTTP    Stats
	// SQL is nil for writes and when the twins were not run.
	SQL *Stats
	// RSSKiB is the server's resident memory after the scenario (0: unknown).
	RSSKiB int64
}

// Ratio is the endpoint's throughput as a share of the direct SQL's (0 when
// there is no twin).
func (r Result) Ratio() float64 {
	if r.SQL == nil || r.SQL.Throughput() == 0 {
		return 0
	}
	return r.HTTP.Throughput() / r.SQL.Throughput()
}

// Report is the outcome of a run.
type Report struct {
	Dialect  db.Dialect
	Bureau   string
	Clients  int
	Duration time.Duration
	Dataset  Dataset
	Results  []Result
}

// ReadTarget is the target: every read endpoint at no less than half
// the throughput of its SQL at the same concurrency.
const ReadTarget = 0.5

// Run prepares the principals (through a's services) and the fixture data,
// then runs every selected scenario over HTTP against opts.URL and, for
// reads, its SQL twin against a's database. Progress lines go to log.
func Run(ctx context.Context, a *app.App, opts Options, log io.Writer) (*Report, error) {
	if opts.Clients < 1 {
		return nil, errors.New("clients must be at least 1")
	}
	if opts.Duration <= 0 {
		return nil, errors.New("duration must be positive")
	}
	env, err := prepare(ctx, a, opts)
	if err != nil {
		return nil, err
	}
	defer env.cleanup()
	rep := &Report{Dialect: a.DB.Dialect, Bureau: opts.Bureau, Clients: opts.Clients, Duration: opts.Duration, Dataset: env.dataset}
	for _, sc := range scenarios(env) {
		if len(opts.Scenarios) > 0 && !slices.Contains(opts.Scenarios, sc.name) {
			continue
		}
		res := Result{Name: sc.name, Skipped: sc.skip}
		if res.Skipped != "" {
			fmt.Fprintf(log, "%-20s skipped: %s\n", sc.name, sc.skip)
			rep.Results = append(rep.Results, res)
			continue
		}
		fmt.Fprintf(log, "%-20s HTTP, %d clients, %s …\n", sc.name, opts.Clients, opts.Duration)
		res.HTTP = closedLoop(ctx, opts.Clients, opts.Duration, sc.http)
		if opts.ServerPID > 0 {
			res.RSSKiB, _ = RSS(opts.ServerPID)
		}
		if sc.sql != nil && !opts.NoSQL {
			fmt.Fprintf(log, "%-20s SQL twin, %d clients, %s …\n", sc.name, opts.Clients, opts.Duration)
			st := closedLoop(ctx, opts.Clients, opts.Duration, func(ctx context.Context, _, _ int) error { return sc.sql(ctx) })
			res.SQL = &st
		}
		rep.Results = append(rep.Results, res)
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
	}
	return rep, nil
}

// closedLoop runs op from clients goroutines, each starting its next call
// when the previous one returns, until d has passed; calls in flight at
// the end complete and count.
func closedLoop(ctx context.Context, clients int, d time.Duration, op func(ctx context.Context, client, i int) error) Stats {
	var (
		mu       sync.Mutex
		lat      []time.Duration
		errs     int
		firstErr string
		wg       sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(d)
	for c := range clients {
		wg.Go(func() {
			mine := make([]time.Duration, 0, 1024)
			bad, first := 0, ""
			for i := 0; time.Now().Before(deadline) && ctx.Err() == nil; i++ {
				t0 := time.Now()
				err := op(ctx, c, i)
				mine = append(mine, time.Since(t0))
				if err != nil {
					if bad == 0 {
						first = err.Error()
					}
					bad++
				}
			}
			mu.Lock()
			defer mu.Unlock()
			lat = append(lat, mine...)
			if bad > 0 && firstErr == "" {
				firstErr = first
			}
			errs += bad
		})
	}
	wg.Wait()
	st := Stats{Requests: len(lat), Errors: errs, FirstError: firstErr, Elapsed: time.Since(start)}
	if len(lat) == 0 {
		return st
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) time.Duration {
		i := int(float64(len(lat))*p+0.999999) - 1 // nearest rank
		return lat[min(max(i, 0), len(lat)-1)]
	}
	st.P50, st.P95, st.P99, st.Max = pct(0.50), pct(0.95), pct(0.99), lat[len(lat)-1]
	return st
}

// Print writes the report as a table: per scenario the endpoint's figures,
// its SQL twin's and the ratio.
func (r *Report) Print(w io.Writer) error {
	fmt.Fprintf(w, "\nGongkai load test: %s, bureau %s, %d clients, %s per scenario\n", r.Dialect, r.Bureau, r.Clients, r.Duration)
	fmt.Fprintf(w, "data: %s\n\n", r.Dataset)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\trequests\terrors\treq/s\tp50\tp95\tp99\tmax\t|\tSQL/s\tSQL p50\tSQL p95\tSQL p99\tSQL max\t|\tratio\tserver RSS\t")
	var notes []string
	for _, res := range r.Results {
		if res.Skipped != "" {
			fmt.Fprintf(tw, "%s\t-\t-\t-\t-\t-\t-\t-\t|\t-\t-\t-\t-\t-\t|\t-\t-\t\n", res.Name)
			notes = append(notes, res.Name+" skipped: "+res.Skipped)
			continue
		}
		h := res.HTTP
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f\t%s\t%s\t%s\t%s\t|\t", res.Name, h.Requests, h.Errors, h.Throughput(), ms(h.P50), ms(h.P95), ms(h.P99), ms(h.Max))
		if s := res.SQL; s != nil {
			fmt.Fprintf(tw, "%.1f\t%s\t%s\t%s\t%s\t|\t", s.Throughput(), ms(s.P50), ms(s.P95), ms(s.P99), ms(s.Max))
			mark := ""
			if res.Ratio() < ReadTarget {
				mark = " <"
			}
			fmt.Fprintf(tw, "%.0f%%%s\t", 100*res.Ratio(), mark)
		} else {
			fmt.Fprint(tw, "-\t-\t-\t-\t-\t|\t-\t")
		}
		if res.RSSKiB > 0 {
			fmt.Fprintf(tw, "%.0f MiB\t\n", float64(res.RSSKiB)/1024)
		} else {
			fmt.Fprint(tw, "-\t\n")
		}
		if h.Errors > 0 {
			notes = append(notes, fmt.Sprintf("%s: %d errors, first: %s", res.Name, h.Errors, h.FirstError))
		}
		if s := res.SQL; s != nil && s.Errors > 0 {
			notes = append(notes, fmt.Sprintf("%s SQL twin: %d errors, first: %s", res.Name, s.Errors, s.FirstError))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nratio = endpoint req/s ÷ SQL twin req/s at the same concurrency; target ≥ %.0f%% for reads (< marks a miss)\n", 100*ReadTarget)
	for _, n := range notes {
		fmt.Fprintln(w, "note:", n)
	}
	return nil
}

// ms formats a latency in milliseconds.
func ms(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0fms", v)
	case v >= 10:
		return fmt.Sprintf("%.1fms", v)
	default:
		return fmt.Sprintf("%.2fms", v)
	}
}

// Failed returns the scenarios that had errors (over HTTP or in SQL).
func (r *Report) Failed() []string {
	var out []string
	for _, res := range r.Results {
		if res.HTTP.Errors > 0 || (res.SQL != nil && res.SQL.Errors > 0) {
			out = append(out, res.Name)
		}
	}
	return out
}

// names lists the scenario names, for the flag's help.
func names() string {
	var out []string
	for _, sc := range scenarios(&env{}) {
		out = append(out, sc.name)
	}
	return strings.Join(out, ",")
}
