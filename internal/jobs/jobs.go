// Package jobs builds the River client that runs Gongkai's background jobs on
// the service's own database. Domain packages add their workers to a Workers
// registry and their periodic jobs to Options before the client is built.
package jobs

import (
	"database/sql"
	"log/slog"

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
	// Logger receives River's logs.
	Logger *slog.Logger
	// Telemetry, when set, traces and counts jobs.
	Telemetry *telemetry.Telemetry
}

// New builds the River client over d. It works jobs only when MaxWorkers > 0
// and the registry holds at least one worker; Works reports which.
func New(d *db.DB, o Options) (*Client, error) {
	cfg := &river.Config{
		Logger:       o.Logger,
		PeriodicJobs: o.PeriodicJobs,
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
