package console

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"gongkai/internal/authz"
	"gongkai/internal/fault"
	"gongkai/internal/identity"
)

type membersData struct {
	Members   []identity.Member
	Roles     []authz.Role
	Tokens    []identity.Token
	Form      memberForm
	TokenForm tokenForm
	Query     string
	Sort      string
	Offset    int
	HasMore   bool
	CanManage bool
	Secret    string // a token just created, shown once
}

type memberForm struct {
	Username, DisplayName, Email string
	Roles                        []string
}

type tokenForm struct {
	Name, Role, Expires string
}

const membersPerPage = 25

func (h *handler) loadMembers(w http.ResponseWriter, r *http.Request, p *page, d *membersData) bool {
	p.Active = "members"
	ms, err := h.deps.Identity.Members(r.Context(), p.Bureau.ID)
	if err != nil {
		h.fail(w, r, p, err)
		return false
	}
	q := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("q")))
	d.Query, d.Sort = q, r.URL.Query().Get("sort")
	var kept []identity.Member
	for _, m := range ms {
		if q == "" || strings.Contains(strings.ToLower(m.User.Username), q) || strings.Contains(strings.ToLower(m.User.DisplayName), q) {
			kept = append(kept, m)
		}
	}
	slices.SortFunc(kept, func(a, b identity.Member) int {
		if d.Sort == "name" {
			return strings.Compare(a.User.DisplayName, b.User.DisplayName)
		}
		return strings.Compare(a.User.Username, b.User.Username)
	})
	d.Offset, _ = strconv.Atoi(r.URL.Query().Get("offset"))
	d.Offset = max(0, min(d.Offset, len(kept)))
	end := min(len(kept), d.Offset+membersPerPage)
	d.Members, d.HasMore = kept[d.Offset:end], end < len(kept)
	d.Roles = authz.TenantRoles()
	d.CanManage = p.Can("members", "manage")
	if p.Can("tokens", "read") {
		if d.Tokens, err = h.deps.Identity.ListTokens(r.Context(), p.Bureau.ID); err != nil {
			h.fail(w, r, p, err)
			return false
		}
	}
	return true
}

func (h *handler) members(w http.ResponseWriter, r *http.Request, p *page) {
	d := &membersData{TokenForm: tokenForm{Role: authz.Viewer}}
	if !h.loadMembers(w, r, p, d) {
		return
	}
	p.Data = d
	h.render(w, r, http.StatusOK, "members", p)
}

func (h *handler) addMember(w http.ResponseWriter, r *http.Request, p *page) {
	f := memberForm{Username: r.PostFormValue("username"), DisplayName: r.PostFormValue("display_name"), Email: r.PostFormValue("email"), Roles: r.PostForm["roles"]}
	_, err := h.deps.Identity.AddMember(r.Context(), p.Bureau.ID, identity.NewMember{Username: f.Username, DisplayName: f.DisplayName,
		Email: f.Email, Password: r.PostFormValue("password"), Roles: f.Roles})
	if err == nil {
		h.flash(w, r, "/console/members", p.T("members.added"))
		return
	}
	d := &membersData{Form: f, TokenForm: tokenForm{Role: authz.Viewer}}
	if !h.loadMembers(w, r, p, d) {
		return
	}
	if !formErrors(p, err) {
		if !fault.Is(err, fault.Forbidden) && !fault.Is(err, fault.Conflict) {
			h.fail(w, r, p, err)
			return
		}
		p.General = fault.MessageOf(err)
	}
	p.Data = d
	h.render(w, r, fault.HTTPStatus(err), "members", p)
}

func (h *handler) setRoles(w http.ResponseWriter, r *http.Request, p *page) {
	roles := r.PostForm["roles"]
	if roles == nil {
		roles = []string{}
	}
	if err := h.deps.Identity.SetRoles(r.Context(), p.Bureau.ID, r.PathValue("username"), roles); err != nil {
		h.fail(w, r, p, err)
		return
	}
	h.flash(w, r, "/console/members", p.T("members.updated"))
}

type confirmData struct {
	Message, Action, Back string
}

func (h *handler) confirmRemove(w http.ResponseWriter, r *http.Request, p *page) {
	p.Active = "members"
	name := r.PathValue("username")
	p.Data = confirmData{Message: p.Tf("members.remove_confirm", name), Action: "/console/members/" + name + "/remove", Back: "/console/members"}
	p.Title = p.T("members.remove")
	h.render(w, r, http.StatusOK, "confirm", p)
}

func (h *handler) removeMember(w http.ResponseWriter, r *http.Request, p *page) {
	if err := h.deps.Identity.SetRoles(r.Context(), p.Bureau.ID, r.PathValue("username"), []string{}); err != nil {
		h.fail(w, r, p, err)
		return
	}
	h.flash(w, r, "/console/members", p.T("members.removed"))
}

func (h *handler) createToken(w http.ResponseWriter, r *http.Request, p *page) {
	f := tokenForm{Name: r.PostFormValue("name"), Role: r.PostFormValue("role"), Expires: r.PostFormValue("expires")}
	var expires *time.Time
	var err error
	if f.Expires != "" {
		t, perr := time.ParseInLocation("2006-01-02", f.Expires, h.deps.Location)
		if perr != nil {
			err = fault.Field("expires_at", "is not a date (YYYY-MM-DD)")
		}
		expires = &t
	}
	var secret string
	if err == nil {
		secret, _, err = h.deps.Identity.CreateToken(r.Context(), p.Bureau.ID, f.Name, f.Role, expires)
	}
	d := &membersData{TokenForm: f}
	if err == nil {
		d.TokenForm, d.Secret = tokenForm{Role: authz.Viewer}, secret
	}
	if !h.loadMembers(w, r, p, d) {
		return
	}
	status := http.StatusOK
	if err != nil {
		if !formErrors(p, err) {
			if !fault.Is(err, fault.Forbidden) {
				h.fail(w, r, p, err)
				return
			}
			p.General = fault.MessageOf(err)
		}
		status = fault.HTTPStatus(err)
	}
	p.Data = d
	h.render(w, r, status, "members", p)
}

func (h *handler) confirmRevoke(w http.ResponseWriter, r *http.Request, p *page) {
	p.Active = "members"
	id := r.PathValue("id")
	p.Data = confirmData{Message: p.Tf("tokens.revoke_confirm", id), Action: "/console/tokens/" + id + "/revoke", Back: "/console/members"}
	p.Title = p.T("tokens.revoke")
	h.render(w, r, http.StatusOK, "confirm", p)
}

func (h *handler) revokeToken(w http.ResponseWriter, r *http.Request, p *page) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.fail(w, r, p, fault.New(fault.NotFound, "token not found"))
		return
	}
	if err := h.deps.Identity.RevokeToken(r.Context(), p.Bureau.ID, id); err != nil {
		h.fail(w, r, p, err)
		return
	}
	h.flash(w, r, "/console/members", p.T("tokens.revoked"))
}
