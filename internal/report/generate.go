package report

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"gongkai/internal/audit"
	"gongkai/internal/authz"
	"gongkai/internal/db"
	"gongkai/internal/fault"
	"gongkai/internal/jobs"
)

// Generating the annual report as a background job: a bureau asks for the
// year's report as HTML, XLSX or JSON; the report_export job computes the
// tables, fills the narrative, renders and stores the file, updating the
// export's progress as it goes, and the file is kept for download. The
// report itself is what Art. 49–50 of the Regulations require each bureau
// to publish by 31 January.

// Export states.
const (
	ExportQueued  = "queued"
	ExportRunning = "running"
	ExportDone    = "done"
	ExportFailed  = "failed"
)

// Export steps, in order, with the progress reached when each begins.
const (
	StepTables    = "tables"    // computing Tables 2–4 (or reading the frozen ones)
	StepNarrative = "narrative" // the narrative sections 一, 五, 六
	StepRender    = "render"    // writing the file
	StepStore     = "store"     // keeping the file
	StepDone      = "done"
)

// ExportFormats are the formats an export can have.
var ExportFormats = []string{"html", "xlsx", "json"}

// Export is one generated (or being generated) report file.
type Export struct {
	bun.BaseModel `bun:"table:report_exports"`
	TenantID      int64  `bun:",notnull"`
	ID            int64  `bun:",pk,autoincrement"`
	Year          int    `bun:",notnull"`
	Format        string `bun:",notnull"`
	// Bureau is the bureau's name as it heads the report.
	Bureau string `bun:",notnull"`
	State  string `bun:",notnull"`
	// Progress is 0–100; Step is the step being worked (Step* constants).
	Progress int    `bun:",notnull"`
	Step     string `bun:",notnull"`
	// Error says why a failed export failed.
	Error       string `bun:",notnull"`
	Size        int64  `bun:",notnull"`
	SHA256      string `bun:"sha256,notnull"`
	Content     []byte `bun:"content"`
	RequestedBy string `bun:",notnull"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
	FinishedAt  *time.Time
}

// ContentType is the media type of the export's file.
func (e *Export) ContentType() string {
	switch e.Format {
	case "xlsx":
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case "json":
		return "application/json"
	default:
		return "text/html; charset=utf-8"
	}
}

// FileName is the name the file is downloaded under.
func (e *Export) FileName() string {
	return strconv.Itoa(e.Year) + "-annual-report-" + strconv.FormatInt(e.ID, 10) + "." + e.Format
}

// Running reports whether the export is still queued or being worked.
func (e *Export) Running() bool { return e.State == ExportQueued || e.State == ExportRunning }

// SetJobs gives the service the job client that enqueues exports.
func (s *Service) SetJobs(c *jobs.Client) { s.jobs = c }

func (e *Export) normalise() {
	e.CreatedAt, e.UpdatedAt = e.CreatedAt.UTC(), e.UpdatedAt.UTC()
	if e.FinishedAt != nil {
		t := e.FinishedAt.UTC()
		e.FinishedAt = &t
	}
}

// CreateExport records an export of the bureau's report for year in format
// and enqueues the job that generates it, in the same transaction: the
// export is never recorded without its job, nor the job run without it.
// bureau is the bureau's name, as it heads the report.
func (s *Service) CreateExport(ctx context.Context, tenantID int64, bureau string, year int, format string) (*Export, error) {
	if !slices.Contains(ExportFormats, format) {
		return nil, fault.Field("format", "must be html, xlsx or json")
	}
	if year < 2008 || year > 2200 {
		return nil, fault.Field("year", "must be a year such as 2026")
	}
	if err := s.authz.Require(ctx, tenantID, "report", "write"); err != nil {
		return nil, err
	}
	if s.jobs == nil {
		return nil, fault.New(fault.Unavailable, "report generation is not available in this process")
	}
	actor, _ := authz.ActorFrom(ctx)
	now := s.now().UTC()
	e := &Export{TenantID: tenantID, Year: year, Format: format, Bureau: bureau, State: ExportQueued, RequestedBy: actor.Name, CreatedAt: now, UpdatedAt: now}
	err := s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(e).Returning("id").Exec(ctx); err != nil {
			return err
		}
		if _, err := s.jobs.InsertTx(ctx, tx.Tx, ExportArgs{TenantID: tenantID, ExportID: e.ID}, nil); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Entry{TenantID: tenantID, Action: "report.export_requested", ObjectType: "report_export",
			ObjectID: strconv.FormatInt(e.ID, 10), Changes: map[string]any{"year": year, "format": format}})
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// Exports lists the bureau's exports of the year's report, newest first,
// without their files.
func (s *Service) Exports(ctx context.Context, tenantID int64, year int) ([]Export, error) {
	if err := s.authz.Require(ctx, tenantID, "report", "read"); err != nil {
		return nil, err
	}
	var out []Export
	err := s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Model(&out).ExcludeColumn("content").Where("tenant_id = ? AND year = ?", tenantID, year).
			OrderExpr("id DESC").Limit(100).Scan(ctx)
	})
	for i := range out {
		out[i].normalise()
	}
	return out, err
}

// GetExport returns one export of the bureau, with its file when withFile.
func (s *Service) GetExport(ctx context.Context, tenantID, id int64, withFile bool) (*Export, error) {
	if err := s.authz.Require(ctx, tenantID, "report", "read"); err != nil {
		return nil, err
	}
	var e Export
	err := s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		q := tx.NewSelect().Model(&e).Where("tenant_id = ? AND id = ?", tenantID, id)
		if !withFile {
			q = q.ExcludeColumn("content")
		}
		return db.NotFound(q.Scan(ctx), "report export")
	})
	if err != nil {
		return nil, err
	}
	e.normalise()
	return &e, nil
}

// ExportFile returns a finished export with its file; an export that is
// not done yet (or failed) is a conflict.
func (s *Service) ExportFile(ctx context.Context, tenantID, id int64) (*Export, error) {
	e, err := s.GetExport(ctx, tenantID, id, true)
	if err != nil {
		return nil, err
	}
	if e.State != ExportDone {
		return nil, fault.New(fault.Conflict, "export %d is %s, not done", e.ID, e.State)
	}
	return e, nil
}

// progress records the export's state, step and progress in a transaction
// of its own, so readers see it while the job goes on.
func (s *Service) progress(ctx context.Context, e *Export, state, step string, percent int) error {
	e.State, e.Step, e.Progress, e.UpdatedAt = state, step, percent, s.now().UTC()
	return s.db.InTx(ctx, db.Tenant(e.TenantID), func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewUpdate().Model(e).Column("state", "step", "progress", "updated_at").Where("tenant_id = ? AND id = ?", e.TenantID, e.ID).Exec(ctx)
		return err
	})
}

// errExportGone ends the job of an export that no longer exists.
var errExportGone = errors.New("report export not found")

// GenerateExport does the work of one export: tables, narrative, render,
// store. The report is the year's newest version (its frozen tables once
// submitted); without any version, a preview with the narrative drafted
// from the data. A failure is recorded on the export and returned.
func (s *Service) GenerateExport(ctx context.Context, tenantID, id int64) error {
	var e Export
	err := s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Model(&e).ExcludeColumn("content").Where("tenant_id = ? AND id = ?", tenantID, id).Scan(ctx)
	})
	if errors.Is(err, db.ErrNoRows) {
		return errExportGone
	}
	if err != nil {
		return err
	}
	if e.State == ExportDone {
		return nil
	}
	if err := s.generate(ctx, &e); err != nil {
		now := s.now().UTC()
		e.State, e.Error, e.UpdatedAt, e.FinishedAt = ExportFailed, fault.MessageOf(err), now, &now
		if uerr := s.db.InTx(context.WithoutCancel(ctx), db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
			_, err := tx.NewUpdate().Model(&e).Column("state", "error", "updated_at", "finished_at").Where("tenant_id = ? AND id = ?", tenantID, id).Exec(ctx)
			return err
		}); uerr != nil {
			return errors.Join(err, uerr)
		}
		return err
	}
	return nil
}

func (s *Service) generate(ctx context.Context, e *Export) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("generating the report: %v", p)
		}
	}()
	if err := s.progress(ctx, e, ExportRunning, StepTables, 10); err != nil {
		return err
	}
	var cur *Stored
	err = s.db.InTx(ctx, db.Tenant(e.TenantID), func(ctx context.Context, tx bun.Tx) error {
		var err error
		cur, err = current(ctx, tx, e.TenantID, e.Year)
		return err
	})
	if err != nil {
		return err
	}
	preview := cur == nil
	if preview {
		cur = &Stored{Year: e.Year, State: "preview", Narrative: map[string]string{}}
	}
	doc, err := s.Document(ctx, e.TenantID, e.Bureau, cur)
	if err != nil {
		return err
	}
	if err := s.progress(ctx, e, ExportRunning, StepNarrative, 40); err != nil {
		return err
	}
	if preview {
		doc.Narrative = s.draftNarrative(ctx, e.TenantID, &doc.Tables)
	}
	if err := s.progress(ctx, e, ExportRunning, StepRender, 60); err != nil {
		return err
	}
	var buf bytes.Buffer
	switch e.Format {
	case "html":
		err = WriteHTML(&buf, doc)
	case "xlsx":
		err = WriteXLSX(&buf, doc)
	case "json":
		err = WriteJSON(&buf, doc)
	default:
		err = fmt.Errorf("unknown export format %q", e.Format)
	}
	if err != nil {
		return fault.Wrap(err, fault.Internal, "render the report as %s", e.Format)
	}
	if err := s.progress(ctx, e, ExportRunning, StepStore, 90); err != nil {
		return err
	}
	sum := sha256.Sum256(buf.Bytes())
	now := s.now().UTC()
	e.State, e.Step, e.Progress, e.Error = ExportDone, StepDone, 100, ""
	e.Content, e.Size, e.SHA256, e.UpdatedAt, e.FinishedAt = buf.Bytes(), int64(buf.Len()), hex.EncodeToString(sum[:]), now, &now
	return s.db.InTx(ctx, db.Tenant(e.TenantID), func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewUpdate().Model(e).Column("state", "step", "progress", "error", "content", "size", "sha256", "updated_at", "finished_at").
			Where("tenant_id = ? AND id = ?", e.TenantID, e.ID).Exec(ctx)
		return err
	})
}

// ExportArgs is the report_export job: generate one export.
type ExportArgs struct {
	TenantID int64 `json:"tenant_id"`
	ExportID int64 `json:"export_id"`
}

// Kind names the job.
func (ExportArgs) Kind() string { return "report_export" }

// InsertOpts allows three attempts.
func (ExportArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 3} }

// ExportWorker works report_export jobs.
type ExportWorker struct {
	river.WorkerDefaults[ExportArgs]
	Service *Service
}

// Register adds the worker to the registry; set Service before jobs run.
func (w *ExportWorker) Register(r *jobs.Registry) { jobs.Add(r, w) }

// Work generates the export; an export that no longer exists ends the job.
func (w *ExportWorker) Work(ctx context.Context, job *river.Job[ExportArgs]) error {
	err := w.Service.GenerateExport(ctx, job.Args.TenantID, job.Args.ExportID)
	if errors.Is(err, errExportGone) {
		return nil
	}
	return err
}

// Timeout bounds one attempt; a year of 100,000 requests renders in about
// a second.
func (w *ExportWorker) Timeout(*river.Job[ExportArgs]) time.Duration { return 5 * time.Minute }
