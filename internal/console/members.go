package console

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"gongkai/internal/authz"
	"gongkai/internal/fault"
	"gongkai/internal/identity"
)

// membersPerPage is the length of a page of the members table.
const membersPerPage = 20

type membersData struct {
	Base string // /console/{bureau}/members
	Rows []identity.Member
	// Shown is the number of members matching the filter, All the
	// bureau's members.
	Shown, All        int
	Query, Role, Sort string
	Page, Pages       int
	Roles             []authz.Role
	Tokens            []tokenRow
	Form              memberForm
	TokenForm         tokenForm
	CanManage         bool
	CanTokens         bool
	CanManageTokens   bool
	// Secret is a token just created, shown this once.
	Secret       string
	SecretPrefix string
}

type memberForm struct {
	Username, DisplayName, Email string
	Roles                        []string
}

type tokenForm struct {
	Name, Role, Expires string
}

// tokenRow is a token with its state at the time of the page.
type tokenRow struct {
	identity.Token
	State string // active, expired, revoked
}

// URL is the members page with the current filter and sort, at page n and
// sorted by sort.
func (d *membersData) URL(n int, sort string) string {
	q := url.Values{}
	if d.Query != "" {
		q.Set("q", d.Query)
	}
	if d.Role != "" {
		q.Set("role", d.Role)
	}
	if sort != "" && sort != "username" {
		q.Set("sort", sort)
	}
	if n > 1 {
		q.Set("page", strconv.Itoa(n))
	}
	if len(q) == 0 {
		return d.Base
	}
	return d.Base + "?" + q.Encode()
}

// SortURL is the link of a column heading: sorts by col, or reverses the
// order when the table is sorted by col already.
func (d *membersData) SortURL(col string) string {
	if d.Sort == col {
		return d.URL(1, "-"+col)
	}
	return d.URL(1, col)
}

// AriaSort is the aria-sort value of a column heading.
func (d *membersData) AriaSort(col string) string {
	switch d.Sort {
	case col:
		return "ascending"
	case "-" + col:
		return "descending"
	}
	return "none"
}

// PrevURL and NextURL are the neighbouring pages ("" at the ends).
func (d *membersData) PrevURL() string {
	if d.Page <= 1 {
		return ""
	}
	return d.URL(d.Page-1, d.Sort)
}

// NextURL is the next page, "" on the last.
func (d *membersData) NextURL() string {
	if d.Page >= d.Pages {
		return ""
	}
	return d.URL(d.Page+1, d.Sort)
}

var memberSorts = map[string]func(a, b identity.Member) int{
	"username": func(a, b identity.Member) int { return cmp.Compare(a.User.Username, b.User.Username) },
	"name":     func(a, b identity.Member) int { return cmp.Compare(a.User.DisplayName, b.User.DisplayName) },
	"email":    func(a, b identity.Member) int { return cmp.Compare(a.User.Email, b.User.Email) },
}

// loadMembers fills d with the page of members the query asks for and the
// bureau's tokens.
func (h *handler) loadMembers(r *http.Request, p *page, d *membersData) error {
	p.Area = "members"
	p.Title = p.T("members.title")
	ms, err := h.deps.Identity.Members(r.Context(), p.Bureau.ID)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	d.Base = p.Base() + "/members"
	d.Query, d.Role, d.Sort = strings.TrimSpace(q.Get("q")), q.Get("role"), q.Get("sort")
	d.Roles = authz.TenantRoles()
	if !slices.ContainsFunc(d.Roles, func(r authz.Role) bool { return r.Name == d.Role }) {
		d.Role = ""
	}
	col, desc := strings.CutPrefix(d.Sort, "-")
	less, ok := memberSorts[col]
	if !ok {
		col, desc, less = "username", false, memberSorts["username"]
	}
	d.Sort = col
	if desc {
		d.Sort = "-" + col
	}
	needle := strings.ToLower(d.Query)
	var kept []identity.Member
	for _, m := range ms {
		if needle != "" && !strings.Contains(strings.ToLower(m.User.Username), needle) &&
			!strings.Contains(strings.ToLower(m.User.DisplayName), needle) && !strings.Contains(strings.ToLower(m.User.Email), needle) {
			continue
		}
		if d.Role != "" && !slices.Contains(m.Roles, d.Role) {
			continue
		}
		kept = append(kept, m)
	}
	slices.SortStableFunc(kept, func(a, b identity.Member) int {
		if desc {
			return less(b, a)
		}
		return less(a, b)
	})
	d.All, d.Shown = len(ms), len(kept)
	d.Pages = max(1, (len(kept)+membersPerPage-1)/membersPerPage)
	d.Page, _ = strconv.Atoi(q.Get("page"))
	d.Page = min(max(1, d.Page), d.Pages)
	start := (d.Page - 1) * membersPerPage
	d.Rows = kept[start:min(len(kept), start+membersPerPage)]
	d.CanManage = p.Can("members", "manage")
	d.CanTokens, d.CanManageTokens = p.Can("tokens", "read"), p.Can("tokens", "manage")
	if d.CanTokens {
		ts, err := h.deps.Identity.ListTokens(r.Context(), p.Bureau.ID)
		if err != nil {
			return err
		}
		now := h.deps.Now()
		for _, t := range ts {
			row := tokenRow{Token: t, State: "active"}
			switch {
			case t.RevokedAt != nil:
				row.State = "revoked"
			case !t.Active(now):
				row.State = "expired"
			}
			d.Tokens = append(d.Tokens, row)
		}
	}
	if d.Form.Roles == nil {
		d.Form.Roles = []string{}
	}
	if d.TokenForm.Role == "" {
		d.TokenForm.Role = authz.Viewer
	}
	return nil
}

// showMembers renders the members page with d (and the form errors in p).
func (h *handler) showMembers(w http.ResponseWriter, r *http.Request, p *page, status int, d *membersData) {
	if err := h.loadMembers(r, p, d); err != nil {
		h.fail(w, r, p, err)
		return
	}
	p.Data = d
	h.render(w, r, status, "members", p)
}

func (h *handler) members(w http.ResponseWriter, r *http.Request, p *page) {
	h.showMembers(w, r, p, http.StatusOK, &membersData{})
}

// addMember adds a person to the bureau (identity.AddMember); on an error
// the form comes back with what was typed and the messages next to the
// fields.
func (h *handler) addMember(w http.ResponseWriter, r *http.Request, p *page) {
	f := memberForm{Username: strings.TrimSpace(r.PostFormValue("username")), DisplayName: r.PostFormValue("display_name"),
		Email: strings.TrimSpace(r.PostFormValue("email")), Roles: r.PostForm["roles"]}
	m, err := h.deps.Identity.AddMember(r.Context(), p.Bureau.ID, identity.NewMember{Username: f.Username, DisplayName: f.DisplayName,
		Email: f.Email, Password: r.PostFormValue("password"), Roles: f.Roles})
	if err == nil {
		h.flash(w, r, p.Base()+"/members", "flash.member_added", m.User.Username)
		return
	}
	if !formError(p, err) {
		h.fail(w, r, p, err)
		return
	}
	h.showMembers(w, r, p, fault.HTTPStatus(err), &membersData{Form: f})
}

// setRoles replaces a member's roles.
func (h *handler) setRoles(w http.ResponseWriter, r *http.Request, p *page) {
	roles := r.PostForm["roles"]
	username := r.PathValue("username")
	if len(roles) == 0 {
		// No role at all is removal, which has its own confirmation.
		http.Redirect(w, r, p.Base()+"/members/"+url.PathEscape(username)+"/remove", http.StatusSeeOther)
		return
	}
	if err := h.deps.Identity.SetRoles(r.Context(), p.Bureau.ID, username, roles); err != nil {
		if fault.Is(err, fault.NotFound) || !formError(p, err) {
			h.fail(w, r, p, err)
			return
		}
		h.showMembers(w, r, p, fault.HTTPStatus(err), &membersData{})
		return
	}
	h.flash(w, r, p.Base()+"/members", "flash.roles_updated", username)
}

type confirmData struct {
	Message, Action, Back, Button string
}

// member finds a member of the page's bureau, or a NotFound error.
func (h *handler) member(r *http.Request, p *page, username string) (*identity.Member, error) {
	ms, err := h.deps.Identity.Members(r.Context(), p.Bureau.ID)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		if m.User.Username == username {
			return &m, nil
		}
	}
	return nil, fault.New(fault.NotFound, "member %s not found", username)
}

// confirmRemove asks before taking someone out of the bureau.
func (h *handler) confirmRemove(w http.ResponseWriter, r *http.Request, p *page) {
	p.Area = "members"
	m, err := h.member(r, p, r.PathValue("username"))
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	if !p.Can("members", "manage") {
		h.fail(w, r, p, fault.New(fault.Forbidden, "your role does not allow manage on members"))
		return
	}
	p.Title = p.T("members.remove")
	p.Crumbs = []crumb{{Name: p.T("nav.members"), URL: p.Base() + "/members"}, {Name: p.Title}}
	p.Data = confirmData{Message: p.Tf("members.remove_confirm", "name", m.User.DisplayName, "username", m.User.Username, "bureau", p.BureauName(p.Bureau)),
		Action: p.Base() + "/members/" + url.PathEscape(m.User.Username) + "/remove", Back: p.Base() + "/members", Button: p.T("members.remove")}
	h.render(w, r, http.StatusOK, "confirm", p)
}

// removeMember takes every role in the bureau away; the account stays.
func (h *handler) removeMember(w http.ResponseWriter, r *http.Request, p *page) {
	username := r.PathValue("username")
	if err := h.deps.Identity.SetRoles(r.Context(), p.Bureau.ID, username, []string{}); err != nil {
		if fault.Is(err, fault.NotFound) || !formError(p, err) {
			h.fail(w, r, p, err)
			return
		}
		h.showMembers(w, r, p, fault.HTTPStatus(err), &membersData{})
		return
	}
	h.flash(w, r, p.Base()+"/members", "flash.member_removed", username)
}

// createToken makes an API token and shows its secret this once.
func (h *handler) createToken(w http.ResponseWriter, r *http.Request, p *page) {
	f := tokenForm{Name: r.PostFormValue("name"), Role: r.PostFormValue("role"), Expires: strings.TrimSpace(r.PostFormValue("expires"))}
	var expires *time.Time
	if f.Expires != "" {
		day, err := time.ParseInLocation("2006-01-02", f.Expires, h.deps.Location)
		if err != nil {
			p.Errors["expires_at"] = p.T("error.date")
			p.General = p.T("error.fix")
			h.showMembers(w, r, p, http.StatusUnprocessableEntity, &membersData{TokenForm: f})
			return
		}
		// Valid through the chosen day.
		end := day.AddDate(0, 0, 1)
		expires = &end
	}
	secret, tok, err := h.deps.Identity.CreateToken(r.Context(), p.Bureau.ID, f.Name, f.Role, expires)
	if err != nil {
		if !formError(p, err) {
			h.fail(w, r, p, err)
			return
		}
		h.showMembers(w, r, p, fault.HTTPStatus(err), &membersData{TokenForm: f})
		return
	}
	p.Flash = p.Tf("flash.token_created", "value", tok.Prefix)
	h.showMembers(w, r, p, http.StatusOK, &membersData{Secret: secret, SecretPrefix: tok.Prefix})
}

// token finds a token of the page's bureau, or a NotFound error.
func (h *handler) token(r *http.Request, p *page) (*identity.Token, error) {
	id := atoi64(r.PathValue("id"))
	ts, err := h.deps.Identity.ListTokens(r.Context(), p.Bureau.ID)
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		if t.ID == id {
			return &t, nil
		}
	}
	return nil, fault.New(fault.NotFound, "token not found")
}

// confirmRevoke asks before revoking a token.
func (h *handler) confirmRevoke(w http.ResponseWriter, r *http.Request, p *page) {
	p.Area = "members"
	t, err := h.token(r, p)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	if t.RevokedAt != nil {
		h.failWith(w, r, p, http.StatusConflict, p.T("tokens.already_revoked"))
		return
	}
	p.Title = p.T("tokens.revoke")
	p.Crumbs = []crumb{{Name: p.T("nav.members"), URL: p.Base() + "/members"}, {Name: p.Title}}
	p.Data = confirmData{Message: p.Tf("tokens.revoke_confirm", "prefix", t.Prefix, "name", t.Name),
		Action: p.Base() + "/tokens/" + strconv.FormatInt(t.ID, 10) + "/revoke", Back: p.Base() + "/members#tokens", Button: p.T("tokens.revoke")}
	h.render(w, r, http.StatusOK, "confirm", p)
}

func (h *handler) revokeToken(w http.ResponseWriter, r *http.Request, p *page) {
	t, err := h.token(r, p)
	if err == nil {
		err = h.deps.Identity.RevokeToken(r.Context(), p.Bureau.ID, t.ID)
	}
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	h.flash(w, r, p.Base()+"/members#tokens", "flash.token_revoked", t.Prefix)
}
