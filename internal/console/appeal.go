package console

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gongkai/internal/appeal"
	"gongkai/internal/fault"
	"gongkai/internal/inquiry"
	"gongkai/internal/workday"
)

// appealRoutes registers the pages of reconsideration and litigation cases
// (行政复议、行政诉讼, Table 4 of the annual report, Art. 51 of the
// Regulations) and of the inquiry register (咨询登记).
func (h *handler) appealRoutes(bureau route) {
	bureau("GET /console/{bureau}/appeals", h.appeals)
	bureau("POST /console/{bureau}/appeals", h.registerAppeal)
	bureau("GET /console/{bureau}/appeals/{id}", h.appealCase)
	bureau("POST /console/{bureau}/appeals/{id}/decision", h.decideAppeal)
	bureau("GET /console/{bureau}/inquiries", h.inquiries)
	bureau("POST /console/{bureau}/inquiries", h.registerInquiry)
}

// appealMessages are the appeal and inquiry services' messages, shown in
// the page's language; the submatches fill {1}, {2}, ...
var appealMessages = []serviceMessage{
	{regexp.MustCompile(`^is required$`), "appeal.err.required"},
	{regexp.MustCompile(`^is required: the reconsideration body or the court$`), "appeal.err.body"},
	{regexp.MustCompile(`^must be reconsideration, litigation_direct or litigation_after_reconsideration$`), "appeal.err.kind"},
	{regexp.MustCompile(`^no such request in this bureau$`), "appeal.err.request"},
	{regexp.MustCompile(`^case (.+) is already registered$`), "appeal.err.duplicate"},
	{regexp.MustCompile(`^must be upheld, corrected or other$`), "appeal.err.outcome"},
	{regexp.MustCompile(`^cannot be before the filing date (\S+)$`), "appeal.err.before_filed"},
	{regexp.MustCompile(`^case (.+) is already decided`), "appeal.err.decided"},
	{regexp.MustCompile(`^must be hotline, online, in_person or letter$`), "inquiry.err.channel"},
	{regexp.MustCompile(`^is required, at most 200 characters$`), "inquiry.err.topic"},
	{regexp.MustCompile(`^must be from 1 \(very dissatisfied\) to 5 \(very satisfied\)$`), "inquiry.err.satisfaction"},
}

// appealMsg returns a service message in the page's language.
func appealMsg(p *page, msg string) string {
	for _, sm := range appealMessages {
		sub := sm.pattern.FindStringSubmatch(msg)
		if sub == nil {
			continue
		}
		vars := make([]string, 0, 2*len(sub))
		for i, v := range sub[1:] {
			vars = append(vars, strconv.Itoa(i+1), v)
		}
		return p.h.messages.Fill(p.Locale, sm.key, vars...)
	}
	return p.Msg(msg)
}

// appealFormError shows err with the form, as formError does, with the
// appeal and inquiry messages translated.
func appealFormError(p *page, err error) bool {
	if fields := fault.FieldsOf(err); len(fields) > 0 {
		for _, f := range fields {
			p.Errors[f.Field] = appealMsg(p, f.Message)
		}
		p.General = p.T("error.fix")
		return true
	}
	if fault.Is(err, fault.Forbidden) || fault.Is(err, fault.Conflict) || fault.Is(err, fault.Invalid) {
		p.General = appealMsg(p, fault.MessageOf(err))
		return true
	}
	return false
}

// appealRow is a case in the list, with its request's tracking code.
type appealRow struct {
	appeal.Case
	TrackingCode string
	Request      int64 // the request's id, 0 when none
}

type appealForm struct {
	CaseNo, Request, Body, Kind, FiledOn, Note string
}

type appealsData struct {
	Rows                []appealRow
	Year, Kind, Outcome string
	Years               []int
	Kinds, Outcomes     []string
	Form                appealForm
	CanWrite            bool
}

// appeals lists the bureau's cases, filtered by the year filed, kind and
// outcome, with the form that registers a case.
func (h *handler) appeals(w http.ResponseWriter, r *http.Request, p *page) {
	today := workday.FromTime(h.deps.Now(), h.deps.Location)
	h.renderAppeals(w, r, p, http.StatusOK, appealForm{Kind: appeal.Reconsideration, FiledOn: today.String()})
}

func (h *handler) renderAppeals(w http.ResponseWriter, r *http.Request, p *page, status int, form appealForm) {
	p.Area, p.Title = "appeals", p.T("nav.appeals")
	q := r.URL.Query()
	d := appealsData{Year: q.Get("year"), Kind: q.Get("kind"), Outcome: q.Get("outcome"), Kinds: appeal.Kinds, Outcomes: appeal.Outcomes,
		Form: form, CanWrite: p.Can("appeal", "write")}
	cases, err := h.deps.Appeals.List(r.Context(), p.Bureau.ID)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	years := []int{workday.FromTime(h.deps.Now(), h.deps.Location).Year}
	var ids []int64
	for _, c := range cases {
		if !slices.Contains(years, c.FiledOn.Year) {
			years = append(years, c.FiledOn.Year)
		}
		if (d.Year != "" && strconv.Itoa(c.FiledOn.Year) != d.Year) || (d.Kind != "" && c.Kind != d.Kind) || (d.Outcome != "" && c.Outcome != d.Outcome) {
			continue
		}
		d.Rows = append(d.Rows, appealRow{Case: c})
		if c.RequestID != nil {
			ids = append(ids, *c.RequestID)
		}
	}
	slices.Sort(years)
	slices.Reverse(years)
	d.Years = years
	codes, err := h.deps.Appeals.RequestCodes(r.Context(), p.Bureau.ID, ids)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	for i, row := range d.Rows {
		if row.RequestID != nil {
			d.Rows[i].TrackingCode, d.Rows[i].Request = codes[*row.RequestID], *row.RequestID
		}
	}
	p.Data = d
	h.render(w, r, status, "appeals", p)
}

// registerAppeal registers a case, pending; the related request is named
// by its tracking code or number.
func (h *handler) registerAppeal(w http.ResponseWriter, r *http.Request, p *page) {
	f := appealForm{CaseNo: r.PostFormValue("case_no"), Request: strings.TrimSpace(r.PostFormValue("request_id")), Body: r.PostFormValue("body"),
		Kind: r.PostFormValue("kind"), FiledOn: r.PostFormValue("filed_on"), Note: r.PostFormValue("note")}
	in := appeal.NewCase{CaseNo: f.CaseNo, Body: f.Body, Kind: f.Kind, FiledOn: parseDate(f.FiledOn), Note: f.Note}
	var err error
	if f.Request != "" {
		var ref appeal.RequestRef
		if ref, err = h.deps.Appeals.FindRequest(r.Context(), p.Bureau.ID, f.Request); err == nil {
			in.RequestID = ref.ID
		}
	}
	var c *appeal.Case
	if err == nil {
		c, err = h.deps.Appeals.Create(r.Context(), p.Bureau.ID, in)
	}
	if err == nil {
		h.flash(w, r, p.Base()+"/appeals/"+strconv.FormatInt(c.ID, 10), "flash.appeal_registered", c.CaseNo)
		return
	}
	if !appealFormError(p, err) {
		h.fail(w, r, p, err)
		return
	}
	h.renderAppeals(w, r, p, fault.HTTPStatus(err), f)
}

type appealCaseData struct {
	Case         *appeal.Case
	TrackingCode string
	Request      int64 // the request's id, 0 when none
	Decisions    []string
	Form         struct{ Outcome, DecidedOn, Note string }
	CanWrite     bool
}

// appealCase shows one case, with the form that records its outcome while
// it is pending.
func (h *handler) appealCase(w http.ResponseWriter, r *http.Request, p *page) {
	d, ok := h.loadAppeal(w, r, p)
	if !ok {
		return
	}
	d.Form.DecidedOn = workday.FromTime(h.deps.Now(), h.deps.Location).String()
	d.Form.Outcome = appeal.Upheld
	p.Data = d
	h.render(w, r, http.StatusOK, "appeal", p)
}

func (h *handler) loadAppeal(w http.ResponseWriter, r *http.Request, p *page) (*appealCaseData, bool) {
	p.Area = "appeals"
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.fail(w, r, p, fault.New(fault.NotFound, "appeal not found"))
		return nil, false
	}
	c, err := h.deps.Appeals.Get(r.Context(), p.Bureau.ID, id)
	if err != nil {
		h.fail(w, r, p, err)
		return nil, false
	}
	d := &appealCaseData{Case: c, Decisions: []string{appeal.Upheld, appeal.Corrected, appeal.Other}, CanWrite: p.Can("appeal", "write")}
	if c.RequestID != nil {
		codes, err := h.deps.Appeals.RequestCodes(r.Context(), p.Bureau.ID, []int64{*c.RequestID})
		if err != nil {
			h.fail(w, r, p, err)
			return nil, false
		}
		d.TrackingCode, d.Request = codes[*c.RequestID], *c.RequestID
	}
	p.Title = c.CaseNo
	p.Crumbs = []crumb{{Name: p.T("nav.appeals"), URL: p.Base() + "/appeals"}, {Name: c.CaseNo}}
	return d, true
}

// decideAppeal records a case's outcome; a correction re-opens the related
// request (appeal.Service.Decide).
func (h *handler) decideAppeal(w http.ResponseWriter, r *http.Request, p *page) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	outcome, on, note := r.PostFormValue("outcome"), r.PostFormValue("decided_on"), r.PostFormValue("note")
	c, err := h.deps.Appeals.Decide(r.Context(), p.Bureau.ID, id, outcome, parseDate(on), note)
	if err == nil {
		h.flash(w, r, p.Base()+"/appeals/"+strconv.FormatInt(c.ID, 10), "flash.appeal_decided", c.CaseNo)
		return
	}
	if fault.Is(err, fault.NotFound) || !appealFormError(p, err) {
		h.fail(w, r, p, err)
		return
	}
	d, ok := h.loadAppeal(w, r, p)
	if !ok {
		return
	}
	d.Form.Outcome, d.Form.DecidedOn, d.Form.Note = outcome, on, note
	p.Data = d
	h.render(w, r, fault.HTTPStatus(err), "appeal", p)
}

// inquiriesShown is how many inquiries the list shows, newest first.
const inquiriesShown = 200

type inquiryForm struct {
	Channel, Topic, AskedOn, Satisfaction string
	Answered                              bool
}

// inquiryRow is an inquiry in the list; Rating is its satisfaction, "" when
// not rated.
type inquiryRow struct {
	inquiry.Inquiry
	Rating string
}

type inquiriesData struct {
	From, To workday.Date
	Items    []inquiryRow
	Stats    inquiry.Stats
	// Rate is the satisfaction rate in percent (ratings of 4 or 5 among
	// the rated), as the report's narrative states it; -1 when none rated.
	Rate     int
	Channels []string
	// Shown is how many of the period's inquiries the list shows (the
	// newest); the summary counts them all.
	Shown    int
	Form     inquiryForm
	CanWrite bool
}

// ChannelCount is the number of inquiries of a channel in the period.
func (d inquiriesData) ChannelCount(channel string) int { return d.Stats.ByChannel[channel] }

// inquiries lists the inquiries of a period (this year by default) with
// their summary — count, answered, satisfaction rate — and the register
// form.
func (h *handler) inquiries(w http.ResponseWriter, r *http.Request, p *page) {
	today := workday.FromTime(h.deps.Now(), h.deps.Location)
	h.renderInquiries(w, r, p, http.StatusOK, inquiryForm{Channel: "hotline", AskedOn: today.String(), Answered: true})
}

func (h *handler) renderInquiries(w http.ResponseWriter, r *http.Request, p *page, status int, form inquiryForm) {
	p.Area, p.Title = "inquiries", p.T("nav.inquiries")
	today := workday.FromTime(h.deps.Now(), h.deps.Location)
	q := r.URL.Query()
	d := inquiriesData{From: workday.Date{Year: today.Year, Month: 1, Day: 1}, To: workday.Date{Year: today.Year, Month: 12, Day: 31},
		Channels: inquiry.Channels, Form: form, CanWrite: p.Can("inquiry", "write"), Rate: -1}
	if v, err := workday.ParseDate(q.Get("from")); err == nil {
		d.From = v
	}
	if v, err := workday.ParseDate(q.Get("to")); err == nil {
		d.To = v
	}
	if d.To.Before(d.From) {
		p.Errors["to"] = p.T("inquiry.err.period")
		d.To = d.From
	}
	items, err := h.deps.Inquiries.List(r.Context(), p.Bureau.ID, d.From, d.To, inquiriesShown)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	st, err := h.deps.Inquiries.Summary(r.Context(), p.Bureau.ID, d.From, d.To)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	d.Stats, d.Shown = st, len(items)
	for _, it := range items {
		row := inquiryRow{Inquiry: it}
		if it.Satisfaction != nil {
			row.Rating = strconv.Itoa(*it.Satisfaction)
		}
		d.Items = append(d.Items, row)
	}
	if st.Rated > 0 {
		d.Rate = st.Satisfied * 100 / st.Rated
	}
	p.Data = d
	h.render(w, r, status, "inquiries", p)
}

// registerInquiry records an inquiry.
func (h *handler) registerInquiry(w http.ResponseWriter, r *http.Request, p *page) {
	f := inquiryForm{Channel: r.PostFormValue("channel"), Topic: r.PostFormValue("topic"), AskedOn: r.PostFormValue("asked_on"),
		Satisfaction: r.PostFormValue("satisfaction"), Answered: r.PostFormValue("answered") != ""}
	in := inquiry.Inquiry{Channel: f.Channel, Topic: f.Topic, AskedOn: parseDate(f.AskedOn), Answered: f.Answered}
	var err error
	if f.Satisfaction != "" {
		n, perr := strconv.Atoi(f.Satisfaction)
		if perr != nil {
			err = fault.Field("satisfaction", "must be from 1 (very dissatisfied) to 5 (very satisfied)")
		}
		in.Satisfaction = &n
	}
	if err == nil {
		_, err = h.deps.Inquiries.Register(r.Context(), p.Bureau.ID, in)
	}
	if err == nil {
		h.flash(w, r, p.Base()+"/inquiries", "flash.inquiry_registered", "")
		return
	}
	if !appealFormError(p, err) {
		h.fail(w, r, p, err)
		return
	}
	h.renderInquiries(w, r, p, fault.HTTPStatus(err), f)
}
