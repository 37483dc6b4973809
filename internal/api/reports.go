package api

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"gongkai/internal/appeal"
	"gongkai/internal/fault"
	"gongkai/internal/report"
	"gongkai/internal/workday"
)

type yearInput struct {
	Slug string `path:"slug" doc:"Slug of the bureau"`
	Year int    `path:"year" doc:"Report year" minimum:"2008" maximum:"2200" example:"2026"`
}

type tablesOutput struct {
	Body struct {
		Tables     report.Tables      `json:"tables"`
		Violations []report.Violation `json:"violations" doc:"Broken invariants; any blocks submission"`
	}
}

// ReportOut is one version of a bureau's annual report.
type ReportOut struct {
	Year        int               `json:"year"`
	Version     int               `json:"version"`
	State       string            `json:"state" enum:"draft,submitted,published"`
	Narrative   map[string]string `json:"narrative" doc:"Sections overview (一), problems (五), other (六)"`
	SubmittedAt *time.Time        `json:"submitted_at,omitempty"`
	PublishedAt *time.Time        `json:"published_at,omitempty"`
	Superseded  bool              `json:"superseded" doc:"A later corrected version was published"`
}

func reportOut(r *report.Stored) ReportOut {
	return ReportOut{Year: r.Year, Version: r.Version, State: r.State, Narrative: r.Narrative, SubmittedAt: r.SubmittedAt, PublishedAt: r.PublishedAt, Superseded: r.Superseded}
}

type narrativeInput struct {
	Slug string `path:"slug" doc:"Slug of the bureau"`
	Year int    `path:"year" doc:"Report year" minimum:"2008" maximum:"2200"`
	Body struct {
		Narrative map[string]string `json:"narrative" doc:"Sections to replace: overview, problems, other"`
	}
}

type figureInput struct {
	Slug string `path:"slug" doc:"Slug of the bureau"`
	Year int    `path:"year" doc:"Report year" minimum:"2008" maximum:"2200"`
	Key  string `path:"key" doc:"Figure" enum:"licensing,penalty,enforcement,fee_income,rules_apply,fees_collected"`
	Body struct {
		Value  *float64 `json:"value" doc:"The figure; null when it does not apply to the bureau (shown as /)"`
		Source string   `json:"source" doc:"Where the figure comes from" minLength:"1" maxLength:"200"`
	}
}

type cellInput struct {
	Slug   string `path:"slug" doc:"Slug of the bureau"`
	Year   int    `path:"year" doc:"Report year" minimum:"2008" maximum:"2200"`
	Table  int    `query:"table" required:"true" minimum:"3" maximum:"4" doc:"Table 3 or 4"`
	Row    string `query:"row" required:"true" doc:"Table 3 row code (new, carried_in, an outcome code, total, carried_forward) or Table 4 group (reconsideration, litigation_direct, litigation_after_reconsideration)"`
	Column string `query:"column" required:"true" doc:"Table 3 applicant type or total; Table 4 result (upheld, corrected, other, pending, total)"`
}

type downloadInput struct {
	Slug   string `path:"slug" doc:"Slug of the bureau"`
	Year   int    `path:"year" doc:"Report year" minimum:"2008" maximum:"2200"`
	Format string `query:"format" default:"html" enum:"html,xlsx,json,csv2,csv3,csv4" doc:"html: the official layout; xlsx: the three tables; json; csvN: table N"`
}

type downloadOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}

// AppealOut is a reconsideration or litigation case.
type AppealOut struct {
	ID        int64        `json:"id"`
	CaseNo    string       `json:"case_no"`
	RequestID *int64       `json:"request_id,omitempty"`
	Body      string       `json:"body"`
	Kind      string       `json:"kind"`
	FiledOn   workday.Date `json:"filed_on"`
	Outcome   string       `json:"outcome"`
	DecidedOn workday.Date `json:"decided_on,omitzero"`
}

func appealOut(c *appeal.Case) AppealOut {
	return AppealOut{ID: c.ID, CaseNo: c.CaseNo, RequestID: c.RequestID, Body: c.Body, Kind: c.Kind, FiledOn: c.FiledOn, Outcome: c.Outcome, DecidedOn: c.DecidedOn}
}

type appealCreateInput struct {
	Slug string `path:"slug" doc:"Slug of the bureau"`
	Body struct {
		CaseNo    string       `json:"case_no" doc:"Case number" minLength:"1" maxLength:"100"`
		RequestID int64        `json:"request_id,omitempty" doc:"The request the case is about, if recorded here"`
		Body      string       `json:"body" doc:"Reconsideration body or court" minLength:"1" maxLength:"200"`
		Kind      string       `json:"kind" enum:"reconsideration,litigation_direct,litigation_after_reconsideration"`
		FiledOn   workday.Date `json:"filed_on"`
		Note      string       `json:"note,omitempty" maxLength:"2000"`
	}
}

type appealDecideInput struct {
	Slug string `path:"slug" doc:"Slug of the bureau"`
	ID   int64  `path:"id" doc:"Case id"`
	Body struct {
		Outcome   string       `json:"outcome" enum:"upheld,corrected,other" doc:"维持, 纠正 (re-opens the request), 其他"`
		DecidedOn workday.Date `json:"decided_on"`
		Note      string       `json:"note,omitempty" maxLength:"2000"`
	}
}

func (s *Server) registerReports() {
	errs := []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound}
	register(s.API, huma.Operation{
		OperationID: "get-report-tables", Method: http.MethodGet, Path: "/v1/bureaus/{slug}/reports/{year}/tables", Summary: "Compute the report tables",
		Description: "Tables 2, 3 and 4 of the annual report computed now from the bureau's records, with every broken invariant (including last year's carried-forward against this year's carried-in).",
		Tags:        []string{"reports"}, Security: security, Errors: errs,
	}, func(ctx context.Context, in *yearInput) (*tablesOutput, error) {
		t, v, err := s.deps.Reports.Check(ctx, tenantFrom(ctx).ID, in.Year)
		if err != nil {
			return nil, err
		}
		out := &tablesOutput{}
		out.Body.Tables, out.Body.Violations = *t, v
		if out.Body.Violations == nil {
			out.Body.Violations = []report.Violation{}
		}
		return out, nil
	})
	register(s.API, huma.Operation{
		OperationID: "create-report-draft", Method: http.MethodPost, Path: "/v1/bureaus/{slug}/reports/{year}/draft", Summary: "Start or get the report draft",
		Description: "Returns the draft of the year's report, creating it (with a narrative generated from the data) when there is none. After publication it starts a correction: a new version.",
		Tags:        []string{"reports"}, Security: security, Errors: errs,
	}, func(ctx context.Context, in *yearInput) (*struct{ Body ReportOut }, error) {
		r, err := s.deps.Reports.Draft(ctx, tenantFrom(ctx).ID, in.Year)
		if err != nil {
			return nil, err
		}
		return &struct{ Body ReportOut }{Body: reportOut(r)}, nil
	})
	register(s.API, huma.Operation{
		OperationID: "edit-report-narrative", Method: http.MethodPatch, Path: "/v1/bureaus/{slug}/reports/{year}/narrative", Summary: "Edit the narrative",
		Description: "Replaces sections 一 (overview), 五 (problems) and 六 (other) of the draft.",
		Tags:        []string{"reports"}, Security: security, Errors: append(errs, http.StatusConflict),
	}, func(ctx context.Context, in *narrativeInput) (*struct{ Body ReportOut }, error) {
		r, err := s.deps.Reports.EditNarrative(ctx, tenantFrom(ctx).ID, in.Year, in.Body.Narrative)
		if err != nil {
			return nil, err
		}
		return &struct{ Body ReportOut }{Body: reportOut(r)}, nil
	})
	for _, step := range []struct{ id, verb, summary, desc string }{
		{"submit-report", "submit", "Submit the report to the city", "Freezes the tables into the report and submits it to the oversight office. Blocked (409) while any invariant is broken."},
		{"publish-report", "publish", "Publish the report", "Publishes the submitted report on the bureau's portal page (Art. 50). A published report is immutable; corrections are new versions."},
	} {
		register(s.API, huma.Operation{
			OperationID: step.id, Method: http.MethodPost, Path: "/v1/bureaus/{slug}/reports/{year}/" + step.verb, Summary: step.summary,
			Description: step.desc, Tags: []string{"reports"}, Security: security, Errors: append(errs, http.StatusConflict),
		}, func(ctx context.Context, in *yearInput) (*struct{ Body ReportOut }, error) {
			do := s.deps.Reports.Submit
			if step.verb == "publish" {
				do = s.deps.Reports.Publish
			}
			r, err := do(ctx, tenantFrom(ctx).ID, in.Year)
			if err != nil {
				return nil, err
			}
			return &struct{ Body ReportOut }{Body: reportOut(r)}, nil
		})
	}
	register(s.API, huma.Operation{
		OperationID: "list-reports", Method: http.MethodGet, Path: "/v1/bureaus/{slug}/reports", Summary: "List report versions",
		Description: "Every version of the bureau's annual reports, newest first.",
		Tags:        []string{"reports"}, Security: security, Errors: errs,
	}, func(ctx context.Context, in *slugInput) (*struct{ Body []ReportOut }, error) {
		rs, err := s.deps.Reports.Versions(ctx, tenantFrom(ctx).ID)
		if err != nil {
			return nil, err
		}
		out := make([]ReportOut, 0, len(rs))
		for i := range rs {
			out = append(out, reportOut(&rs[i]))
		}
		return &struct{ Body []ReportOut }{Body: out}, nil
	})
	register(s.API, huma.Operation{
		OperationID: "download-report", Method: http.MethodGet, Path: "/v1/bureaus/{slug}/reports/{year}/document", Summary: "Download the report",
		Description: "The newest version of the year's report as HTML in the official layout (A4 print styles), XLSX, JSON, or one table as CSV.",
		Tags:        []string{"reports"}, Security: security, Errors: errs,
	}, func(ctx context.Context, in *downloadInput) (*downloadOutput, error) {
		t := tenantFrom(ctx)
		if _, err := s.deps.Reports.Compute(ctx, t.ID, in.Year); err != nil { // authorization
			return nil, err
		}
		versions, err := s.deps.Reports.Versions(ctx, t.ID)
		if err != nil {
			return nil, err
		}
		var cur *report.Stored
		for i := range versions {
			if versions[i].Year == in.Year {
				cur = &versions[i]
				break
			}
		}
		if cur == nil {
			cur = &report.Stored{Year: in.Year, State: "preview", Narrative: map[string]string{}}
		}
		doc, err := s.deps.Reports.Document(ctx, t.ID, t.Name, cur)
		if err != nil {
			return nil, err
		}
		return renderDocument(doc, in.Format)
	})
	register(s.API, huma.Operation{
		OperationID: "list-report-cell-records", Method: http.MethodGet, Path: "/v1/bureaus/{slug}/reports/{year}/cells", Summary: "List the records behind a number",
		Description: "The records one number of Table 3 (requests of the row and applicant column) or Table 4 (cases of the group with the result as of 31 December) counts for the year, with the adjustments added to it; value is the number the tables show, and the listed requests and cases plus the adjustments' deltas add up to it.",
		Tags:        []string{"reports"}, Security: security, Errors: append(errs, http.StatusUnprocessableEntity),
	}, func(ctx context.Context, in *cellInput) (*struct{ Body *report.CellRecords }, error) {
		recs, err := s.deps.Reports.Records(ctx, tenantFrom(ctx).ID, in.Year, report.Cell{Table: in.Table, Row: in.Row, Column: in.Column})
		if err != nil {
			return nil, err
		}
		return &struct{ Body *report.CellRecords }{Body: recs}, nil
	})
	register(s.API, huma.Operation{
		OperationID: "set-report-figure", Method: http.MethodPut, Path: "/v1/bureaus/{slug}/reports/{year}/figures/{key}", Summary: "Enter a Table 2 figure",
		Description: "Figures with no records in the service — licensing, penalty and enforcement decisions, fee income (万元) — entered by the bureau or pushed by integrators, with their source. null means not applicable (/).",
		Tags:        []string{"reports"}, Security: security, DefaultStatus: http.StatusNoContent, Errors: errs,
	}, func(ctx context.Context, in *figureInput) (*struct{}, error) {
		return nil, s.deps.Reports.SetFigure(ctx, tenantFrom(ctx).ID, in.Year, in.Key, in.Body.Value, in.Body.Source)
	})
	register(s.API, huma.Operation{
		OperationID: "list-appeals", Method: http.MethodGet, Path: "/v1/bureaus/{slug}/appeals", Summary: "List reconsideration and litigation cases",
		Description: "The bureau's 行政复议 and 行政诉讼 cases about disclosure, newest filed first.",
		Tags:        []string{"appeals"}, Security: security, Errors: errs,
	}, func(ctx context.Context, in *slugInput) (*struct{ Body []AppealOut }, error) {
		cs, err := s.deps.Appeals.List(ctx, tenantFrom(ctx).ID)
		if err != nil {
			return nil, err
		}
		out := make([]AppealOut, 0, len(cs))
		for i := range cs {
			out = append(out, appealOut(&cs[i]))
		}
		return &struct{ Body []AppealOut }{Body: out}, nil
	})
	register(s.API, huma.Operation{
		OperationID: "create-appeal", Method: http.MethodPost, Path: "/v1/bureaus/{slug}/appeals", Summary: "Register a case",
		Description: "Registers a reconsideration or litigation case, pending.",
		Tags:        []string{"appeals"}, Security: security, DefaultStatus: http.StatusCreated, Errors: errs,
	}, func(ctx context.Context, in *appealCreateInput) (*struct{ Body AppealOut }, error) {
		b := in.Body
		c, err := s.deps.Appeals.Create(ctx, tenantFrom(ctx).ID, appeal.NewCase{CaseNo: b.CaseNo, RequestID: b.RequestID, Body: b.Body, Kind: b.Kind, FiledOn: b.FiledOn, Note: b.Note})
		if err != nil {
			return nil, err
		}
		return &struct{ Body AppealOut }{Body: appealOut(c)}, nil
	})
	register(s.API, huma.Operation{
		OperationID: "decide-appeal", Method: http.MethodPost, Path: "/v1/bureaus/{slug}/appeals/{id}/decision", Summary: "Record a case's outcome",
		Description: "Records 维持, 纠正 or 其他. A correction re-opens the related request in the same transaction.",
		Tags:        []string{"appeals"}, Security: security, Errors: append(errs, http.StatusConflict),
	}, func(ctx context.Context, in *appealDecideInput) (*struct{ Body AppealOut }, error) {
		c, err := s.deps.Appeals.Decide(ctx, tenantFrom(ctx).ID, in.ID, in.Body.Outcome, in.Body.DecidedOn, in.Body.Note)
		if err != nil {
			return nil, err
		}
		return &struct{ Body AppealOut }{Body: appealOut(c)}, nil
	})
	s.registerReportExports()
}

// renderDocument encodes the report in a download format.
func renderDocument(doc *report.Document, format string) (*downloadOutput, error) {
	var buf bytes.Buffer
	out := &downloadOutput{}
	name := strconv.Itoa(doc.Year) + "-annual-report"
	var err error
	switch format {
	case "html", "":
		out.ContentType, err = "text/html; charset=utf-8", report.WriteHTML(&buf, doc)
		out.ContentDisposition = `inline; filename="` + name + `.html"`
	case "xlsx":
		out.ContentType, err = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", report.WriteXLSX(&buf, doc)
		out.ContentDisposition = `attachment; filename="` + name + `.xlsx"`
	case "json":
		out.ContentType, err = "application/json", report.WriteJSON(&buf, doc)
		out.ContentDisposition = `attachment; filename="` + name + `.json"`
	case "csv2", "csv3", "csv4":
		n, _ := strconv.Atoi(format[3:])
		out.ContentType, err = "text/csv; charset=utf-8", report.WriteCSV(&buf, doc.Tables, n)
		out.ContentDisposition = `attachment; filename="` + name + "-table" + format[3:] + `.csv"`
	default:
		return nil, fault.Field("format", "must be html, xlsx, json, csv2, csv3 or csv4")
	}
	if err != nil {
		return nil, fault.Wrap(err, fault.Internal, "render report")
	}
	out.Body = buf.Bytes()
	return out, nil
}

// ExportOut is a generated report file (or one being generated).
type ExportOut struct {
	ID         int64      `json:"id"`
	Year       int        `json:"year"`
	Format     string     `json:"format" enum:"html,xlsx,json"`
	State      string     `json:"state" enum:"queued,running,done,failed"`
	Progress   int        `json:"progress" minimum:"0" maximum:"100" doc:"Percent done"`
	Step       string     `json:"step" doc:"The step being worked: tables, narrative, render, store, done"`
	Error      string     `json:"error,omitempty" doc:"Why a failed export failed"`
	Size       int64      `json:"size" doc:"Bytes of the file, once done"`
	SHA256     string     `json:"sha256,omitempty" doc:"SHA-256 of the file (hex), once done"`
	CreatedAt  time.Time  `json:"created_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	// File is the download path of a finished export, under /api.
	File string `json:"file,omitempty" doc:"Where to download the file, once done"`
}

func exportOut(slug string, e *report.Export) ExportOut {
	out := ExportOut{ID: e.ID, Year: e.Year, Format: e.Format, State: e.State, Progress: e.Progress, Step: e.Step, Error: e.Error,
		Size: e.Size, SHA256: e.SHA256, CreatedAt: e.CreatedAt, FinishedAt: e.FinishedAt}
	if e.State == report.ExportDone {
		out.File = "/api/v1/bureaus/" + slug + "/reports/" + strconv.Itoa(e.Year) + "/exports/" + strconv.FormatInt(e.ID, 10) + "/file"
	}
	return out
}

type exportCreateInput struct {
	Slug string `path:"slug" doc:"Slug of the bureau"`
	Year int    `path:"year" doc:"Report year" minimum:"2008" maximum:"2200"`
	Body struct {
		Format string `json:"format" enum:"html,xlsx,json" doc:"html: the official layout; xlsx: the three tables; json: the Document schema"`
	}
}

type exportInput struct {
	Slug string `path:"slug" doc:"Slug of the bureau"`
	Year int    `path:"year" doc:"Report year" minimum:"2008" maximum:"2200"`
	ID   int64  `path:"id" doc:"Export id"`
}

// registerReportExports adds the operations of report generation as a
// background job: request a file, follow its progress, download it.
func (s *Server) registerReportExports() {
	errs := []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound}
	register(s.API, huma.Operation{
		OperationID: "create-report-export", Method: http.MethodPost, Path: "/v1/bureaus/{slug}/reports/{year}/exports", Summary: "Generate the report file",
		Description: "Queues a job that generates the year's report (its newest version, or a preview with a drafted narrative) as HTML, XLSX or JSON and keeps the file. Follow its progress with get-report-export.",
		Tags:        []string{"reports"}, Security: security, DefaultStatus: http.StatusAccepted, Errors: errs,
	}, func(ctx context.Context, in *exportCreateInput) (*struct{ Body ExportOut }, error) {
		t := tenantFrom(ctx)
		e, err := s.deps.Reports.CreateExport(ctx, t.ID, t.Name, in.Year, in.Body.Format)
		if err != nil {
			return nil, err
		}
		return &struct{ Body ExportOut }{Body: exportOut(t.Slug, e)}, nil
	})
	register(s.API, huma.Operation{
		OperationID: "list-report-exports", Method: http.MethodGet, Path: "/v1/bureaus/{slug}/reports/{year}/exports", Summary: "List generated report files",
		Description: "The year's report files, newest first, with their state and progress.",
		Tags:        []string{"reports"}, Security: security, Errors: errs,
	}, func(ctx context.Context, in *yearInput) (*struct{ Body []ExportOut }, error) {
		t := tenantFrom(ctx)
		es, err := s.deps.Reports.Exports(ctx, t.ID, in.Year)
		if err != nil {
			return nil, err
		}
		out := make([]ExportOut, 0, len(es))
		for i := range es {
			out = append(out, exportOut(t.Slug, &es[i]))
		}
		return &struct{ Body []ExportOut }{Body: out}, nil
	})
	register(s.API, huma.Operation{
		OperationID: "get-report-export", Method: http.MethodGet, Path: "/v1/bureaus/{slug}/reports/{year}/exports/{id}", Summary: "Get a report file's progress",
		Description: "State (queued, running, done, failed), progress in percent and the step being worked.",
		Tags:        []string{"reports"}, Security: security, Errors: errs,
	}, func(ctx context.Context, in *exportInput) (*struct{ Body ExportOut }, error) {
		t := tenantFrom(ctx)
		e, err := s.deps.Reports.GetExport(ctx, t.ID, in.ID, false)
		if err != nil {
			return nil, err
		}
		if e.Year != in.Year {
			return nil, fault.New(fault.NotFound, "report export not found")
		}
		return &struct{ Body ExportOut }{Body: exportOut(t.Slug, e)}, nil
	})
	register(s.API, huma.Operation{
		OperationID: "download-report-export", Method: http.MethodGet, Path: "/v1/bureaus/{slug}/reports/{year}/exports/{id}/file", Summary: "Download a generated report file",
		Description: "The file of a finished export, as an attachment; 409 while it is not done.",
		Tags:        []string{"reports"}, Security: security, Errors: append(errs, http.StatusConflict),
	}, func(ctx context.Context, in *exportInput) (*downloadOutput, error) {
		t := tenantFrom(ctx)
		e, err := s.deps.Reports.ExportFile(ctx, t.ID, in.ID)
		if err != nil {
			return nil, err
		}
		if e.Year != in.Year {
			return nil, fault.New(fault.NotFound, "report export not found")
		}
		return &downloadOutput{ContentType: e.ContentType(), ContentDisposition: `attachment; filename="` + e.FileName() + `"`, Body: e.Content}, nil
	})
}
