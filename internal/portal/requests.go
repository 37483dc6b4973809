package portal

import (
	"net"
	"net/http"
	"strings"

	"gongkai/internal/fault"
	"gongkai/internal/request"
	"gongkai/internal/tenant"
)

// applyForm is what the online application form holds, kept when it is
// shown again with errors.
type applyForm struct {
	ApplicantType string
	Name          string
	IDDocType     string
	IDNumber      string
	Phone         string
	Email         string
	Address       string
	Content       string
	Purpose       string
	Form          string
	Delivery      string
}

type applyData struct {
	Tenant         tenant.Tenant
	Form           applyForm
	Errors         map[string]string
	General        string
	ApplicantTypes []struct{ Code, Label string }
	TrackingCode   string
}

func (h *handler) serveApply(w http.ResponseWriter, r *http.Request) {
	t, err := h.deps.Tenants.BySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := applyData{Tenant: t, Form: applyForm{ApplicantType: "natural_person"}, Errors: map[string]string{}, ApplicantTypes: request.ApplicantTypes}
	status := http.StatusOK
	if r.Method == http.MethodPost {
		if err := r.ParseForm(); err != nil {
			h.fail(w, r, fault.New(fault.Invalid, "the form could not be read"))
			return
		}
		f := applyForm{ApplicantType: r.PostFormValue("applicant_type"), Name: r.PostFormValue("name"), IDDocType: r.PostFormValue("id_doc_type"),
			IDNumber: r.PostFormValue("id_number"), Phone: r.PostFormValue("phone"), Email: r.PostFormValue("email"), Address: r.PostFormValue("address"),
			Content: r.PostFormValue("content"), Purpose: r.PostFormValue("purpose"), Form: r.PostFormValue("form"), Delivery: r.PostFormValue("delivery")}
		d.Form = f
		switch {
		case !h.submissions.Allow(clientAddr(r), h.deps.Now()):
			status = http.StatusTooManyRequests
			w.Header().Set("Retry-After", "600")
			d.General = "too_many"
		case r.PostFormValue("website") != "":
			// The hidden honeypot field is filled only by robots.
			status = http.StatusUnprocessableEntity
			d.General = "refused"
		default:
			req, err := h.deps.Requests.Submit(r.Context(), t.ID, request.NewRequest{Content: f.Content, Purpose: f.Purpose, Form: f.Form, Delivery: f.Delivery,
				Applicant: request.Applicant{Type: f.ApplicantType, Name: f.Name, IDDocType: f.IDDocType, IDNumber: f.IDNumber, Phone: f.Phone, Email: f.Email, Address: f.Address}})
			if err != nil {
				if !fault.Is(err, fault.Invalid) {
					h.fail(w, r, err)
					return
				}
				status = http.StatusUnprocessableEntity
				// The template words the message of each field at fault.
				for _, fe := range fault.FieldsOf(err) {
					d.Errors[strings.TrimPrefix(fe.Field, "applicant.")] = fe.Message
				}
			} else {
				d.TrackingCode = req.TrackingCode
			}
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	h.render(w, r, h.apply, page[applyData]{Title: t.Name + " - 在线申请政府信息公开",
		Crumbs: []Crumb{{Name: "首页", URL: "/"}, {Name: t.Name, URL: "/b/" + t.Slug + "/"}, {Name: "在线申请"}}, Data: d})
}

type trackData struct {
	Code     string
	Status   *request.PublicStatus
	Outcome  string
	NotFound bool
}

func (h *handler) serveTrack(w http.ResponseWriter, r *http.Request) {
	d := trackData{Code: strings.TrimSpace(r.URL.Query().Get("code"))}
	status := http.StatusOK
	if d.Code != "" {
		st, err := h.deps.Requests.Track(r.Context(), d.Code)
		switch {
		case err == nil:
			d.Status = st
			if o, ok := request.OutcomeByCode(st.Outcome); ok {
				d.Outcome = strings.TrimSpace(o.Group + " " + o.Row)
			}
		case fault.Is(err, fault.NotFound) || fault.Is(err, fault.Invalid):
			status = http.StatusNotFound
			d.NotFound = true
		default:
			h.fail(w, r, err)
			return
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	h.render(w, r, h.track, page[trackData]{Title: "申请办理进度查询", Crumbs: []Crumb{{Name: "首页", URL: "/"}, {Name: "申请办理进度查询"}}, Data: d})
}

func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
