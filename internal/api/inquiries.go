package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"gongkai/internal/inquiry"
	"gongkai/internal/workday"
)

type inquiryCreateInput struct {
	Slug string `path:"slug" doc:"Slug of the bureau"`
	Body struct {
		Channel      string       `json:"channel" enum:"hotline,online,in_person,letter" doc:"热线, 网上, 当面（阅览室）, 信函"`
		Topic        string       `json:"topic" minLength:"1" maxLength:"200"`
		AskedOn      workday.Date `json:"asked_on"`
		Answered     bool         `json:"answered"`
		Satisfaction *int         `json:"satisfaction,omitempty" minimum:"1" maximum:"5" doc:"1 very dissatisfied … 5 very satisfied"`
	}
}

type inquiryListInput struct {
	Slug  string `path:"slug" doc:"Slug of the bureau"`
	From  string `query:"from" doc:"First day (YYYY-MM-DD)"`
	To    string `query:"to" doc:"Last day (YYYY-MM-DD)"`
	Limit int    `query:"limit" default:"100" minimum:"1" maximum:"500"`
}

type inquiryListOutput struct {
	Body struct {
		Items    []inquiry.Inquiry `json:"items"`
		Total    int               `json:"total" doc:"Inquiries in the period"`
		Answered int               `json:"answered"`
		Rated    int               `json:"rated"`
		// Satisfied counts ratings of 4 or 5.
		Satisfied int            `json:"satisfied" doc:"Ratings of 4 or 5"`
		Channels  map[string]int `json:"by_channel"`
	}
}

func (s *Server) registerInquiries() {
	errs := []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound}
	register(s.API, huma.Operation{
		OperationID: "register-inquiry", Method: http.MethodPost, Path: "/v1/bureaus/{slug}/inquiries", Summary: "Register an inquiry",
		Description: "Records an inquiry (咨询) by hotline, online, in person or letter; the annual report's narrative counts them.",
		Tags:        []string{"inquiries"}, Security: security, DefaultStatus: http.StatusCreated, Errors: errs,
	}, func(ctx context.Context, in *inquiryCreateInput) (*struct{ Body inquiry.Inquiry }, error) {
		b := in.Body
		q, err := s.deps.Inquiries.Register(ctx, tenantFrom(ctx).ID, inquiry.Inquiry{Channel: b.Channel, Topic: b.Topic, AskedOn: b.AskedOn, Answered: b.Answered, Satisfaction: b.Satisfaction})
		if err != nil {
			return nil, err
		}
		return &struct{ Body inquiry.Inquiry }{Body: *q}, nil
	})
	register(s.API, huma.Operation{
		OperationID: "list-inquiries", Method: http.MethodGet, Path: "/v1/bureaus/{slug}/inquiries", Summary: "List inquiries with a summary",
		Description: "The bureau's inquiries of a period, newest first, with counts by channel and satisfaction.",
		Tags:        []string{"inquiries"}, Security: security, Errors: errs,
	}, func(ctx context.Context, in *inquiryListInput) (*inquiryListOutput, error) {
		var from, to workday.Date
		var err error
		if in.From != "" {
			if from, err = workday.ParseDate(in.From); err != nil {
				return nil, err
			}
		}
		if in.To != "" {
			if to, err = workday.ParseDate(in.To); err != nil {
				return nil, err
			}
		}
		t := tenantFrom(ctx)
		items, err := s.deps.Inquiries.List(ctx, t.ID, from, to, in.Limit)
		if err != nil {
			return nil, err
		}
		if !from.Valid() {
			from = workday.Date{Year: 1970, Month: 1, Day: 1}
		}
		if !to.Valid() {
			to = workday.Date{Year: 2200, Month: 12, Day: 31}
		}
		st, err := s.deps.Inquiries.Summary(ctx, t.ID, from, to)
		if err != nil {
			return nil, err
		}
		out := &inquiryListOutput{}
		out.Body.Items = items
		if out.Body.Items == nil {
			out.Body.Items = []inquiry.Inquiry{}
		}
		out.Body.Total, out.Body.Answered, out.Body.Rated, out.Body.Satisfied, out.Body.Channels = st.Total, st.Answered, st.Rated, st.Satisfied, st.ByChannel
		return out, nil
	})
}
