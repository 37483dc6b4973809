package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"gongkai/internal/fault"
	"gongkai/internal/request"
	"gongkai/internal/request/deadline"
	"gongkai/internal/workday"
)

// ApplicantIn is who asks.
type ApplicantIn struct {
	Type      string `json:"type" doc:"Table 3 column" enum:"natural_person,commercial_enterprise,research_institution,public_welfare_organization,legal_service_institution,other_organization"`
	Name      string `json:"name" doc:"Name of the person or organisation" minLength:"1" maxLength:"100"`
	IDDocType string `json:"id_doc_type,omitempty" doc:"Identity document type, e.g. 居民身份证 or 统一社会信用代码" maxLength:"40"`
	IDNumber  string `json:"id_number,omitempty" doc:"Identity document number; stored, always returned masked" maxLength:"40"`
	Phone     string `json:"phone,omitempty" maxLength:"40"`
	Email     string `json:"email,omitempty" maxLength:"200"`
	Address   string `json:"address,omitempty" maxLength:"300"`
}

// RequestIn is a request to register.
type RequestIn struct {
	Channel     string       `json:"channel" doc:"How it arrived; decides the receipt date (Art. 31)" enum:"in_person,registered_post,ordinary_letter,fax,email,online,phone_record"`
	ArrivedOn   workday.Date `json:"arrived_on" doc:"Day it arrived (handed in, signed for, received by the mail system)"`
	ConfirmedOn workday.Date `json:"confirmed_on,omitzero" doc:"Day of confirmation: required for ordinary_letter, fax and online, where it is the receipt date"`
	Applicant   ApplicantIn  `json:"applicant"`
	Content     string       `json:"content" doc:"The information requested" minLength:"1" maxLength:"5000"`
	Purpose     string       `json:"purpose,omitempty" maxLength:"1000"`
	Form        string       `json:"form,omitempty" doc:"Preferred form (paper, electronic ...)" maxLength:"100"`
	Delivery    string       `json:"delivery,omitempty" doc:"Preferred delivery (post, e-mail, collect in person ...)" maxLength:"100"`
}

func (in RequestIn) domain() request.NewRequest {
	a := in.Applicant
	return request.NewRequest{Channel: in.Channel, ArrivedOn: in.ArrivedOn, ConfirmedOn: in.ConfirmedOn, Content: in.Content,
		Purpose: in.Purpose, Form: in.Form, Delivery: in.Delivery,
		Applicant: request.Applicant{Type: a.Type, Name: a.Name, IDDocType: a.IDDocType, IDNumber: a.IDNumber, Phone: a.Phone, Email: a.Email, Address: a.Address}}
}

// RequestOut is a request as integrators see it.
type RequestOut struct {
	ID            int64        `json:"id"`
	TrackingCode  string       `json:"tracking_code" doc:"Code the applicant uses to track the request"`
	Channel       string       `json:"channel"`
	ArrivedOn     workday.Date `json:"arrived_on"`
	ReceivedOn    workday.Date `json:"received_on,omitzero" doc:"Receipt date (Art. 31); absent while awaiting confirmation"`
	State         string       `json:"state" enum:"submitted,open,paused,replied,closed,lapsed"`
	DueOn         workday.Date `json:"due_on,omitzero" doc:"Reply deadline (cached; see the request's deadline for the explanation)"`
	Outcome       string       `json:"outcome,omitempty" doc:"Table 3 result row code"`
	RepliedOn     workday.Date `json:"replied_on,omitzero"`
	ApplicantType string       `json:"applicant_type"`
	ApplicantName string       `json:"applicant_name"`
	IDNumber      string       `json:"id_number,omitempty" doc:"Masked"`
	Content       string       `json:"content"`
	HandlerID     *int64       `json:"handler_id,omitempty"`
	UpdatedAt     time.Time    `json:"updated_at"`
}

func requestOut(r request.Request) RequestOut {
	return RequestOut{ID: r.ID, TrackingCode: r.TrackingCode, Channel: r.Channel, ArrivedOn: r.ArrivedOn, ReceivedOn: r.ReceivedOn,
		State: r.State, DueOn: r.DueOn, Outcome: r.Outcome, RepliedOn: r.RepliedOn, ApplicantType: r.ApplicantType,
		ApplicantName: r.ApplicantName, IDNumber: r.IDMasked, Content: r.Content, HandlerID: r.HandlerID, UpdatedAt: r.UpdatedAt.UTC()}
}

// EventOut is one entry of a request's log.
type EventOut struct {
	Kind       string       `json:"kind"`
	On         workday.Date `json:"on"`
	Days       int          `json:"days,omitempty"`
	AmountYuan int          `json:"amount_yuan,omitempty" doc:"Fee of a fee notice"`
	Reason     string       `json:"reason,omitempty"`
	ActorName  string       `json:"actor_name"`
	CreatedAt  time.Time    `json:"created_at"`
}

// RequestDetailOut is a request with its log and its explained deadline.
type RequestDetailOut struct {
	Request  RequestOut      `json:"request"`
	Events   []EventOut      `json:"events"`
	Deadline deadline.Result `json:"deadline"`
	Allowed  []string        `json:"allowed_actions" doc:"Action kinds the state machine allows next"`
}

type registerInput struct {
	Slug           string `path:"slug" doc:"Slug of the bureau"`
	IdempotencyKey string `header:"Idempotency-Key" doc:"Registering twice with the same key returns the first registration" maxLength:"100"`
	Body           RequestIn
}

type requestOutput struct {
	Body RequestOut
}

type listRequestsInput struct {
	Slug          string    `path:"slug" doc:"Slug of the bureau"`
	State         []string  `query:"state" doc:"Only these states" enum:"submitted,open,paused,replied,closed,lapsed"`
	Channel       string    `query:"channel"`
	ApplicantType string    `query:"applicant_type"`
	UpdatedSince  time.Time `query:"updated_since" doc:"Only requests changed after this time (for synchronisation)"`
	Limit         int       `query:"limit" default:"50" minimum:"1" maximum:"500"`
	Offset        int       `query:"offset" minimum:"0"`
	IncludeTotal  bool      `query:"include_total" doc:"Also count every matching request (slower on large bureaus)"`
}

type listRequestsOutput struct {
	Body struct {
		Items   []RequestOut `json:"items"`
		HasMore bool         `json:"has_more" doc:"Another page follows (offset + limit)"`
		Total   *int         `json:"total,omitempty" doc:"Every matching request; only with include_total"`
	}
}

// applicantDataInput names the applicant by identity document.
type applicantDataInput struct {
	Slug string `path:"slug" doc:"Slug of the bureau"`
	Body struct {
		IDDocType string `json:"id_doc_type" maxLength:"20" doc:"Identity document type as registered (e.g. 身份证)"`
		IDNumber  string `json:"id_number" minLength:"1" maxLength:"40" doc:"Identity document number"`
	}
}

// feeQuoteInput chooses the fee basis and the units charged.
type feeQuoteInput struct {
	Slug  string `path:"slug" doc:"Slug of the bureau"`
	ID    int64  `path:"id" doc:"Request id"`
	Basis string `query:"basis" enum:"items,pages" default:"items" doc:"items (按件计收) or pages (按量计收)"`
	Units int    `query:"units" default:"1" minimum:"1" maximum:"1000000" doc:"items of this request (usually 1) or its pages"`
}

type requestIDInput struct {
	Slug string `path:"slug" doc:"Slug of the bureau"`
	ID   int64  `path:"id" doc:"Request id"`
}

type actionInput struct {
	Slug string `path:"slug" doc:"Slug of the bureau"`
	ID   int64  `path:"id" doc:"Request id"`
	Body struct {
		Kind string       `json:"kind" doc:"The action" enum:"received,supplement_requested,supplement_received,supplement_lapsed,consultation_started,consultation_ended,extended,fee_notified,fee_paid,fee_lapsed,closed,reopened"`
		On   workday.Date `json:"on" doc:"The day it happened"`
		Days int          `json:"days,omitempty" doc:"Extension length in working days (at most 20, Art. 33)" minimum:"0" maximum:"60"`
		// AmountYuan is the fee of a fee notice.
		AmountYuan int    `json:"amount_yuan,omitempty" doc:"Fee in yuan; required for fee_notified (国办函〔2020〕109号)" minimum:"0" maximum:"10000000"`
		Reason     string `json:"reason,omitempty" doc:"Reason; required for an extension" maxLength:"1000"`
	}
}

type replyInput struct {
	Slug string `path:"slug" doc:"Slug of the bureau"`
	ID   int64  `path:"id" doc:"Request id"`
	Body struct {
		On       workday.Date `json:"on" doc:"Day of the reply"`
		Outcome  string       `json:"outcome" doc:"Table 3 result row" enum:"granted,partially_granted,refused_state_secret,refused_prohibited_by_law,refused_security_stability,refused_third_party,refused_internal_affairs,refused_process_information,refused_enforcement_file,refused_administrative_inquiry,unavailable_not_held,unavailable_needs_creation,unavailable_unclear_after_supplement,not_processed_petition,not_processed_repeated,not_processed_publication,not_processed_excessive,not_processed_confirmation,other"`
		Basis    string       `json:"basis,omitempty" doc:"Legal basis; required for refusals and partial disclosure" maxLength:"2000"`
		Withheld string       `json:"withheld,omitempty" doc:"What was withheld and why; required for partial disclosure (Art. 37)" maxLength:"2000"`
		Text     string       `json:"text,omitempty" doc:"The reply as sent" maxLength:"20000"`
	}
}

type handlerInput struct {
	Slug string `path:"slug" doc:"Slug of the bureau"`
	ID   int64  `path:"id" doc:"Request id"`
	Body struct {
		Username string `json:"username" doc:"Member of the bureau who handles the request" minLength:"1" maxLength:"40"`
	}
}

type publicSubmitInput struct {
	Slug string `path:"slug" doc:"Slug of the bureau"`
	Body struct {
		Applicant ApplicantIn `json:"applicant"`
		Content   string      `json:"content" minLength:"1" maxLength:"5000"`
		Purpose   string      `json:"purpose,omitempty" maxLength:"1000"`
		Form      string      `json:"form,omitempty" maxLength:"100"`
		Delivery  string      `json:"delivery,omitempty" maxLength:"100"`
	}
}

type trackingInput struct {
	Code string `path:"code" doc:"Tracking code" example:"GK-ABCDE-FGHJK"`
}

// TrackingOut is what the applicant sees.
type TrackingOut struct {
	TrackingCode string       `json:"tracking_code"`
	State        string       `json:"state"`
	ReceivedOn   workday.Date `json:"received_on,omitzero"`
	DueOn        workday.Date `json:"due_on,omitzero"`
	RepliedOn    workday.Date `json:"replied_on,omitzero"`
	Outcome      string       `json:"outcome,omitempty"`
	Reply        string       `json:"reply,omitempty"`
	Explanation  []string     `json:"explanation,omitempty"`
}

func detailOut(d *request.Detail) RequestDetailOut {
	out := RequestDetailOut{Request: requestOut(d.Request), Deadline: d.Deadline, Events: []EventOut{}, Allowed: []string{}}
	for _, e := range d.Events {
		out.Events = append(out.Events, EventOut{Kind: string(e.Kind), On: e.Day, Days: e.Days, AmountYuan: e.AmountYuan, Reason: e.Reason, ActorName: e.ActorName, CreatedAt: e.CreatedAt.UTC()})
	}
	for _, k := range d.Allowed {
		out.Allowed = append(out.Allowed, string(k))
	}
	return out
}

func (s *Server) registerRequests() {
	errs := []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound}
	register(s.API, huma.Operation{
		OperationID: "register-request", Method: http.MethodPost, Path: "/v1/bureaus/{slug}/requests", Summary: "Register a disclosure request",
		Description: "Records a request received by the bureau. The receipt date follows the channel (Art. 31): the arrival day, or the confirmation day for ordinary letters, faxes and online forms. Send an Idempotency-Key to make retries safe.",
		Tags:        []string{"requests"}, Security: security, DefaultStatus: http.StatusCreated, Errors: errs,
	}, func(ctx context.Context, in *registerInput) (*requestOutput, error) {
		nr := in.Body.domain()
		nr.IdempotencyKey = in.IdempotencyKey
		r, _, err := s.deps.Requests.Register(ctx, tenantFrom(ctx).ID, nr)
		if err != nil {
			return nil, err
		}
		return &requestOutput{Body: requestOut(*r)}, nil
	})
	register(s.API, huma.Operation{
		OperationID: "list-requests", Method: http.MethodGet, Path: "/v1/bureaus/{slug}/requests", Summary: "List disclosure requests",
		Description: "The bureau's requests, soonest due first. Use updated_since to synchronise.",
		Tags:        []string{"requests"}, Security: security, Errors: errs,
	}, func(ctx context.Context, in *listRequestsInput) (*listRequestsOutput, error) {
		page, err := s.deps.Requests.List(ctx, tenantFrom(ctx).ID, request.Filter{States: in.State, Channel: in.Channel,
			ApplicantType: in.ApplicantType, UpdatedSince: in.UpdatedSince, Limit: in.Limit, Offset: in.Offset, WithTotal: in.IncludeTotal})
		if err != nil {
			return nil, err
		}
		out := &listRequestsOutput{}
		out.Body.HasMore = page.HasMore
		if page.Total >= 0 {
			out.Body.Total = &page.Total
		}
		out.Body.Items = make([]RequestOut, 0, len(page.Items))
		for _, r := range page.Items {
			out.Body.Items = append(out.Body.Items, requestOut(r))
		}
		return out, nil
	})
	register(s.API, huma.Operation{
		OperationID: "get-request", Method: http.MethodGet, Path: "/v1/bureaus/{slug}/requests/{id}", Summary: "Get a disclosure request",
		Description: "A request with its event log, its due date explained step by step, and the actions allowed next.",
		Tags:        []string{"requests"}, Security: security, Errors: errs,
	}, func(ctx context.Context, in *requestIDInput) (*struct{ Body RequestDetailOut }, error) {
		d, err := s.deps.Requests.Get(ctx, tenantFrom(ctx).ID, in.ID)
		if err != nil {
			return nil, err
		}
		return &struct{ Body RequestDetailOut }{Body: detailOut(d)}, nil
	})
	register(s.API, huma.Operation{
		OperationID: "act-on-request", Method: http.MethodPost, Path: "/v1/bureaus/{slug}/requests/{id}/actions", Summary: "Record an action on a request",
		Description: "Confirms receipt, requests or receives a supplement (Art. 30), starts or ends a consultation (Art. 32, 34), extends (Art. 33, once, at most 20 working days), sends a fee notice or records payment, closes or reopens. An action the current state does not allow answers 409 naming the state and the allowed actions.",
		Tags:        []string{"requests"}, Security: security, Errors: append(errs, http.StatusConflict),
	}, func(ctx context.Context, in *actionInput) (*requestOutput, error) {
		r, err := s.deps.Requests.Act(ctx, tenantFrom(ctx).ID, in.ID, request.Action{Kind: deadline.EventKind(in.Body.Kind), On: in.Body.On, Days: in.Body.Days, Reason: in.Body.Reason, AmountYuan: in.Body.AmountYuan})
		if err != nil {
			return nil, err
		}
		return &requestOutput{Body: requestOut(*r)}, nil
	})
	register(s.API, huma.Operation{
		OperationID: "reply-to-request", Method: http.MethodPost, Path: "/v1/bureaus/{slug}/requests/{id}/reply", Summary: "Reply to a request",
		Description: "Records the reply and its one outcome, a row of Table 3 of the annual report. Refusals need their legal basis; partial disclosure records what was withheld (Art. 37).",
		Tags:        []string{"requests"}, Security: security, Errors: append(errs, http.StatusConflict),
	}, func(ctx context.Context, in *replyInput) (*requestOutput, error) {
		b := in.Body
		r, err := s.deps.Requests.Reply(ctx, tenantFrom(ctx).ID, in.ID, request.Reply{On: b.On, Outcome: b.Outcome, Basis: b.Basis, Withheld: b.Withheld, Text: b.Text})
		if err != nil {
			return nil, err
		}
		return &requestOutput{Body: requestOut(*r)}, nil
	})
	register(s.API, huma.Operation{
		OperationID: "quote-request-fee", Method: http.MethodGet, Path: "/v1/bureaus/{slug}/requests/{id}/fee-quote", Summary: "Compute the information processing fee",
		Description: "The fee (信息处理费) of a request under the city's tiers (国办函〔2020〕109号), with the reckoning: by items (按件计收, the applicant's requests received earlier in the same calendar month by this bureau count first) or by pages (按量计收). It records nothing; send the amount with a fee_notified action.",
		Tags:        []string{"requests"}, Security: security, Errors: append(errs, http.StatusConflict),
	}, func(ctx context.Context, in *feeQuoteInput) (*struct{ Body request.FeeQuote }, error) {
		q, err := s.deps.Requests.QuoteFee(ctx, tenantFrom(ctx).ID, in.ID, in.Basis, in.Units)
		if err != nil {
			return nil, err
		}
		return &struct{ Body request.FeeQuote }{Body: *q}, nil
	})
	register(s.API, huma.Operation{
		OperationID: "export-applicant-data", Method: http.MethodPost, Path: "/v1/bureaus/{slug}/applicant-data", Summary: "Export one applicant's data",
		Description: "Everything the bureau holds about one applicant, found by the identity document they gave: each request with the personal data in the clear and the letters sent (个人信息保护法 Art. 45). Bureau admins only; every export is recorded in the audit trail. POST, so the number stays out of URLs and logs.",
		Tags:        []string{"requests"}, Security: security, Errors: errs,
	}, func(ctx context.Context, in *applicantDataInput) (*struct{ Body request.ApplicantData }, error) {
		d, err := s.deps.Requests.ApplicantData(ctx, tenantFrom(ctx).ID, in.Body.IDDocType, in.Body.IDNumber)
		if err != nil {
			return nil, err
		}
		return &struct{ Body request.ApplicantData }{Body: *d}, nil
	})
	register(s.API, huma.Operation{
		OperationID: "assign-request", Method: http.MethodPut, Path: "/v1/bureaus/{slug}/requests/{id}/handler", Summary: "Assign a handler",
		Description: "Makes a member of the bureau the handler of the request.",
		Tags:        []string{"requests"}, Security: security, DefaultStatus: http.StatusNoContent, Errors: errs,
	}, func(ctx context.Context, in *handlerInput) (*struct{}, error) {
		u, err := s.deps.Identity.UserByUsername(ctx, in.Body.Username)
		if err != nil {
			return nil, err
		}
		return nil, s.deps.Requests.Assign(ctx, tenantFrom(ctx).ID, in.ID, u.ID)
	})
	register(s.API, huma.Operation{
		OperationID: "submit-public-request", Method: http.MethodPost, Path: "/v1/bureaus/{slug}/public-requests", Summary: "Apply online (public)",
		Description: "A citizen's online application; no account needed. It waits for the bureau to confirm receipt, and the confirmation day is the receipt date (Art. 31). Returns the tracking code.",
		Tags:        []string{"public"}, DefaultStatus: http.StatusCreated, Errors: []int{http.StatusNotFound, http.StatusTooManyRequests},
	}, func(ctx context.Context, in *publicSubmitInput) (*struct{ Body TrackingOut }, error) {
		if !s.submissions.Allow(clientIPFrom(ctx), time.Now()) {
			return nil, fault.New(fault.TooMany, "too many applications from your address; try again in 10 minutes")
		}
		b := in.Body
		r, err := s.deps.Requests.Submit(ctx, tenantFrom(ctx).ID, RequestIn{Channel: "online", Applicant: b.Applicant, Content: b.Content, Purpose: b.Purpose, Form: b.Form, Delivery: b.Delivery}.domain())
		if err != nil {
			return nil, err
		}
		return &struct{ Body TrackingOut }{Body: TrackingOut{TrackingCode: r.TrackingCode, State: r.State}}, nil
	})
	register(s.API, huma.Operation{
		OperationID: "track-request", Method: http.MethodGet, Path: "/v1/tracking/{code}", Summary: "Track a request (public)",
		Description: "Status, due date and, once sent, the reply of a request, by its tracking code. Nothing personal is returned.",
		Tags:        []string{"public"}, Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *trackingInput) (*struct{ Body TrackingOut }, error) {
		st, err := s.deps.Requests.Track(ctx, in.Code)
		if err != nil {
			return nil, err
		}
		return &struct{ Body TrackingOut }{Body: TrackingOut{TrackingCode: st.TrackingCode, State: st.State, ReceivedOn: st.ReceivedOn, DueOn: st.DueOn,
			RepliedOn: st.RepliedOn, Outcome: st.Outcome, Reply: st.ReplyText, Explanation: st.Explanation}}, nil
	})
	register(s.API, huma.Operation{
		OperationID: "reveal-request-id-number", Method: http.MethodPost, Path: "/v1/bureaus/{slug}/requests/{id}/reveal-id-number", Summary: "See the full identity number",
		Description: "Returns the applicant's identity document number unmasked. Only the request's handler or a bureau admin may; every view is recorded in the audit trail.",
		Tags:        []string{"requests"}, Security: security, Errors: errs,
	}, func(ctx context.Context, in *requestIDInput) (*struct {
		Body struct {
			IDNumber string `json:"id_number"`
		}
	}, error) {
		id, err := s.deps.Requests.RevealID(ctx, tenantFrom(ctx).ID, in.ID)
		if err != nil {
			return nil, err
		}
		out := &struct {
			Body struct {
				IDNumber string `json:"id_number"`
			}
		}{}
		out.Body.IDNumber = id
		return out, nil
	})
	register(s.API, huma.Operation{
		OperationID: "propose-catalog-item-from-request", Method: http.MethodPost, Path: "/v1/bureaus/{slug}/requests/{id}/catalog-item",
		Summary:     "Propose a catalog item from a reply (依申请转主动)",
		Description: "Drafts a catalog item from a request whose reply disclosed information (Art. 44), prefilled from the request; it then goes through confidentiality review like any draft.",
		Tags:        []string{"requests", "catalog"}, Security: security, DefaultStatus: http.StatusCreated, Errors: append(errs, http.StatusConflict),
	}, func(ctx context.Context, in *proposeInput) (*struct{ Body CatalogItemRef }, error) {
		t := tenantFrom(ctx)
		d, err := s.deps.Requests.Get(ctx, t.ID, in.ID)
		if err != nil {
			return nil, err
		}
		it, err := s.deps.Catalog.ProposeFromRequest(ctx, t.ID, &d.Request, in.Body.Category)
		if err != nil {
			return nil, err
		}
		return &struct{ Body CatalogItemRef }{Body: CatalogItemRef{ID: it.ID, Title: it.Title, State: string(it.State)}}, nil
	})
	s.registerCalendar()
}

type proposeInput struct {
	Slug string `path:"slug" doc:"Slug of the bureau"`
	ID   int64  `path:"id" doc:"Request id"`
	Body struct {
		Category string `json:"category" doc:"Catalog category code for the item" minLength:"1" maxLength:"100"`
	}
}

// CatalogItemRef names a catalog item created from a request.
type CatalogItemRef struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
	State string `json:"state"`
}

type calendarDayInput struct {
	Day  string `path:"day" doc:"The day (YYYY-MM-DD)" example:"2026-10-09"`
	Body struct {
		Working bool   `json:"working" doc:"true: a working day (e.g. a make-up working Saturday); false: a rest day"`
		Reason  string `json:"reason" doc:"The notice or local rule" minLength:"1" maxLength:"500"`
	}
}

// CalendarDayOut is one stored correction of the calendar.
type CalendarDayOut struct {
	Day       workday.Date `json:"day"`
	Working   bool         `json:"working"`
	Reason    string       `json:"reason"`
	CreatedBy string       `json:"created_by"`
	CreatedAt time.Time    `json:"created_at"`
}

type dueDateInput struct {
	From string `query:"from" required:"true" doc:"Start date (YYYY-MM-DD); counting starts the next day" example:"2026-02-13"`
	Days int    `query:"days" required:"true" minimum:"0" maximum:"400" doc:"Working days to add" example:"20"`
}

type dueDateOutput struct {
	Body struct {
		Due             workday.Date `json:"due"`
		Explanation     []string     `json:"explanation"`
		CalendarVersion string       `json:"calendar_version"`
	}
}

func (s *Server) registerCalendar() {
	register(s.API, huma.Operation{
		OperationID: "list-calendar-days", Method: http.MethodGet, Path: "/v1/calendar/days", Summary: "List calendar corrections",
		Description: "Corrections of the national working-day schedule and the city's local rest days, with who set them and why.",
		Tags:        []string{"calendar"},
	}, func(ctx context.Context, _ *struct{}) (*struct{ Body []CalendarDayOut }, error) {
		rows, err := s.deps.Calendar.List(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]CalendarDayOut, 0, len(rows))
		for _, r := range rows {
			out = append(out, CalendarDayOut{Day: r.Day, Working: r.Working, Reason: r.Reason, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC()})
		}
		return &struct{ Body []CalendarDayOut }{Body: out}, nil
	})
	register(s.API, huma.Operation{
		OperationID: "set-calendar-day", Method: http.MethodPut, Path: "/v1/calendar/days/{day}", Summary: "Set a working or rest day",
		Description: "Platform administrators record a new State Council notice or a local rest day. Every running deadline is recomputed.",
		Tags:        []string{"calendar"}, Security: security, Errors: []int{http.StatusUnauthorized, http.StatusForbidden},
	}, func(ctx context.Context, in *calendarDayInput) (*struct{ Body CalendarDayOut }, error) {
		day, err := workday.ParseDate(in.Day)
		if err != nil {
			return nil, err
		}
		r, err := s.deps.Calendar.Set(ctx, day, in.Body.Working, in.Body.Reason)
		if err != nil {
			return nil, err
		}
		return &struct{ Body CalendarDayOut }{Body: CalendarDayOut{Day: r.Day, Working: r.Working, Reason: r.Reason, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt}}, nil
	})
	register(s.API, huma.Operation{
		OperationID: "compute-due-date", Method: http.MethodGet, Path: "/v1/calendar/due-date", Summary: "Add working days to a date",
		Description: "The working-day calculator: from + days working days (counting starts the day after from), with the explanation.",
		Tags:        []string{"calendar"},
	}, func(ctx context.Context, in *dueDateInput) (*dueDateOutput, error) {
		from, err := workday.ParseDate(in.From)
		if err != nil {
			return nil, err
		}
		cal, err := s.deps.Calendar.Calendar(ctx)
		if err != nil {
			return nil, err
		}
		due, lines, err := cal.ExplainAdd(from, in.Days)
		if err != nil {
			return nil, err
		}
		out := &dueDateOutput{}
		out.Body.Due, out.Body.Explanation, out.Body.CalendarVersion = due, lines, cal.Version()
		return out, nil
	})
}
