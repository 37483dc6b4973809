// Package app wires Gongkai together: configuration -> database -> services
// -> HTTP handlers and job workers, with Start and Shutdown. Tests boot the
// whole application on :0 through it.
package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"gongkai/internal/api"
	"gongkai/internal/appeal"
	"gongkai/internal/audit"
	"gongkai/internal/authz"
	"gongkai/internal/calendar"
	"gongkai/internal/catalog"
	"gongkai/internal/config"
	"gongkai/internal/console"
	"gongkai/internal/db"
	"gongkai/internal/fault"
	"gongkai/internal/httpx"
	"gongkai/internal/identity"
	"gongkai/internal/inquiry"
	"gongkai/internal/jobs"
	"gongkai/internal/notify"
	"gongkai/internal/oversight"
	"gongkai/internal/pii"
	"gongkai/internal/portal"
	"gongkai/internal/reminder"
	"gongkai/internal/report"
	"gongkai/internal/request"
	"gongkai/internal/request/deadline"
	"gongkai/internal/telemetry"
	"gongkai/internal/tenant"
	"gongkai/internal/webhook"
)

// Version is the version of the binary, set at build time with
// -ldflags "-X gongkai/internal/app.Version=...".
var Version = "dev"

// Options are what a command passes to New besides the configuration.
type Options struct {
	// Stdout receives the few lines meant for the operator: the generated
	// administrator password (once) and the URLs.
	Stdout io.Writer
	// LogOutput receives the structured logs; os.Stderr when nil.
	LogOutput io.Writer
	// SpanExporter, when set, receives every span (tests).
	SpanExporter sdktrace.SpanExporter
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Workers says whether this process works jobs.
	Workers bool
	// HTTP says whether this process serves HTTP.
	HTTP bool
	// Provision applies the tenant files and creates the administrator.
	Provision bool
	// JobWorkers adds workers to the registry before the job client is built
	// (tests register their own job kinds here).
	JobWorkers func(*jobs.Registry)
}

// App is one running Gongkai process.
type App struct {
	Config    config.Config
	DB        *db.DB
	Telemetry *telemetry.Telemetry
	Jobs      *jobs.Client
	Log       *slog.Logger
	Tenants   *tenant.Service
	Authz     *authz.Authorizer
	Identity  *identity.Service
	Audit     *audit.Service
	Calendar  *calendar.Service
	Requests  *request.Service
	Appeals   *appeal.Service
	Reports   *report.Service
	Inquiries *inquiry.Service
	Catalog   *catalog.Service // the disclosure catalog (政府信息公开目录)
	// Notifications, reminders and webhooks (background.go).
	Notify    *notify.Service
	Webhooks  *webhook.Service
	Reminders *reminder.Service
	jobsUI    jobsUI // River UI at /admin/jobs (jobsui.go)
	// Oversight is the city oversight office's read-only cross-bureau view.
	Oversight *oversight.Service
	API       *api.Server
	Handler   http.Handler

	opts     Options
	workJobs bool
	server   *http.Server
	listener net.Listener
	started  bool
}

// New opens the database, applies migrations, provisions tenants and the
// administrator (when asked), and builds the services and handlers. Nothing
// listens until Start.
func New(ctx context.Context, cfg config.Config, opts Options) (a *App, err error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Stdout == nil {
		opts.Stdout = io.Discard
	}
	if opts.LogOutput == nil {
		opts.LogOutput = os.Stderr
	}
	tel, err := telemetry.Setup(ctx, telemetry.Options{
		ServiceVersion: Version, OTLPEndpoint: cfg.OTLPEndpoint, SpanExporter: opts.SpanExporter,
		LogLevel: cfg.Slog(), LogJSON: cfg.LogFormat == "json", LogOutput: opts.LogOutput,
	})
	if err != nil {
		return nil, fmt.Errorf("telemetry: %w", err)
	}
	built := &App{Config: cfg, Telemetry: tel, Log: tel.Logger, opts: opts}
	a = built
	defer func() {
		if err != nil {
			_ = built.close(context.Background())
		}
	}()

	a.DB, err = db.Open(ctx, db.Options{URL: cfg.DatabaseURL, Path: filepath.Join(cfg.DataDir, "gongkai.db"), Tracer: tel.Tracer})
	if err != nil {
		return nil, err
	}
	applied, err := a.DB.Migrate(ctx, cfg.DBAppRole)
	if err != nil {
		return nil, err
	}
	for _, m := range applied {
		a.Log.Info("migration applied", "name", m)
	}
	if err := a.DB.Optimize(ctx); err != nil {
		return nil, err
	}

	a.Tenants = tenant.NewService(a.DB, opts.Now)
	if a.Authz, err = authz.New(ctx, a.DB); err != nil {
		return nil, err
	}
	a.Identity = identity.NewService(a.DB, a.Authz, opts.Now, cfg.Policy)
	a.Audit = audit.NewService(a.DB, a.Authz, opts.Now)
	// Refused authorization is an audited event too; it is recorded in a
	// transaction of its own, since the refused change never happens.
	a.Authz.OnDenied = func(ctx context.Context, tenantID int64, obj, act string) {
		if err := a.Audit.RecordAlone(ctx, audit.Entry{TenantID: tenantID, Action: "authz.denied", ObjectType: obj, ObjectID: act}); err != nil {
			a.Log.WarnContext(ctx, "audit of a refused authorization", "error", err)
		}
	}

	if opts.Provision {
		if err := a.provision(ctx); err != nil {
			return nil, err
		}
	}

	recompute := &request.RecomputeWorker{}
	erase := &request.EraseWorker{RetentionDays: cfg.PIIRetentionDays} // personal data past retention (个人信息保护法 Art. 19)
	registry := jobs.NewRegistry()
	jobs.Add(registry, recompute)
	jobs.Add(registry, erase)
	bg := registerBackground(registry) // notifications, reminders, webhooks (background.go)
	if opts.JobWorkers != nil {
		opts.JobWorkers(registry)
	}
	maxWorkers := 0
	if opts.Workers {
		maxWorkers = cfg.JobWorkers
	}
	jobOpts := jobs.Options{Registry: registry, MaxWorkers: maxWorkers, RescueAfter: cfg.JobRescueAfter, Logger: a.Log, Telemetry: tel}
	jobOpts.PeriodicJobs = append(jobOpts.PeriodicJobs, bg.periodicJobs(cfg)...)
	if cfg.PIIRetentionDays > 0 {
		jobOpts.PeriodicJobs = append(jobOpts.PeriodicJobs, request.ErasePeriodicJob())
	}
	a.workJobs = jobOpts.Works()
	a.Jobs, err = jobs.New(a.DB, jobOpts)
	if err != nil {
		return nil, fmt.Errorf("job client: %w", err)
	}

	a.Calendar = calendar.NewService(a.DB, a.Authz, a.Jobs, opts.Now)
	piiKey := cfg.PIIKey
	if piiKey == "" && cfg.DatabaseURL != "" {
		return nil, errors.New("invalid setting pii-key: required with Postgres, so that every instance opens the same sealed values: set GONGKAI_PII_KEY to base64 of 32 random bytes (openssl rand -base64 32)")
	}
	if piiKey == "" {
		if piiKey, err = pii.KeyFile(filepath.Join(cfg.DataDir, "pii.key")); err != nil {
			return nil, fmt.Errorf("pii key file: %w", err)
		}
	}
	cipher, err := pii.New(piiKey)
	if err != nil {
		return nil, fmt.Errorf("invalid setting pii-key: %w", err)
	}
	a.Requests = request.NewService(a.DB, a.Authz, a.Tenants, a.Calendar, cipher, cfg.Location, opts.Now)
	recompute.Service = a.Requests
	erase.Service = a.Requests
	if n, err := a.Requests.BackfillApplicantKeys(authz.WithActor(ctx, authz.System)); err != nil {
		return nil, fmt.Errorf("applicant keys: %w", err)
	} else if n > 0 {
		a.Log.Info("applicant keys computed", "requests", n)
	}
	if cfg.DeadlineRules != "" {
		if err := loadRules(a.Requests, cfg.DeadlineRules); err != nil {
			return nil, err
		}
	}
	if cfg.FeeSchedule != "" {
		if err := loadFees(a.Requests, cfg.FeeSchedule); err != nil {
			return nil, err
		}
	}
	// Catalog: the service, and each bureau's category tree seeded from its
	// kind's template at provisioning (idempotent).
	if a.Catalog, err = catalog.NewService(a.DB, a.Authz, a.Tenants, a.Calendar, opts.Now); err != nil {
		return nil, err
	}
	attachDir := cfg.AttachmentsDir // attachments: outside the web root, next to the SQLite file by default
	if attachDir == "" {
		attachDir = filepath.Join(cfg.DataDir, "attachments")
	}
	a.Catalog.SetAttachmentStore(attachDir, cfg.AttachmentMaxBytes)
	if opts.Provision {
		if err := a.seedCatalogs(ctx); err != nil {
			return nil, err
		}
	}
	a.Appeals = appeal.NewService(a.DB, a.Authz, a.Requests, opts.Now)
	a.Reports = report.NewService(a.DB, a.Authz, catalogDocuments{a.Catalog}, opts.Now) // Table 2 document counts from the catalog
	a.Inquiries = inquiry.NewService(a.DB, a.Authz, opts.Now)
	a.Oversight = oversight.NewService(a.DB, a.Authz, a.Tenants, a.Calendar, a.Reports, cfg.Location, opts.Now) // oversight (dashboard, city report)

	if err := a.wireBackground(bg, cipher); err != nil { // notifications, reminders, webhooks, River UI (background.go)
		return nil, err
	}
	a.Reminders.SetCityReports(a.Oversight) // the city report's reminders (reminder/city.go)
	a.API = api.New(api.Deps{Oversight: a.Oversight, Catalog: a.Catalog, Inquiries: a.Inquiries, Reports: a.Reports, Appeals: a.Appeals, Requests: a.Requests, Calendar: a.Calendar, Version: Version, Tenants: a.Tenants, Authz: a.Authz, Identity: a.Identity, Audit: a.Audit})
	a.API.AddBackground(a.Notify, a.Webhooks, a.Reminders) // their operations (api/notify.go, api/webhooks.go)
	consoleHandler, err := console.New(console.Deps{BaseURL: cfg.BaseURL, SecureCookies: cfg.SecureCookies(), Location: cfg.Location,
		Tenants: a.Tenants, Authz: a.Authz, Identity: a.Identity, Audit: a.Audit, Requests: a.Requests, Catalog: a.Catalog, Notify: a.Notify,
		Reports: a.Reports, Appeals: a.Appeals, Inquiries: a.Inquiries, Oversight: a.Oversight, Webhooks: a.Webhooks, Reminders: a.Reminders,
		Log: a.Log, Now: opts.Now})
	if err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	a.Handler = a.routes(consoleHandler)
	return a, nil
}

// catalogDocuments gives the annual report its Table 2 document counts from
// the catalog (report.DocumentCounter).
type catalogDocuments struct{ c *catalog.Service }

// DocumentCounts implements report.DocumentCounter.
func (d catalogDocuments) DocumentCounts(ctx context.Context, tenantID int64, year int) (rules, normative report.DocumentStats, err error) {
	r, n, err := d.c.DocumentCounts(ctx, tenantID, year)
	return report.DocumentStats(r), report.DocumentStats(n), err
}

// seedCatalogs stores the category tree of every bureau that has none yet
// (catalog.Service.SeedCategories).
func (a *App) seedCatalogs(ctx context.Context) error {
	ts, err := a.Tenants.List(ctx)
	if err != nil {
		return err
	}
	sys := authz.WithActor(ctx, authz.System)
	for _, t := range ts {
		if _, err := a.Catalog.SeedCategories(sys, t.ID); err != nil {
			return fmt.Errorf("seed catalog categories of %s: %w", t.Slug, err)
		}
	}
	return nil
}

// provision applies the tenant files and creates the platform administrator.
func (a *App) provision(ctx context.Context) error {
	specs, err := tenant.LoadFiles(a.Config.TenantsDir)
	if err != nil {
		return err
	}
	res, err := a.Tenants.Apply(ctx, specs)
	if err != nil {
		return err
	}
	if len(res.Created)+len(res.Changed) > 0 {
		a.Log.Info("bureaus provisioned", "created", res.Created, "changed", res.Changed)
	}
	generated, created, err := a.Identity.EnsureAdmin(ctx, a.Config.AdminPassword)
	if err != nil {
		return err
	}
	if created && generated != "" {
		fmt.Fprintf(a.opts.Stdout, "Platform administrator created: user %q, password %s\n(shown this once; set GONGKAI_ADMIN_PASSWORD to choose it)\n", identity.AdminUsername, generated)
	} else if created {
		fmt.Fprintf(a.opts.Stdout, "Platform administrator created: user %q with the password from GONGKAI_ADMIN_PASSWORD\n", identity.AdminUsername)
	}
	return nil
}

// routes builds the root handler.
func (a *App) routes(consoleHandler http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if err := a.DB.Ready(r.Context()); err != nil {
			w.Header().Set("Retry-After", "5")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, "not ready: "+fault.MessageOf(err)+"\n")
			return
		}
		_, _ = io.WriteString(w, "ready\n")
	})
	mux.Handle("GET /metrics", a.Telemetry.MetricsHandler())
	a.mountJobsUI(mux) // River UI at /admin/jobs, platform admins only (jobsui.go)
	apiHandler := otelhttp.NewHandler(a.API.Handler, "api",
		otelhttp.WithTracerProvider(a.Telemetry.Tracer), otelhttp.WithMeterProvider(a.Telemetry.Meter),
		otelhttp.WithPropagators(a.Telemetry.Propagator))
	mux.Handle("/api/", http.StripPrefix("/api", apiHandler))
	mux.Handle("/console/", otelhttp.NewHandler(consoleHandler, "console",
		otelhttp.WithTracerProvider(a.Telemetry.Tracer), otelhttp.WithMeterProvider(a.Telemetry.Meter)))
	portalHandler := otelhttp.NewHandler(portal.New(portal.Deps{BaseURL: a.Config.BaseURL, Catalog: a.Catalog, PageCacheBytes: a.Config.PageCacheMB << 20, Tenants: a.Tenants, Requests: a.Requests, Reports: a.Reports, City: a.Oversight, Log: a.Log, Now: a.opts.Now}), "portal",
		otelhttp.WithTracerProvider(a.Telemetry.Tracer), otelhttp.WithMeterProvider(a.Telemetry.Meter))
	mux.Handle("/", portalHandler)
	maxBody := max(10<<20, a.Catalog.AttachmentMaxBytes()+1<<20) // room for an attachment upload and its form
	return httpx.Chain(mux, a.Log, httpx.SecurityOptions{HTTPS: a.Config.SecureCookies()}, maxBody)
}

// Start listens on the configured address and starts the job workers.
func (a *App) Start(ctx context.Context) error {
	if a.workJobs {
		if err := a.Jobs.Start(context.WithoutCancel(ctx)); err != nil {
			return fmt.Errorf("start job workers: %w", err)
		}
	}
	a.started = true
	if !a.opts.HTTP {
		return nil
	}
	if err := a.startJobsUI(ctx); err != nil { // jobsui.go
		return fmt.Errorf("start the River UI: %w", err)
	}
	ln, err := net.Listen("tcp", a.Config.Addr)
	if err != nil {
		return fmt.Errorf("invalid setting addr: cannot listen on %s: %w", a.Config.Addr, err)
	}
	a.listener = ln
	a.server = &http.Server{
		Handler:           a.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
	go func() {
		if err := a.server.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.Log.Error("http server stopped", "error", err)
		}
	}()
	return nil
}

// URL returns the base URL at which this process listens (useful with :0).
func (a *App) URL() string {
	if a.listener == nil {
		return ""
	}
	_, port, _ := net.SplitHostPort(a.listener.Addr().String())
	return "http://127.0.0.1:" + port
}

// PrintURLs writes where to find the console, the API docs and the OpenAPI
// document, based on the base URL.
func (a *App) PrintURLs(w io.Writer) {
	base := a.Config.BaseURL
	fmt.Fprintf(w, "Gongkai %s listening on %s (%s)\n", Version, a.Config.Addr, a.DB.Dialect)
	fmt.Fprintf(w, "  Console:        %s/console/  (user admin)\n", base)
	fmt.Fprintf(w, "  Public portal:  %s/\n", base)
	fmt.Fprintf(w, "  API reference:  %s/api/docs\n", base)
	fmt.Fprintf(w, "  OpenAPI:        %s/api/openapi.json\n", base)
	fmt.Fprintf(w, "  Health:         %s/readyz  Metrics: %s/metrics\n", base, base)
}

// Shutdown drains HTTP requests, stops job workers (letting running jobs
// finish within the timeout) and closes the database.
func (a *App) Shutdown(ctx context.Context) error {
	return a.close(ctx)
}

func (a *App) close(ctx context.Context) error {
	var errs []error
	if a.server != nil {
		errs = append(errs, a.server.Shutdown(ctx))
	}
	a.stopJobsUI() // jobsui.go
	if a.Jobs != nil && a.started && a.workJobs {
		if err := a.Jobs.Stop(ctx); err != nil {
			errs = append(errs, a.Jobs.StopAndCancel(context.Background()))
		}
	}
	if a.DB != nil {
		a.DB.Close()
	}
	if a.Telemetry != nil {
		errs = append(errs, a.Telemetry.Shutdown(ctx))
	}
	return errors.Join(errs...)
}

// loadFees sets the city's fee tiers from a JSON file (request.FeeSchedule):
// local rules without a release.
func loadFees(rs *request.Service, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("invalid setting fee-schedule: %w", err)
	}
	var fs request.FeeSchedule
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&fs); err != nil {
		return fmt.Errorf("invalid setting fee-schedule: %s is not a fee schedule (per_item, item_band_size, item_band_step, per_page): %w", path, err)
	}
	if err := rs.SetFees(fs); err != nil {
		return fmt.Errorf("invalid setting fee-schedule: %s: %s", path, fault.MessageOf(err))
	}
	return nil
}

// loadRules sets the city's deadline rule book from a JSON file (a list of
// rule sets with their effective dates, see deadline.Rules): stricter local
// limits without a release.
func loadRules(rs *request.Service, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("invalid setting deadline-rules: %w", err)
	}
	var rb deadline.RuleBook
	if err := json.Unmarshal(b, &rb); err != nil {
		return fmt.Errorf("invalid setting deadline-rules: %s is not a JSON list of rule sets: %w", path, err)
	}
	if err := rs.SetRules(rb); err != nil {
		return fmt.Errorf("invalid setting deadline-rules: %s: %s", path, fault.MessageOf(err))
	}
	return nil
}
