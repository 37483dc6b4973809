// Package jobs builds the River client that runs Gongkai's background jobs on
// the service's own database. Domain packages add their workers to a Workers
// registry and their periodic jobs to Options before the client is built.
package jobs

import (
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/rivercontrib/otelriver"

	"gongkai/internal/db"
	"gongkai/internal/telemetry"
)

// Client is the job client type used everywhere: jobs are inserted with
// InsertTx inside the bun transaction that makes the change they follow.
type Client = river.Client[*sql.Tx]

// Registry collects the job workers of every domain package.
type Registry struct {
	workers *river.Workers
	kinds   []string
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{workers: river.NewWorkers()} }

// Add registers worker for its job kind.
func Add[T river.JobArgs](r *Registry, worker river.Worker[T]) {
	river.AddWorker(r.workers, worker)
	var args T
	r.kinds = append(r.kinds, args.Kind())
}

// Kinds lists the registered job kinds.
func (r *Registry) Kinds() []string { return r.kinds }

// Timeout is how long a job may run before its context is cancelled, for
// every job kind that does not set its own (River's JobTimeout).
const Timeout = river.JobTimeoutDefault

// DefaultRescueAfter is how long a job may stay running before it is taken
// for the job of a dead process and run again, when Options does not say.
// It is longer than the longest timeout of any job kind (the reminder scan's
// 10 minutes), and River never rescues a job before its kind's own timeout
// has elapsed either, so a job still working in a live process is not run a
// second time; a job interrupted by a crash runs again within about this
// long (plus the rescuer's 30-second round) instead of River's hour.
const DefaultRescueAfter = 15 * time.Minute

// Options configures the job client.
type Options struct {
	// Registry holds the job workers; nil or empty means this client works
	// no jobs (it can still insert them).
	Registry *Registry
	// PeriodicJobs run on the elected leader only.
	PeriodicJobs []*river.PeriodicJob
	// MaxWorkers is the number of jobs worked at once; 0 makes an insert-only
	// client that works nothing (for processes that only enqueue).
	MaxWorkers int
	// RescueAfter is how long a job may stay running before it is rescued
	// and run again (River's RescueStuckJobsAfter): how long the jobs of a
	// process killed mid-job wait. 0 means DefaultRescueAfter; it must be
	// longer than Timeout.
	RescueAfter time.Duration
	// Logger receives River's logs.
	Logger *slog.Logger
	// Telemetry, when set, traces and counts jobs.
	Telemetry *telemetry.Telemetry
}

// New builds the River client over d. It works jobs only when MaxWorkers > 0
// and the registry holds at least one worker; Works reports which.
func New(d *db.DB, o Options) (*Client, error) {
	rescue := o.RescueAfter
	if rescue == 0 {
		rescue = DefaultRescueAfter
	}
	if rescue <= Timeout {
		return nil, fmt.Errorf("job rescue time %s must be longer than the job timeout %s, or running jobs would be run a second time", rescue, Timeout)
	}
	cfg := &river.Config{
		Logger:               o.Logger,
		PeriodicJobs:         o.PeriodicJobs,
		JobTimeout:           Timeout,
		RescueStuckJobsAfter: rescue,
	}
	if o.MaxWorkers > 0 && o.Registry != nil && len(o.Registry.kinds) > 0 {
		cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: o.MaxWorkers}}
		cfg.Workers = o.Registry.workers
	} else {
		cfg.PeriodicJobs = nil
	}
	if o.Telemetry != nil {
		cfg.Middleware = append(cfg.Middleware, otelriver.NewMiddleware(&otelriver.MiddlewareConfig{
			MeterProvider:  o.Telemetry.Meter,
			TracerProvider: o.Telemetry.Tracer,
		}))
	}
	return river.NewClient(d.RiverDriver(), cfg)
}

// Works reports whether a client built with o works jobs.
func (o Options) Works() bool {
	return o.MaxWorkers > 0 && o.Registry != nil && len(o.Registry.kinds) > 0
}
