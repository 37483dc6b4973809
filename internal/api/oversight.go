package api

import (
	"bytes"
	"context"
	"net/http"
	"strconv"

	"github.com/danielgtaylor/huma/v2"

	"gongkai/internal/fault"
	"gongkai/internal/oversight"
	"gongkai/internal/workday"
)

// Oversight operations: the city overseer's read-only view across bureaus
// (package oversight). None is under /v1/bureaus/{slug}: they are about the
// whole city, and answer 403 to anyone without the cross-bureau "stats read"
// permission (the city_overseer and platform_admin roles).

// periodDates parses the optional period bounds of the query.
func periodDates(fromText, toText string) (from, to workday.Date, err error) {
	if fromText != "" {
		if from, err = workday.ParseDate(fromText); err != nil {
			return from, to, fault.Field("from", "must be a date (YYYY-MM-DD), e.g. 2026-01-01")
		}
	}
	if toText != "" {
		if to, err = workday.ParseDate(toText); err != nil {
			return from, to, fault.Field("to", "must be a date (YYYY-MM-DD), e.g. 2026-06-30")
		}
	}
	return from, to, nil
}

type dashboardInput struct {
	Year   int    `query:"year" minimum:"0" maximum:"2200" doc:"Year of the figures; 0 or absent: the current year" example:"2026"`
	From   string `query:"from" doc:"First day of the period (YYYY-MM-DD); default 1 January of year" example:"2026-01-01"`
	To     string `query:"to" doc:"Last day of the period (YYYY-MM-DD); default 31 December of year" example:"2026-06-30"`
	RollUp bool   `query:"rollup" doc:"Sum affiliated units (直属单位) into their bureau's row, listing them as children"`
	Sort   string `query:"sort" default:"bureau" enum:"bureau,received,closed,open,overdue,replied,replied_on_time,replied_late,on_time_percent,reply_days_median,reply_days_p90,extended,catalog_published,catalog_late,outcome.granted,outcome.partially_granted,outcome.refused,outcome.unavailable,outcome.not_processed,outcome.other,appeals,appeals.upheld,appeals.corrected,appeals.other,appeals.pending,report_state,report_timeliness" doc:"Figure to order the rows by"`
	Desc   bool   `query:"desc" doc:"Largest first"`
}

type recordsInput struct {
	Year   int    `query:"year" minimum:"0" maximum:"2200" doc:"Year of the figures; 0 or absent: the current year" example:"2026"`
	From   string `query:"from" doc:"First day of the period (YYYY-MM-DD); default 1 January of year" example:"2026-01-01"`
	To     string `query:"to" doc:"Last day of the period (YYYY-MM-DD); default 31 December of year" example:"2026-06-30"`
	RollUp bool   `query:"rollup" doc:"Sum affiliated units (直属单位) into their bureau's row, listing them as children"`
	Metric string `query:"metric" required:"true" doc:"The figure: a records key of the metric dictionary (e.g. received, overdue, reply_days, outcome.refused, appeals.pending)" example:"overdue"`
	Bureau string `query:"bureau" doc:"Slug of the bureau whose row the figure is in; absent: the city totals" example:"civil-affairs"`
	Limit  int    `query:"limit" default:"500" minimum:"1" maximum:"5000" doc:"Page size"`
	Offset int    `query:"offset" minimum:"0" doc:"Records to skip"`
}

type trendsInput struct {
	Year   int    `query:"year" minimum:"0" maximum:"2200" doc:"Year; 0 or absent: the current year" example:"2026"`
	Bureau string `query:"bureau" doc:"Slug of a bureau; absent: the whole city" example:"civil-affairs"`
	RollUp bool   `query:"rollup" doc:"Include the bureau's affiliated units"`
}

type trendsChartInput struct {
	Year   int    `query:"year" minimum:"0" maximum:"2200" doc:"Year; 0 or absent: the current year" example:"2026"`
	Bureau string `query:"bureau" doc:"Slug of a bureau; absent: the whole city" example:"civil-affairs"`
	RollUp bool   `query:"rollup" doc:"Include the bureau's affiliated units"`
	Chart  string `query:"chart" default:"received" enum:"received,closed" doc:"Which figure to chart against last year"`
}

type svgOutput struct {
	ContentType string `header:"Content-Type"`
	Body        []byte
}

type reportIssuesInput struct {
	Year int `query:"year" minimum:"0" maximum:"2200" doc:"Report year; 0 or absent: last year (whose reports are due this year)" example:"2025"`
}

type cityYearInput struct {
	Year int `path:"year" doc:"Report year" minimum:"2008" maximum:"2200" example:"2026"`
}

type cityDownloadInput struct {
	Year   int    `path:"year" doc:"Report year" minimum:"2008" maximum:"2200" example:"2026"`
	Format string `query:"format" default:"html" enum:"html,xlsx,json" doc:"html: the official layout with the per-bureau annex; xlsx: Tables 2–4 and the annex as sheets; json: the report document schema plus the annex"`
}

type metricsOutput struct {
	Body struct {
		Metrics       []oversight.Metric       `json:"metrics"`
		OutcomeGroups []oversight.OutcomeGroup `json:"outcome_groups" doc:"Table 3 result groups of the outcome mix"`
		RecordKeys    []string                 `json:"record_keys" doc:"Keys accepted by the records operation"`
	}
}

// bureauID resolves the optional bureau query parameter (after the
// service's permission check).
func (s *Server) bureauID(ctx context.Context, slug string) (int64, error) {
	if slug == "" {
		return 0, nil
	}
	b, err := s.deps.Oversight.Bureau(ctx, slug)
	return b.ID, err
}

func (s *Server) yearOr(year, back int) int {
	if year == 0 {
		return s.deps.Oversight.Today().Year - back
	}
	return year
}

func (s *Server) registerOversight() {
	errs := []int{http.StatusUnauthorized, http.StatusForbidden}
	tags := []string{"oversight"}
	ov := s.deps.Oversight
	register(s.API, huma.Operation{
		OperationID: "list-oversight-metrics", Method: http.MethodGet, Path: "/v1/oversight/metrics", Summary: "Metric dictionary",
		Description: "Every figure of the oversight views with its exact definition (what counts, on which dates, how percentiles are computed), in English and Chinese, and the key that lists the records behind it.",
		Tags:        tags, Security: security, Errors: errs,
	}, func(ctx context.Context, _ *struct{}) (*metricsOutput, error) {
		ms, gs, err := ov.Dictionary(ctx)
		if err != nil {
			return nil, err
		}
		out := &metricsOutput{}
		out.Body.Metrics, out.Body.OutcomeGroups, out.Body.RecordKeys = ms, gs, oversight.RecordKeys()
		return out, nil
	})
	register(s.API, huma.Operation{
		OperationID: "get-oversight-dashboard", Method: http.MethodGet, Path: "/v1/oversight/dashboard", Summary: "Cross-bureau dashboard",
		Description: "One row per bureau (the oversight office excluded) with the year's or period's figures — received, closed, open and overdue now, replied on time, median and 90th-percentile working days to reply, extensions, outcome mix, appeals, annual report status — and the city totals. See the metric dictionary for each definition and the records operation for the requests behind each figure.",
		Tags:        tags, Security: security, Errors: errs,
	}, func(ctx context.Context, in *dashboardInput) (*struct{ Body *oversight.Dashboard }, error) {
		from, to, err := periodDates(in.From, in.To)
		if err != nil {
			return nil, err
		}
		d, err := ov.Dashboard(ctx, s.yearOr(in.Year, 0), from, to, in.RollUp)
		if err != nil {
			return nil, err
		}
		if err := oversight.SortRows(d.Rows, in.Sort, in.Desc); err != nil {
			return nil, err
		}
		return &struct{ Body *oversight.Dashboard }{Body: d}, nil
	})
	register(s.API, huma.Operation{
		OperationID: "list-oversight-records", Method: http.MethodGet, Path: "/v1/oversight/records", Summary: "Records behind a figure",
		Description: "The requests (or appeals) counted in one dashboard figure, for a bureau's row or the city totals, a page at a time; total equals the figure. Each record links to the bureau's request (GET /v1/bureaus/{slug}/requests/{id}), which the overseer may read but not change.",
		Tags:        tags, Security: security, Errors: errs,
	}, func(ctx context.Context, in *recordsInput) (*struct{ Body *oversight.Records }, error) {
		from, to, err := periodDates(in.From, in.To)
		if err != nil {
			return nil, err
		}
		id, err := s.bureauID(ctx, in.Bureau)
		if err != nil {
			return nil, err
		}
		rs, err := ov.Records(ctx, id, in.Metric, s.yearOr(in.Year, 0), oversight.RecordOptions{From: from, To: to, RollUp: in.RollUp, Limit: in.Limit, Offset: in.Offset})
		if err != nil {
			return nil, err
		}
		return &struct{ Body *oversight.Records }{Body: rs}, nil
	})
	register(s.API, huma.Operation{
		OperationID: "get-oversight-trends", Method: http.MethodGet, Path: "/v1/oversight/trends", Summary: "Monthly trends",
		Description: "Received and closed per month of the year and of the same months last year, for the city or one bureau.",
		Tags:        tags, Security: security, Errors: errs,
	}, func(ctx context.Context, in *trendsInput) (*struct{ Body *oversight.Trends }, error) {
		id, err := s.bureauID(ctx, in.Bureau)
		if err != nil {
			return nil, err
		}
		t, err := ov.Trends(ctx, s.yearOr(in.Year, 0), id, in.RollUp)
		if err != nil {
			return nil, err
		}
		return &struct{ Body *oversight.Trends }{Body: t}, nil
	})
	register(s.API, huma.Operation{
		OperationID: "get-oversight-trends-chart", Method: http.MethodGet, Path: "/v1/oversight/trends/chart", Summary: "Monthly trend chart (SVG)",
		Description: "The trend of received or closed requests, this year against last year, as an SVG bar chart rendered on the server: readable without JavaScript, printable, with a title, a text description of every value and text labels.",
		Tags:        tags, Security: security, Errors: errs,
		Responses: map[string]*huma.Response{"200": {Description: "An SVG image", Content: map[string]*huma.MediaType{"image/svg+xml": {}}}},
	}, func(ctx context.Context, in *trendsChartInput) (*svgOutput, error) {
		id, err := s.bureauID(ctx, in.Bureau)
		if err != nil {
			return nil, err
		}
		t, err := ov.Trends(ctx, s.yearOr(in.Year, 0), id, in.RollUp)
		if err != nil {
			return nil, err
		}
		svg := t.ReceivedChart()
		if in.Chart == "closed" {
			svg = t.ClosedChart()
		}
		return &svgOutput{ContentType: "image/svg+xml; charset=utf-8", Body: []byte(svg)}, nil
	})
	register(s.API, huma.Operation{
		OperationID: "list-oversight-overdue", Method: http.MethodGet, Path: "/v1/oversight/overdue", Summary: "Overdue requests across the city",
		Description: "Every open or paused request of every bureau past its due date, longest overdue first, with the working days overdue.",
		Tags:        tags, Security: security, Errors: errs,
	}, func(ctx context.Context, _ *struct{}) (*struct{ Body *oversight.OverdueList }, error) {
		l, err := ov.Overdue(ctx)
		if err != nil {
			return nil, err
		}
		return &struct{ Body *oversight.OverdueList }{Body: l}, nil
	})
	register(s.API, huma.Operation{
		OperationID: "list-oversight-report-issues", Method: http.MethodGet, Path: "/v1/oversight/report-issues", Summary: "Annual reports needing action",
		Description: "For a report year: bureaus past their deadline without a submitted report, and bureaus whose Tables 2–4 break an invariant (with the violations).",
		Tags:        tags, Security: security, Errors: errs,
	}, func(ctx context.Context, in *reportIssuesInput) (*struct{ Body *oversight.ReportIssues }, error) {
		r, err := ov.ReportIssues(ctx, s.yearOr(in.Year, 1))
		if err != nil {
			return nil, err
		}
		return &struct{ Body *oversight.ReportIssues }{Body: r}, nil
	})
	register(s.API, huma.Operation{
		OperationID: "get-city-report-tables", Method: http.MethodGet, Path: "/v1/oversight/city-report/{year}/tables", Summary: "City report tables",
		Description: "Tables 2–4 of the city-level annual report: the sum over every bureau and affiliated unit (the oversight office excluded), each bureau's tables (frozen if submitted, else computed) as the annex, and the invariants checked on the sum and on each bureau.",
		Tags:        tags, Security: security, Errors: append(errs, http.StatusNotFound),
	}, func(ctx context.Context, in *cityYearInput) (*struct{ Body *oversight.CityReport }, error) {
		cr, err := ov.CityReport(ctx, in.Year)
		if err != nil {
			return nil, err
		}
		return &struct{ Body *oversight.CityReport }{Body: cr}, nil
	})
	register(s.API, huma.Operation{
		OperationID: "download-city-report", Method: http.MethodGet, Path: "/v1/oversight/city-report/{year}/document", Summary: "Download the city report",
		Description: "The city-level annual report, titled with the oversight office's name: HTML in the official layout (A4 print styles) with the per-bureau annex, XLSX, or JSON.",
		Tags:        tags, Security: security, Errors: append(errs, http.StatusNotFound),
	}, func(ctx context.Context, in *cityDownloadInput) (*downloadOutput, error) {
		cr, err := ov.CityReport(ctx, in.Year)
		if err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		out := &downloadOutput{}
		name := strconv.Itoa(in.Year) + "-city-annual-report"
		switch in.Format {
		case "html", "":
			out.ContentType, err = "text/html; charset=utf-8", cr.WriteHTML(&buf)
			out.ContentDisposition = `inline; filename="` + name + `.html"`
		case "xlsx":
			out.ContentType, err = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", cr.WriteXLSX(&buf)
			out.ContentDisposition = `attachment; filename="` + name + `.xlsx"`
		case "json":
			out.ContentType, err = "application/json", cr.WriteJSON(&buf)
			out.ContentDisposition = `attachment; filename="` + name + `.json"`
		default:
			return nil, fault.Field("format", "must be html, xlsx or json")
		}
		if err != nil {
			return nil, fault.Wrap(err, fault.Internal, "render the city report")
		}
		out.Body = buf.Bytes()
		return out, nil
	})
	s.registerCityReport() // the city report's workflow (cityreport.go)
}
