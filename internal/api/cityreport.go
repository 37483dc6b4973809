package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"gongkai/internal/oversight"
)

// City report workflow operations (Regulations Art. 49–50): the oversight
// office drafts the city-level annual report, edits its narrative and
// publishes it on the public portal (/city/reports) by 31 March. Drafting,
// editing and publishing need "city_report write" outside any bureau (the
// city_overseer role); listing the versions needs the oversight permission.
// None of them changes a bureau's data.

type cityNarrativeInput struct {
	Year int `path:"year" doc:"Report year" minimum:"2008" maximum:"2200" example:"2026"`
	Body struct {
		Narrative map[string]string `json:"narrative" doc:"Sections to replace: overview (一、总体情况), problems (五、存在的主要问题及改进情况), other (六、其他需要报告的事项)"`
	}
}

type cityVersionsInput struct {
	Year int `query:"year" minimum:"0" maximum:"2200" doc:"Report year; 0 or absent: every year" example:"2026"`
}

// registerCityReport registers the city report workflow operations.
func (s *Server) registerCityReport() {
	errs := []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusConflict}
	tags := []string{"oversight"}
	ov := s.deps.Oversight
	type out = struct{ Body *oversight.StoredCityReport }
	register(s.API, huma.Operation{
		OperationID: "create-city-report-draft", Method: http.MethodPost, Path: "/v1/oversight/city-report/{year}/draft", Summary: "Draft the city report",
		Description: "Returns the year's draft, creating it when there is none: the first draft with a narrative generated from the figures, or, after publication, a correction draft (the next version) starting from the published narrative.",
		Tags:        tags, Security: security, Errors: append(errs, http.StatusNotFound),
	}, func(ctx context.Context, in *cityYearInput) (*out, error) {
		r, err := ov.CityDraft(ctx, in.Year)
		if err != nil {
			return nil, err
		}
		return &out{Body: r}, nil
	})
	register(s.API, huma.Operation{
		OperationID: "edit-city-report-narrative", Method: http.MethodPatch, Path: "/v1/oversight/city-report/{year}/narrative", Summary: "Edit the city report narrative",
		Description: "Replaces sections 一 (overview), 五 (problems) and 六 (other) of the year's draft. A published version cannot be edited (409): create a correction draft.",
		Tags:        tags, Security: security, Errors: append(errs, http.StatusUnprocessableEntity),
	}, func(ctx context.Context, in *cityNarrativeInput) (*out, error) {
		r, err := ov.CityEditNarrative(ctx, in.Year, in.Body.Narrative)
		if err != nil {
			return nil, err
		}
		return &out{Body: r}, nil
	})
	register(s.API, huma.Operation{
		OperationID: "publish-city-report", Method: http.MethodPost, Path: "/v1/oversight/city-report/{year}/publish", Summary: "Publish the city report",
		Description: "Freezes the tables (the sum over every bureau and the per-bureau annex) and the document, and publishes the draft on the public portal (/city/reports/{year}). Blocked (409, with the violations as field errors) while an invariant of the city tables or of any bureau's tables is broken. A published version is immutable; a correction is a new version, and publishing it marks the earlier one superseded.",
		Tags:        tags, Security: security, Errors: append(errs, http.StatusNotFound),
	}, func(ctx context.Context, in *cityYearInput) (*out, error) {
		r, err := ov.CityPublish(ctx, in.Year)
		if err != nil {
			return nil, err
		}
		return &out{Body: r}, nil
	})
	register(s.API, huma.Operation{
		OperationID: "list-city-report-versions", Method: http.MethodGet, Path: "/v1/oversight/city-report/versions", Summary: "List the city report versions",
		Description: "Every version of the city report (drafts, published and superseded), newest year and version first.",
		Tags:        tags, Security: security, Errors: []int{http.StatusUnauthorized, http.StatusForbidden},
	}, func(ctx context.Context, in *cityVersionsInput) (*struct{ Body []oversight.StoredCityReport }, error) {
		rs, err := ov.CityVersions(ctx, in.Year)
		if err != nil {
			return nil, err
		}
		return &struct{ Body []oversight.StoredCityReport }{Body: rs}, nil
	})
}
