package console

import (
	"encoding/json"
	"html/template"
	"net/http"
	"strconv"

	"gongkai/internal/fault"
	"gongkai/internal/identity"
	"gongkai/internal/request"
	"gongkai/internal/request/deadline"
	"gongkai/internal/workday"
)

type worklistRow struct {
	request.Request
	DaysLeft int
	Overdue  bool
}

type worklistData struct {
	Rows           []worklistRow
	State, Channel string
	// ApplicantType and Handler (a user name) filter the list.
	ApplicantType, Handler string
	ApplicantTypes         []struct{ Code, Label string }
	Members                []identity.Member
	Offset                 int
	NextOffset             int
	HasMore                bool
	Today                  workday.Date
	States                 []string
	Channels               []request.Channel
	CanWrite               bool
}

const worklistPage = 50

func (h *handler) requests(w http.ResponseWriter, r *http.Request, p *page) {
	p.Area = "requests"
	p.Title = p.T("requests.title")
	q := r.URL.Query()
	d := worklistData{State: q.Get("state"), Channel: q.Get("channel"), Today: workday.FromTime(h.deps.Now(), h.deps.Location),
		States: []string{"submitted", "open", "paused", "replied", "closed", "lapsed"}, Channels: request.Channels, CanWrite: p.Can("request", "write")}
	d.ApplicantType, d.Handler, d.ApplicantTypes = q.Get("applicant_type"), q.Get("handler"), request.ApplicantTypes
	d.Offset, _ = strconv.Atoi(q.Get("offset"))
	f := request.Filter{Channel: d.Channel, ApplicantType: d.ApplicantType, Limit: worklistPage, Offset: max(0, d.Offset)}
	if ms, err := h.deps.Identity.Members(r.Context(), p.Bureau.ID); err == nil {
		d.Members = ms
	}
	if d.Handler != "" {
		f.HandlerID = -1 // no such handler: nothing matches
		for _, m := range d.Members {
			if m.User.Username == d.Handler {
				f.HandlerID = m.User.ID
			}
		}
	}
	switch d.State {
	case "":
		f.States = []string{"submitted", "open", "paused"}
	case "all":
	default:
		f.States = []string{d.State}
	}
	page, err := h.deps.Requests.List(r.Context(), p.Bureau.ID, f)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	cal, err := h.deps.Requests.Calendar(r.Context())
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	for _, rq := range page.Items {
		row := worklistRow{Request: rq}
		if (rq.State == "open" || rq.State == "paused") && !rq.DueOn.IsZero() {
			if n, err := cal.WorkingDaysBetween(d.Today, rq.DueOn); err == nil {
				row.DaysLeft = n
			}
			row.Overdue = rq.DueOn.Before(d.Today)
		}
		d.Rows = append(d.Rows, row)
	}
	d.HasMore, d.NextOffset = page.HasMore, d.Offset+worklistPage
	p.Data = d
	h.render(w, r, http.StatusOK, "requests", p)
}

type requestForm struct {
	Channel, ArrivedOn, ConfirmedOn, ApplicantType, Name, IDDocType, IDNumber, Phone, Email, Address, Content, Purpose string
}

type newRequestData struct {
	Form           requestForm
	Channels       []request.Channel
	ApplicantTypes []struct{ Code, Label string }
}

func (h *handler) newRequestForm(w http.ResponseWriter, r *http.Request, p *page) {
	p.Area = "requests"
	p.Title = p.T("requests.new")
	p.Crumbs = []crumb{{Name: p.T("nav.requests"), URL: p.Base() + "/requests"}, {Name: p.Title}}
	today := workday.FromTime(h.deps.Now(), h.deps.Location)
	p.Data = newRequestData{Form: requestForm{Channel: "in_person", ArrivedOn: today.String(), ApplicantType: "natural_person"},
		Channels: request.Channels, ApplicantTypes: request.ApplicantTypes}
	h.render(w, r, http.StatusOK, "request_new", p)
}

func parseDate(s string) workday.Date {
	d, _ := workday.ParseDate(s)
	return d
}

func (h *handler) registerRequest(w http.ResponseWriter, r *http.Request, p *page) {
	f := requestForm{}
	for name, dst := range map[string]*string{"channel": &f.Channel, "arrived_on": &f.ArrivedOn, "confirmed_on": &f.ConfirmedOn,
		"applicant_type": &f.ApplicantType, "name": &f.Name, "id_doc_type": &f.IDDocType, "id_number": &f.IDNumber, "phone": &f.Phone,
		"email": &f.Email, "address": &f.Address, "content": &f.Content, "purpose": &f.Purpose} {
		*dst = r.PostFormValue(name)
	}
	rq, _, err := h.deps.Requests.Register(r.Context(), p.Bureau.ID, request.NewRequest{Channel: f.Channel, ArrivedOn: parseDate(f.ArrivedOn),
		ConfirmedOn: parseDate(f.ConfirmedOn), Content: f.Content, Purpose: f.Purpose,
		Applicant: request.Applicant{Type: f.ApplicantType, Name: f.Name, IDDocType: f.IDDocType, IDNumber: f.IDNumber, Phone: f.Phone, Email: f.Email, Address: f.Address}})
	if err == nil {
		h.flash(w, r, p.Base()+"/requests/"+strconv.FormatInt(rq.ID, 10), "flash.request_registered", rq.TrackingCode)
		return
	}
	if !formError(p, err) {
		h.fail(w, r, p, err)
		return
	}
	p.Area, p.Title = "requests", p.T("requests.new")
	p.Crumbs = []crumb{{Name: p.T("nav.requests"), URL: p.Base() + "/requests"}, {Name: p.Title}}
	p.Data = newRequestData{Form: f, Channels: request.Channels, ApplicantTypes: request.ApplicantTypes}
	h.render(w, r, fault.HTTPStatus(err), "request_new", p)
}

type requestDetailData struct {
	// Members are the bureau's people, for assigning the handler.
	Members     []identity.Member
	Detail      *request.Detail
	Letters     []request.Letter
	Outcome     string
	Allowed     []string
	Outcomes    []request.Outcome
	LetterKinds []struct{ Code, Title string }
	Today       workday.Date
	CanWrite    bool
	// Fee is the fee quote asked for with ?fee_basis=&fee_units= (the fee
	// calculator); nil when none was asked. FeeBasis and FeeUnits refill
	// its form.
	Fee      *request.FeeQuote
	FeeBasis string
	FeeUnits int
}

func (h *handler) loadRequest(w http.ResponseWriter, r *http.Request, p *page) (*requestDetailData, bool) {
	p.Area = "requests"
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.fail(w, r, p, fault.New(fault.NotFound, "request not found"))
		return nil, false
	}
	dt, err := h.deps.Requests.Get(r.Context(), p.Bureau.ID, id)
	if err != nil {
		h.fail(w, r, p, err)
		return nil, false
	}
	ls, err := h.deps.Requests.Letters(r.Context(), p.Bureau.ID, id)
	if err != nil {
		h.fail(w, r, p, err)
		return nil, false
	}
	// The handler choices need the member list, which not every role may
	// read; without it the page shows no assignment form.
	var ms []identity.Member
	if p.Can("members", "read") {
		if ms, err = h.deps.Identity.Members(r.Context(), p.Bureau.ID); err != nil {
			h.fail(w, r, p, err)
			return nil, false
		}
	}
	d := &requestDetailData{Members: ms, Detail: dt, Letters: ls, Outcomes: request.Outcomes, LetterKinds: request.LetterKinds,
		Today: workday.FromTime(h.deps.Now(), h.deps.Location), CanWrite: p.Can("request", "write")}
	if o, ok := request.OutcomeByCode(dt.Request.Outcome); ok {
		d.Outcome = o.Group + o.Row
	}
	for _, k := range dt.Allowed {
		if k != deadline.Replied {
			d.Allowed = append(d.Allowed, string(k))
		}
	}
	p.Title = dt.Request.TrackingCode
	p.Crumbs = []crumb{{Name: p.T("nav.requests"), URL: p.Base() + "/requests"}, {Name: dt.Request.TrackingCode}}
	return d, true
}

func (h *handler) requestDetail(w http.ResponseWriter, r *http.Request, p *page) {
	d, ok := h.loadRequest(w, r, p)
	if !ok {
		return
	}
	p.Data = d
	status := http.StatusOK
	d.FeeBasis, d.FeeUnits = request.FeeByItems, 1
	if basis := r.URL.Query().Get("fee_basis"); basis != "" {
		d.FeeBasis = basis
		d.FeeUnits, _ = strconv.Atoi(r.URL.Query().Get("fee_units"))
		q, err := h.deps.Requests.QuoteFee(r.Context(), p.Bureau.ID, d.Detail.Request.ID, d.FeeBasis, d.FeeUnits)
		if err != nil {
			if !formError(p, err) {
				h.fail(w, r, p, err)
				return
			}
			status = fault.HTTPStatus(err)
		}
		d.Fee = q
	}
	h.render(w, r, status, "request", p)
}

// applicantData finds everything the bureau holds about one applicant by
// the identity document they gave (个人信息保护法 Art. 45); the service
// allows bureau admins only and audits each export. POST keeps the number
// out of URLs and logs.
func (h *handler) applicantData(w http.ResponseWriter, r *http.Request, p *page) {
	p.Area, p.Title = "requests", p.T("applicant.title")
	p.Crumbs = []crumb{{Name: p.T("requests.title"), URL: p.Base() + "/requests"}, {Name: p.Title}}
	d := &applicantPageData{DocType: r.PostFormValue("id_doc_type"), Number: r.PostFormValue("id_number")}
	if d.DocType == "" {
		d.DocType = r.URL.Query().Get("id_doc_type")
	}
	p.Data = d
	if r.Method != http.MethodPost {
		if !p.Can("request", "manage") {
			h.fail(w, r, p, fault.New(fault.Forbidden, "only a bureau admin may export an applicant's data"))
			return
		}
		h.render(w, r, http.StatusOK, "applicant", p)
		return
	}
	data, err := h.deps.Requests.ApplicantData(r.Context(), p.Bureau.ID, d.DocType, d.Number)
	if err != nil {
		if !formError(p, err) {
			h.fail(w, r, p, err)
			return
		}
		h.render(w, r, fault.HTTPStatus(err), "applicant", p)
		return
	}
	if r.PostFormValue("format") == "json" {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="applicant-data.json"`)
		w.Header().Set("Cache-Control", "no-store")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(data)
		return
	}
	d.Result = data
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, http.StatusOK, "applicant", p)
}

// applicantPageData is the applicant data export form and its result.
type applicantPageData struct {
	DocType, Number string
	Result          *request.ApplicantData
}

// afterForm shows the request again with the errors of a failed form.
func (h *handler) afterForm(w http.ResponseWriter, r *http.Request, p *page, err error) {
	if err == nil {
		h.flash(w, r, p.Base()+"/requests/"+r.PathValue("id"), "flash.request_done", "")
		return
	}
	d, ok := h.loadRequest(w, r, p)
	if !ok {
		return
	}
	if fault.Is(err, fault.NotFound) || !formError(p, err) {
		h.fail(w, r, p, err)
		return
	}
	p.Data = d
	h.render(w, r, fault.HTTPStatus(err), "request", p)
}

// assignRequest makes a member of the bureau the request's handler.
func (h *handler) assignRequest(w http.ResponseWriter, r *http.Request, p *page) {
	u, err := h.deps.Identity.UserByUsername(r.Context(), r.PostFormValue("handler"))
	if err != nil {
		h.afterForm(w, r, p, fault.Field("handler", "choose a member of this bureau"))
		return
	}
	h.afterForm(w, r, p, h.deps.Requests.Assign(r.Context(), p.Bureau.ID, h.requestID(r), u.ID))
}

func (h *handler) requestID(r *http.Request) int64 {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id
}

func (h *handler) actOnRequest(w http.ResponseWriter, r *http.Request, p *page) {
	days, _ := strconv.Atoi(r.PostFormValue("days"))
	amount, _ := strconv.Atoi(r.PostFormValue("amount_yuan"))
	_, err := h.deps.Requests.Act(r.Context(), p.Bureau.ID, h.requestID(r), request.Action{Kind: deadline.EventKind(r.PostFormValue("kind")),
		On: parseDate(r.PostFormValue("on")), Days: days, Reason: r.PostFormValue("reason"), AmountYuan: amount})
	h.afterForm(w, r, p, err)
}

func (h *handler) replyToRequest(w http.ResponseWriter, r *http.Request, p *page) {
	_, err := h.deps.Requests.Reply(r.Context(), p.Bureau.ID, h.requestID(r), request.Reply{On: parseDate(r.PostFormValue("on")),
		Outcome: r.PostFormValue("outcome"), Basis: r.PostFormValue("basis"), Withheld: r.PostFormValue("withheld"), Text: r.PostFormValue("text")})
	h.afterForm(w, r, p, err)
}

func (h *handler) issueLetter(w http.ResponseWriter, r *http.Request, p *page) {
	_, err := h.deps.Requests.IssueLetter(r.Context(), p.Bureau.ID, h.requestID(r), r.PostFormValue("kind"), parseDate(r.PostFormValue("sent_on")), r.PostFormValue("delivery"))
	h.afterForm(w, r, p, err)
}

type letterData struct {
	Letter request.Letter
	Back   string
}

// Body is the letter as sent: HTML built by the request service, in which
// every template and data value is escaped.
func (d letterData) Body() template.HTML { return template.HTML(d.Letter.BodyHTML) } //nolint:gosec // escaped when the letter was made

func (h *handler) printLetter(w http.ResponseWriter, r *http.Request, p *page) {
	ls, err := h.deps.Requests.Letters(r.Context(), p.Bureau.ID, h.requestID(r))
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("letter"), 10, 64)
	for _, l := range ls {
		if l.ID == id {
			p.Area, p.Title = "requests", l.DocNo
			p.Crumbs = []crumb{{Name: p.T("nav.requests"), URL: p.Base() + "/requests"}, {Name: l.DocNo}}
			p.Data = letterData{Letter: l, Back: p.Base() + "/requests/" + r.PathValue("id")}
			h.render(w, r, http.StatusOK, "letter", p)
			return
		}
	}
	h.fail(w, r, p, fault.New(fault.NotFound, "letter not found"))
}
