// Package config holds the one Config struct of Gongkai: its defaults, how
// environment variables and command-line flags set it, and its validation.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"gongkai/internal/identity"
	"gongkai/internal/jobs"
	"gongkai/internal/pii"
)

// Config is every setting of the service. Each field is documented by the
// setting that fills it (see settings below); Load applies defaults, then
// environment variables, then flags, then Validate.
type Config struct {
	Addr             string        // HTTP listen address
	DataDir          string        // directory for the SQLite database and attachments
	DatabaseURL      string        // Postgres URL; empty means SQLite in DataDir
	DBAppRole        string        // Postgres role granted data access when migrating
	LogLevel         string        // debug, info, warn, error
	LogFormat        string        // text or json
	BaseURL          string        // external URL of the service, used in links and cookies
	TimeZone         string        // IANA zone in which legal dates are interpreted
	SMTPAddr         string        // host:port of the SMTP server; empty means mail is logged
	SMTPFrom         string        // sender address of outgoing mail
	SMTPUsername     string        // SMTP user, optional
	SMTPPassword     string        // SMTP password, optional
	OTLPEndpoint     string        // OTLP/HTTP endpoint for traces; empty disables export
	TenantsDir       string        // directory of tenant YAML files; empty means the embedded demo city
	AdminPassword    string        // initial platform administrator password; generated when empty
	PIIKey           string        // base64 AES-256 key sealing applicants' ID numbers
	DeadlineRules    string        // JSON file of the city's deadline rule book; empty means the Regulations'
	FeeSchedule      string        // JSON file of the city's information processing fee tiers; empty means the national schedule
	PIIRetentionDays int           // days after closing that an applicant's personal data is kept; 0 keeps it
	JobWorkers       int           // concurrent job workers in this process
	JobRescueAfter   time.Duration // how long a job may stay running before it is taken as interrupted and run again
	PageCacheMB      int           // memory for rendered public catalog pages; 0 renders every request
	ShutdownTimeout  time.Duration // how long a graceful shutdown waits for requests and jobs
	// Policy is the password, lockout and session policy of every account.
	Policy identity.Policy

	// Webhooks (package webhook).
	WebhookAllowNets    string        // networks webhooks may reach although not public (comma-separated CIDRs)
	WebhookDisableAfter int           // consecutive failed deliveries after which an endpoint is disabled
	WebhookRetryBase    time.Duration // delay before the first webhook retry; doubles per attempt up to 5 h
	// WebhookAllow is WebhookAllowNets parsed by Validate.
	WebhookAllow []netip.Prefix

	// Catalog attachments (package catalog, attachments.go).
	AttachmentsDir     string // directory of the attachment store, outside the web root; empty means <data-dir>/attachments
	AttachmentMaxBytes int64  // largest attachment accepted, in bytes

	// Location is TimeZone loaded by Validate.
	Location *time.Location
}

// setting describes one configuration value: its flag, its environment
// variables (first set one wins), its default and its help text.
type setting struct {
	flag  string
	env   []string
	def   string
	help  string
	apply func(c *Config, v string) error
}

func str(p func(c *Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error { *p(c) = v; return nil }
}

// wholeNumber parses a whole number from lo to hi into the field p points to.
func wholeNumber(lo, hi int, p func(c *Config) *int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			return fmt.Errorf("expected a whole number from %d to %d", lo, hi)
		}
		*p(c) = n
		return nil
	}
}

// duration parses a duration from lo to hi into the field p points to.
func duration(lo, hi time.Duration, p func(c *Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < lo || d > hi {
			return fmt.Errorf("expected a duration from %s to %s, such as 30m", lo, hi)
		}
		*p(c) = d
		return nil
	}
}

var settings = []setting{
	{"addr", []string{"GONGKAI_ADDR"}, ":8080", "HTTP listen address (host:port)", str(func(c *Config) *string { return &c.Addr })},
	{"data-dir", []string{"GONGKAI_DATA_DIR"}, "./data", "directory for the SQLite database and stored files", str(func(c *Config) *string { return &c.DataDir })},
	{"database-url", []string{"GONGKAI_DATABASE_URL", "DATABASE_URL"}, "", "Postgres URL (postgres://user@host:5432/db); empty uses SQLite in the data dir", str(func(c *Config) *string { return &c.DatabaseURL })},
	{"db-app-role", []string{"GONGKAI_DB_APP_ROLE"}, "", "Postgres: when migrating as the owner, grant this ordinary role the data privileges the service connects with", str(func(c *Config) *string { return &c.DBAppRole })},
	{"log-level", []string{"GONGKAI_LOG_LEVEL"}, "info", "log level: debug, info, warn or error", str(func(c *Config) *string { return &c.LogLevel })},
	{"log-format", []string{"GONGKAI_LOG_FORMAT"}, "text", "log format: text or json", str(func(c *Config) *string { return &c.LogFormat })},
	{"base-url", []string{"GONGKAI_BASE_URL"}, "http://localhost:8080", "external base URL of the service (links in mail, cookie security)", str(func(c *Config) *string { return &c.BaseURL })},
	{"time-zone", []string{"GONGKAI_TIME_ZONE"}, "Asia/Shanghai", "IANA time zone in which legal dates are interpreted", str(func(c *Config) *string { return &c.TimeZone })},
	{"smtp-addr", []string{"GONGKAI_SMTP_ADDR"}, "", "SMTP server host:port; empty logs mail instead of sending it", str(func(c *Config) *string { return &c.SMTPAddr })},
	{"smtp-from", []string{"GONGKAI_SMTP_FROM"}, "gongkai@localhost", "sender address of outgoing mail", str(func(c *Config) *string { return &c.SMTPFrom })},
	{"smtp-username", []string{"GONGKAI_SMTP_USERNAME"}, "", "SMTP user name (optional)", str(func(c *Config) *string { return &c.SMTPUsername })},
	{"smtp-password", []string{"GONGKAI_SMTP_PASSWORD"}, "", "SMTP password (optional; prefer the environment variable)", str(func(c *Config) *string { return &c.SMTPPassword })},
	{"otlp-endpoint", []string{"GONGKAI_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"}, "", "OTLP/HTTP endpoint for traces (http://jaeger:4318); empty exports nothing", str(func(c *Config) *string { return &c.OTLPEndpoint })},
	{"tenants-dir", []string{"GONGKAI_TENANTS_DIR"}, "", "directory of bureau YAML files applied at start-up; empty uses the built-in demo city", str(func(c *Config) *string { return &c.TenantsDir })},
	{"admin-password", []string{"GONGKAI_ADMIN_PASSWORD"}, "", "password of the platform administrator created on first start; generated and printed once when empty", str(func(c *Config) *string { return &c.AdminPassword })},
	{"pii-key", []string{"GONGKAI_PII_KEY"}, "", "base64 of 32 random bytes sealing applicants' identity numbers at rest; with SQLite, generated into the data dir when empty; required with Postgres (every instance needs the same key)", str(func(c *Config) *string { return &c.PIIKey })},
	{"deadline-rules", []string{"GONGKAI_DEADLINE_RULES"}, "", "JSON file with the city's deadline rules (reply, extension, supplement, consultation and fee periods, each with its effective date); empty uses the Regulations (2019) and, for older receipts, the 2008 rules", str(func(c *Config) *string { return &c.DeadlineRules })},
	{"fee-schedule", []string{"GONGKAI_FEE_SCHEDULE"}, "", "JSON file with the city's information processing fee tiers (per_item, item_band_size, item_band_step, per_page); empty uses the national schedule of 国办函〔2020〕109号", str(func(c *Config) *string { return &c.FeeSchedule })},
	{"pii-retention-days", []string{"GONGKAI_PII_RETENTION_DAYS"}, "0", "days after a request is closed that the applicant's name, identity number and contact details are kept; then they are erased and the statistics stay; 0 keeps them", func(c *Config, v string) error {
		var n int
		if _, err := fmt.Sscanf(v, "%d", &n); err != nil || n < 0 || n > 36500 || fmt.Sprint(n) != v {
			return errors.New("expected a whole number of days from 0 to 36500")
		}
		c.PIIRetentionDays = n
		return nil
	}},
	{"page-cache-mb", []string{"GONGKAI_PAGE_CACHE_MB"}, "32", "MiB of memory for rendered public catalog pages, each kept until its bureau's catalog changes; 0 renders every request", wholeNumber(0, 4096, func(c *Config) *int { return &c.PageCacheMB })},
	{"job-workers", []string{"GONGKAI_JOB_WORKERS"}, "10", "number of concurrent background job workers", wholeNumber(1, 1000, func(c *Config) *int { return &c.JobWorkers })},
	{"job-rescue-after", []string{"GONGKAI_JOB_RESCUE_AFTER"}, jobs.DefaultRescueAfter.String(), "how long a job may stay running before it is taken for the job of a stopped or killed process and run again; longer than the job timeout (" + jobs.Timeout.String() + ")", duration(time.Second, 7*24*time.Hour, func(c *Config) *time.Duration { return &c.JobRescueAfter })},
	{"shutdown-timeout", []string{"GONGKAI_SHUTDOWN_TIMEOUT"}, "20s", "how long a graceful shutdown waits for requests and jobs", func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return errors.New("expected a positive duration such as 20s")
		}
		c.ShutdownTimeout = d
		return nil
	}},
	// Sign-in rules for every account of every bureau (等级保护 identity
	// checks): set once by the platform, they bind all bureaus.
	{"password-min-length", []string{"GONGKAI_PASSWORD_MIN_LENGTH"}, "12", "shortest password accepted, in characters", wholeNumber(8, 128, func(c *Config) *int { return &c.Policy.MinLength })},
	{"password-min-classes", []string{"GONGKAI_PASSWORD_MIN_CLASSES"}, "3", "how many of lower case, upper case, digits and symbols a password must mix", wholeNumber(1, 4, func(c *Config) *int { return &c.Policy.MinClasses })},
	{"login-max-failures", []string{"GONGKAI_LOGIN_MAX_FAILURES"}, "5", "failed sign-ins of one account within login-failure-window after which it is locked for the rest of the window", wholeNumber(1, 100, func(c *Config) *int { return &c.Policy.MaxFailures })},
	{"login-failure-window", []string{"GONGKAI_LOGIN_FAILURE_WINDOW"}, "15m", "window in which failed sign-ins are counted, and how long a locked account stays locked", duration(time.Minute, 24*time.Hour, func(c *Config) *time.Duration { return &c.Policy.FailureWindow })},
	{"session-idle-timeout", []string{"GONGKAI_SESSION_IDLE_TIMEOUT"}, "30m", "a console session without activity for this long is signed out", duration(time.Minute, 24*time.Hour, func(c *Config) *time.Duration { return &c.Policy.SessionIdle })},
	{"session-max-life", []string{"GONGKAI_SESSION_MAX_LIFE"}, "12h", "a console session ends after this long in any case", duration(5*time.Minute, 30*24*time.Hour, func(c *Config) *time.Duration { return &c.Policy.SessionMaxLife })},
	{"webhook-allow-nets", []string{"GONGKAI_WEBHOOK_ALLOW_NETS"}, "", "networks webhook deliveries may reach although not public, e.g. 10.20.0.0/16,127.0.0.1 (default none: only public addresses)", str(func(c *Config) *string { return &c.WebhookAllowNets })},
	{"webhook-disable-after", []string{"GONGKAI_WEBHOOK_DISABLE_AFTER"}, "20", "consecutive failed webhook deliveries after which an endpoint is disabled and its bureau admins notified", wholeNumber(1, 1000, func(c *Config) *int { return &c.WebhookDisableAfter })},
	{"webhook-retry-base", []string{"GONGKAI_WEBHOOK_RETRY_BASE"}, "30s", "delay before the first webhook retry; it doubles per attempt up to 5h (13 retries, about 24h)", func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return errors.New("expected a positive duration such as 30s")
		}
		c.WebhookRetryBase = d
		return nil
	}},
	{"attachments-dir", []string{"GONGKAI_ATTACHMENTS_DIR"}, "", "directory where catalog attachments are stored under random names, outside any web root; empty uses <data-dir>/attachments (next to the SQLite file)", str(func(c *Config) *string { return &c.AttachmentsDir })},
	{"attachment-max-bytes", []string{"GONGKAI_ATTACHMENT_MAX_BYTES"}, "20971520", "largest catalog attachment accepted, in bytes (default 20 MiB)", func(c *Config, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1024 || n > 1<<30 {
			return errors.New("expected a whole number of bytes from 1024 to 1073741824 (1 GiB)")
		}
		c.AttachmentMaxBytes = n
		return nil
	}},
}

// Default returns the configuration with every default applied.
func Default() Config {
	var c Config
	for _, s := range settings {
		if err := s.apply(&c, s.def); err != nil {
			panic("config: bad default for " + s.flag)
		}
	}
	return c
}

// Load builds the configuration for a command: defaults, then environment
// variables (read through getenv), then flags from args. It returns the
// remaining positional arguments. Errors name the setting and what it expects.
func Load(name string, args []string, getenv func(string) string, usage io.Writer) (Config, []string, error) {
	c := Default()
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(usage)
	values := make([]*string, len(settings))
	for i, s := range settings {
		v := s.def
		for _, e := range s.env {
			if ev := getenv(e); ev != "" {
				v = ev
				break
			}
		}
		values[i] = fs.String(s.flag, v, fmt.Sprintf("%s (env %s)", s.help, strings.Join(s.env, ", ")))
	}
	fs.Usage = func() {
		fmt.Fprintf(usage, "Usage: gongkai %s [flags]\n\nEvery flag can also be set by the environment variable named beside it.\n\n", name)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return c, nil, err
	}
	for i, s := range settings {
		if err := s.apply(&c, *values[i]); err != nil {
			return c, nil, fmt.Errorf("invalid setting %s (--%s / %s): %v", s.flag, s.flag, s.env[0], err)
		}
	}
	if err := c.Validate(); err != nil {
		return c, nil, err
	}
	return c, fs.Args(), nil
}

// Validate checks every setting and loads the time zone. The error names the
// first bad setting and what is expected.
func (c *Config) Validate() error {
	bad := func(name, format string, args ...any) error {
		return fmt.Errorf("invalid setting %s: %s", name, fmt.Sprintf(format, args...))
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return bad("addr", "%q is not host:port (e.g. :8080 or 127.0.0.1:8080)", c.Addr)
	}
	if c.DatabaseURL == "" && c.DataDir == "" {
		return bad("data-dir", "must not be empty when no database URL is set")
	}
	if c.DatabaseURL != "" {
		u, err := url.Parse(c.DatabaseURL)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			return bad("database-url", "expected a postgres:// or postgresql:// URL")
		}
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return bad("log-level", "%q is not one of debug, info, warn, error", c.LogLevel)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return bad("log-format", "%q is not text or json", c.LogFormat)
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return bad("base-url", "%q is not an absolute http(s) URL", c.BaseURL)
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil || c.TimeZone == "" {
		return bad("time-zone", "%q is not an IANA time zone such as Asia/Shanghai", c.TimeZone)
	}
	c.Location = loc
	if c.SMTPAddr != "" {
		if _, _, err := net.SplitHostPort(c.SMTPAddr); err != nil {
			return bad("smtp-addr", "%q is not host:port (e.g. mailpit:1025)", c.SMTPAddr)
		}
	}
	if _, err := mail.ParseAddress(c.SMTPFrom); err != nil {
		return bad("smtp-from", "%q is not an e-mail address", c.SMTPFrom)
	}
	if c.OTLPEndpoint != "" {
		u, err := url.Parse(c.OTLPEndpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return bad("otlp-endpoint", "%q is not an http(s) URL such as http://jaeger:4318", c.OTLPEndpoint)
		}
	}
	if c.AdminPassword != "" && len([]rune(c.AdminPassword)) < 12 {
		return bad("admin-password", "must be at least 12 characters")
	}
	if c.PIIKey != "" {
		if _, err := pii.New(c.PIIKey); err != nil {
			return bad("pii-key", "%v", err)
		}
	}
	if c.JobWorkers < 1 {
		return bad("job-workers", "must be at least 1")
	}
	if c.JobRescueAfter <= jobs.Timeout {
		return bad("job-rescue-after", "%s must be longer than the job timeout (%s), or a job still running would be run a second time", c.JobRescueAfter, jobs.Timeout)
	}
	if c.ShutdownTimeout <= 0 {
		return bad("shutdown-timeout", "must be positive")
	}
	if c.Policy.SessionMaxLife != 0 && c.Policy.SessionIdle > c.Policy.SessionMaxLife {
		return bad("session-idle-timeout", "must not be longer than session-max-life (%s)", c.Policy.SessionMaxLife)
	}
	c.WebhookAllow = nil
	for _, f := range strings.Split(c.WebhookAllowNets, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			ip, err2 := netip.ParseAddr(f)
			if err2 != nil {
				return bad("webhook-allow-nets", "%q is neither a network such as 10.20.0.0/16 nor an address", f)
			}
			p = netip.PrefixFrom(ip, ip.BitLen())
		}
		c.WebhookAllow = append(c.WebhookAllow, p.Masked())
	}
	if c.WebhookDisableAfter < 1 {
		return bad("webhook-disable-after", "must be at least 1")
	}
	if c.WebhookRetryBase <= 0 {
		return bad("webhook-retry-base", "must be positive")
	}
	return nil
}

// SecureCookies reports whether cookies must carry the Secure attribute,
// which is when the service is reached over https.
func (c *Config) SecureCookies() bool { return strings.HasPrefix(c.BaseURL, "https://") }

// Slog returns the configured log level.
func (c *Config) Slog() slog.Level {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(c.LogLevel))
	return lvl
}
