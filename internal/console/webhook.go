package console

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"gongkai/internal/fault"
	"gongkai/internal/identity"
	"gongkai/internal/reminder"
	"gongkai/internal/webhook"
)

// webhookRoutes registers the webhook and reminder settings pages.
func (h *handler) webhookRoutes(bureau route) {
	bureau("GET /console/{bureau}/webhooks", h.webhooks)
	bureau("POST /console/{bureau}/webhooks", h.createWebhook)
	bureau("GET /console/{bureau}/webhooks/{id}", h.webhookDetail)
	bureau("POST /console/{bureau}/webhooks/{id}/edit", h.updateWebhook)
	bureau("GET /console/{bureau}/webhooks/{id}/delete", h.confirmDeleteWebhook)
	bureau("POST /console/{bureau}/webhooks/{id}/delete", h.deleteWebhook)
	bureau("POST /console/{bureau}/webhooks/{id}/deliveries/{delivery}/redeliver", h.redeliverWebhook)
	// The notice of a disabled endpoint links here (webhook.Service).
	bureau("GET /console/{bureau}/settings/webhooks", func(w http.ResponseWriter, r *http.Request, p *page) {
		http.Redirect(w, r, p.Base()+"/webhooks", http.StatusSeeOther)
	})
	bureau("GET /console/{bureau}/reminders", h.reminderSettings)
	bureau("POST /console/{bureau}/reminders", h.saveReminderSettings)
}

// webhookForm is the endpoint form as typed.
type webhookForm struct {
	URL, Description string
	Events           []string
	Active           bool
}

// webhookRow is an endpoint in the list with its newest delivery.
type webhookRow struct {
	*webhook.Endpoint
	Last *webhook.Delivery
}

type webhooksData struct {
	Rows       []webhookRow
	EventTypes []string
	Form       webhookForm
	CanManage  bool
}

type webhookData struct {
	Endpoint   *webhook.Endpoint
	Deliveries []webhook.Delivery
	EventTypes []string
	Form       webhookForm
	CanManage  bool
	// Secret is the signing secret of an endpoint just created, shown this
	// once.
	Secret string
}

// webhookMessages put the webhook and reminder services' field messages
// into the catalogs; {1}, {2} ... are the submatches. A submatch named
// reason is an address class (loopback, private ...), shown by its label.
var webhookMessages = []serviceMessage{
	{regexp.MustCompile(`^is refused: (\S+) resolves to (\S+) is a ([a-z-]+) address`), "webhook.svc.refused_name"},
	{regexp.MustCompile(`^is refused: (\S+) is a ([a-z-]+) address`), "webhook.svc.refused"},
	{regexp.MustCompile(`^is not an absolute URL`), "webhook.svc.url_absolute"},
	{regexp.MustCompile(`^must use http or https, not "(.*)"$`), "webhook.svc.url_scheme"},
	{regexp.MustCompile(`^must not carry a user name or password`), "webhook.svc.url_userinfo"},
	{regexp.MustCompile(`^must not have a fragment`), "webhook.svc.url_fragment"},
	{regexp.MustCompile(`^must be at most 2000 characters$`), "webhook.svc.url_long"},
	{regexp.MustCompile(`^subscribe to at least one of`), "webhook.svc.events_required"},
	{regexp.MustCompile(`^unknown event type "(.*)"`), "webhook.svc.event_unknown"},
	{regexp.MustCompile(`^the endpoint is disabled \((.*)\); enable it before redelivering$`), "webhook.svc.disabled"},
	{regexp.MustCompile(`^(.+): not a member of the bureau$`), "reminders.svc.not_member"},
	{regexp.MustCompile(`^at most 20 people$`), "reminders.svc.copy_max"},
	{regexp.MustCompile(`^at most 10 thresholds$`), "reminders.svc.due_max"},
	{regexp.MustCompile(`^each threshold must be 1 to 20 working days`), "reminders.svc.due_range"},
	{regexp.MustCompile(`^must be 0 to 7 working days`), "reminders.svc.supplement_range"},
	{regexp.MustCompile(`^must be 0 to 15 working days`), "reminders.svc.consultation_range"},
	{regexp.MustCompile(`^must be 0 to 20 working days`), "reminders.svc.fee_range"},
	{regexp.MustCompile(`^must be one of handler_else_officers`), "reminders.svc.recipients"},
}

// webhookMsg returns a service message of these pages in the page's locale.
func webhookMsg(p *page, msg string) string {
	for _, sm := range webhookMessages {
		sub := sm.pattern.FindStringSubmatch(msg)
		if sub == nil {
			continue
		}
		vars := make([]string, 0, 2*len(sub))
		for i, v := range sub[1:] {
			if p.HasLabel("webhook.reason", v) {
				v = p.T("webhook.reason." + v)
			}
			vars = append(vars, strconv.Itoa(i+1), v)
		}
		return p.Tf(sm.key, vars...)
	}
	return p.Msg(msg)
}

// webhookFormError shows err with the form like formError, with the
// messages of these pages translated.
func webhookFormError(p *page, err error) bool {
	if fields := fault.FieldsOf(err); len(fields) > 0 {
		for _, f := range fields {
			p.Errors[f.Field] = webhookMsg(p, f.Message)
		}
		p.General = p.T("error.fix")
		return true
	}
	if fault.Is(err, fault.Forbidden) || fault.Is(err, fault.Conflict) || fault.Is(err, fault.Invalid) {
		p.General = webhookMsg(p, fault.MessageOf(err))
		return true
	}
	return false
}

// readWebhookForm reads the endpoint form.
func readWebhookForm(r *http.Request) webhookForm {
	return webhookForm{URL: strings.TrimSpace(r.PostFormValue("url")), Description: strings.TrimSpace(r.PostFormValue("description")),
		Events: r.PostForm["events"], Active: r.PostFormValue("active") == "1"}
}

// webhookList renders the list of endpoints with the new-endpoint form.
func (h *handler) webhookList(w http.ResponseWriter, r *http.Request, p *page, status int, form webhookForm) {
	p.Area = "webhooks"
	p.Title = p.T("webhook.title")
	eps, err := h.deps.Webhooks.List(r.Context(), p.Bureau.ID)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	d := webhooksData{EventTypes: webhook.EventTypes, Form: form, CanManage: p.Can("webhooks", "manage")}
	for i := range eps {
		ep := &eps[i]
		row := webhookRow{Endpoint: ep}
		ds, err := h.deps.Webhooks.Deliveries(r.Context(), p.Bureau.ID, ep.ID, 1)
		if err != nil {
			h.fail(w, r, p, err)
			return
		}
		if len(ds) > 0 {
			row.Last = &ds[0]
		}
		d.Rows = append(d.Rows, row)
	}
	if d.Form.Events == nil {
		d.Form.Events = []string{}
	}
	p.Data = d
	h.render(w, r, status, "webhooks", p)
}

func (h *handler) webhooks(w http.ResponseWriter, r *http.Request, p *page) {
	h.webhookList(w, r, p, http.StatusOK, webhookForm{})
}

// createWebhook registers an endpoint and shows its page with the secret,
// this once.
func (h *handler) createWebhook(w http.ResponseWriter, r *http.Request, p *page) {
	f := readWebhookForm(r)
	ep, secret, err := h.deps.Webhooks.Create(r.Context(), p.Bureau.ID, webhook.NewEndpoint{URL: f.URL, Events: f.Events, Description: f.Description})
	if err != nil {
		if !webhookFormError(p, err) {
			h.fail(w, r, p, err)
			return
		}
		h.webhookList(w, r, p, fault.HTTPStatus(err), f)
		return
	}
	p.Flash = p.Tf("flash.webhook_created", "value", ep.URL)
	h.webhookPage(w, r, p, http.StatusOK, ep.ID, nil, secret)
}

// endpoint finds an endpoint of the page's bureau, or a NotFound error.
func (h *handler) endpoint(r *http.Request, p *page) (*webhook.Endpoint, error) {
	id := atoi64(r.PathValue("id"))
	eps, err := h.deps.Webhooks.List(r.Context(), p.Bureau.ID)
	if err != nil {
		return nil, err
	}
	for _, ep := range eps {
		if ep.ID == id {
			return &ep, nil
		}
	}
	return nil, fault.New(fault.NotFound, "webhook endpoint not found")
}

// webhookPage renders an endpoint with its edit form and delivery log;
// form is the edit form as typed (nil: the endpoint's values).
func (h *handler) webhookPage(w http.ResponseWriter, r *http.Request, p *page, status int, id int64, form *webhookForm, secret string) {
	p.Area = "webhooks"
	eps, err := h.deps.Webhooks.List(r.Context(), p.Bureau.ID)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	d := webhookData{EventTypes: webhook.EventTypes, CanManage: p.Can("webhooks", "manage"), Secret: secret}
	for i := range eps {
		if eps[i].ID == id {
			d.Endpoint = &eps[i]
		}
	}
	if d.Endpoint == nil {
		h.fail(w, r, p, fault.New(fault.NotFound, "webhook endpoint not found"))
		return
	}
	if d.Deliveries, err = h.deps.Webhooks.Deliveries(r.Context(), p.Bureau.ID, id, 50); err != nil {
		h.fail(w, r, p, err)
		return
	}
	if form != nil {
		d.Form = *form
	} else {
		d.Form = webhookForm{URL: d.Endpoint.URL, Description: d.Endpoint.Description, Events: d.Endpoint.EventList(), Active: d.Endpoint.Active}
	}
	if d.Form.Events == nil {
		d.Form.Events = []string{}
	}
	p.Title = p.Tf("webhook.endpoint_title", "url", d.Endpoint.URL)
	p.Crumbs = []crumb{{Name: p.T("webhook.title"), URL: p.Base() + "/webhooks"}, {Name: d.Endpoint.URL}}
	p.Data = d
	h.render(w, r, status, "webhook", p)
}

func (h *handler) webhookDetail(w http.ResponseWriter, r *http.Request, p *page) {
	h.webhookPage(w, r, p, http.StatusOK, atoi64(r.PathValue("id")), nil, "")
}

// updateWebhook changes the URL, description and events of an endpoint and
// enables or pauses it.
func (h *handler) updateWebhook(w http.ResponseWriter, r *http.Request, p *page) {
	id := atoi64(r.PathValue("id"))
	f := readWebhookForm(r)
	events := f.Events
	if events == nil {
		events = []string{}
	}
	_, err := h.deps.Webhooks.Update(r.Context(), p.Bureau.ID, id, webhook.Patch{URL: &f.URL, Events: events, Description: &f.Description, Active: &f.Active})
	if err != nil {
		if fault.Is(err, fault.NotFound) || !webhookFormError(p, err) {
			h.fail(w, r, p, err)
			return
		}
		h.webhookPage(w, r, p, fault.HTTPStatus(err), id, &f, "")
		return
	}
	h.flash(w, r, p.Base()+"/webhooks/"+strconv.FormatInt(id, 10), "flash.webhook_saved", f.URL)
}

// confirmDeleteWebhook asks before deleting an endpoint and its log.
func (h *handler) confirmDeleteWebhook(w http.ResponseWriter, r *http.Request, p *page) {
	p.Area = "webhooks"
	ep, err := h.endpoint(r, p)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	if !p.Can("webhooks", "manage") {
		h.fail(w, r, p, fault.New(fault.Forbidden, "your role does not allow manage on webhooks"))
		return
	}
	p.Title = p.T("webhook.delete")
	p.Crumbs = []crumb{{Name: p.T("webhook.title"), URL: p.Base() + "/webhooks"}, {Name: ep.URL, URL: p.Base() + "/webhooks/" + strconv.FormatInt(ep.ID, 10)}, {Name: p.Title}}
	p.Data = confirmData{Message: p.Tf("webhook.delete_confirm", "url", ep.URL),
		Action: p.Base() + "/webhooks/" + strconv.FormatInt(ep.ID, 10) + "/delete", Back: p.Base() + "/webhooks/" + strconv.FormatInt(ep.ID, 10), Button: p.T("webhook.delete")}
	h.render(w, r, http.StatusOK, "confirm", p)
}

func (h *handler) deleteWebhook(w http.ResponseWriter, r *http.Request, p *page) {
	ep, err := h.endpoint(r, p)
	if err == nil {
		err = h.deps.Webhooks.Delete(r.Context(), p.Bureau.ID, ep.ID)
	}
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	h.flash(w, r, p.Base()+"/webhooks", "flash.webhook_deleted", ep.URL)
}

// redeliverWebhook sends a delivery again; a disabled endpoint is said so
// on its page.
func (h *handler) redeliverWebhook(w http.ResponseWriter, r *http.Request, p *page) {
	id := atoi64(r.PathValue("id"))
	d, err := h.deps.Webhooks.Redeliver(r.Context(), p.Bureau.ID, id, atoi64(r.PathValue("delivery")))
	if err != nil {
		if fault.Is(err, fault.NotFound) || !webhookFormError(p, err) {
			h.fail(w, r, p, err)
			return
		}
		h.webhookPage(w, r, p, fault.HTTPStatus(err), id, nil, "")
		return
	}
	h.flash(w, r, p.Base()+"/webhooks/"+strconv.FormatInt(id, 10), "flash.webhook_redelivered", d.EventID)
}

// reminderForm is the reminder settings form as typed.
type reminderForm struct {
	DueDays                          string
	SupplementDays, ConsultationDays string
	FeeDays                          string
	OverdueDaily, EscalateOverdue    bool
	Recipients                       string
	CopyTo                           string
}

type remindersData struct {
	Form      reminderForm
	Modes     []string
	Members   []identity.Member
	Custom    bool
	CanManage bool
}

func joinInts(ns []int) string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = strconv.Itoa(n)
	}
	return strings.Join(out, ", ")
}

// splitList splits a typed list at commas, the Chinese comma and spaces.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == '\uff0c' || r == '\u3001' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
	})
}

// reminderPage renders the reminder settings form.
func (h *handler) reminderPage(w http.ResponseWriter, r *http.Request, p *page, status int, f *reminderForm, custom bool) {
	p.Area = "reminders"
	p.Title = p.T("reminders.title")
	d := remindersData{Modes: reminder.RecipientModes, CanManage: p.Can("settings", "write"), Custom: custom}
	if f == nil {
		st, err := h.deps.Reminders.Settings(r.Context(), p.Bureau.ID)
		if err != nil {
			h.fail(w, r, p, err)
			return
		}
		d.Custom = st.Custom
		f = &reminderForm{DueDays: joinInts(st.DueDays), SupplementDays: strconv.Itoa(st.SupplementDays), ConsultationDays: strconv.Itoa(st.ConsultationDays),
			FeeDays: strconv.Itoa(st.FeeDays), OverdueDaily: st.OverdueDaily, EscalateOverdue: st.EscalateOverdue, Recipients: st.Recipients,
			CopyTo: strings.Join(st.CopyTo, ", ")}
	}
	d.Form = *f
	if ms, err := h.deps.Identity.Members(r.Context(), p.Bureau.ID); err == nil {
		d.Members = ms
	}
	p.Data = d
	h.render(w, r, status, "reminders", p)
}

func (h *handler) reminderSettings(w http.ResponseWriter, r *http.Request, p *page) {
	h.reminderPage(w, r, p, http.StatusOK, nil, false)
}

// saveReminderSettings stores the thresholds and recipients.
func (h *handler) saveReminderSettings(w http.ResponseWriter, r *http.Request, p *page) {
	f := reminderForm{DueDays: r.PostFormValue("due_days"), SupplementDays: strings.TrimSpace(r.PostFormValue("supplement_days")),
		ConsultationDays: strings.TrimSpace(r.PostFormValue("consultation_days")), FeeDays: strings.TrimSpace(r.PostFormValue("fee_days")),
		OverdueDaily: r.PostFormValue("overdue_daily") == "1", EscalateOverdue: r.PostFormValue("escalate_overdue") == "1",
		Recipients: r.PostFormValue("recipients"), CopyTo: strings.TrimSpace(r.PostFormValue("copy_to"))}
	st := reminder.Settings{OverdueDaily: f.OverdueDaily, EscalateOverdue: f.EscalateOverdue, Recipients: f.Recipients, CopyTo: splitList(f.CopyTo)}
	number := func(field, v string, dst *int) {
		n, err := strconv.Atoi(v)
		if err != nil {
			p.Errors[field] = p.T("reminders.not_a_number")
			return
		}
		*dst = n
	}
	st.DueDays = []int{}
	for _, v := range splitList(f.DueDays) {
		n, err := strconv.Atoi(v)
		if err != nil {
			p.Errors["due_days"] = p.T("reminders.not_numbers")
			break
		}
		st.DueDays = append(st.DueDays, n)
	}
	number("supplement_days", f.SupplementDays, &st.SupplementDays)
	number("consultation_days", f.ConsultationDays, &st.ConsultationDays)
	number("fee_days", f.FeeDays, &st.FeeDays)
	if len(p.Errors) > 0 {
		p.General = p.T("error.fix")
		h.reminderPage(w, r, p, http.StatusUnprocessableEntity, &f, false)
		return
	}
	if _, err := h.deps.Reminders.SetSettings(r.Context(), p.Bureau.ID, st); err != nil {
		if !webhookFormError(p, err) {
			h.fail(w, r, p, err)
			return
		}
		h.reminderPage(w, r, p, fault.HTTPStatus(err), &f, false)
		return
	}
	h.flash(w, r, p.Base()+"/reminders", "flash.reminders_saved", "")
}
