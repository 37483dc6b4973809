package console

import (
	"bytes"
	"encoding/json"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gongkai/internal/catalog"
	"gongkai/internal/fault"
	"gongkai/internal/workday"
)

// catalogRoutes registers the pages of the disclosure catalog (主动公开目录,
// Regulations Art. 19–26): the list and search, the item forms, the item
// page with its workflow, the category tree, import and export.
func (h *handler) catalogRoutes(bureau route) {
	bureau("GET /console/{bureau}/catalog", h.catalogList)
	bureau("GET /console/{bureau}/catalog/new", h.catalogNewForm)
	bureau("POST /console/{bureau}/catalog/new", h.catalogCreate)
	bureau("GET /console/{bureau}/catalog/items/{id}", h.catalogItem)
	bureau("GET /console/{bureau}/catalog/items/{id}/edit", h.catalogEditForm)
	bureau("POST /console/{bureau}/catalog/items/{id}/edit", h.catalogUpdate)
	bureau("POST /console/{bureau}/catalog/items/{id}/transition", h.catalogTransition)
	bureau("POST /console/{bureau}/catalog/items/{id}/revise", h.catalogRevise)
	bureau("GET /console/{bureau}/catalog/items/{id}/delete", h.catalogConfirmDelete)
	bureau("POST /console/{bureau}/catalog/items/{id}/delete", h.catalogDelete)
	bureau("GET /console/{bureau}/catalog/categories", h.catalogCategories)
	bureau("POST /console/{bureau}/catalog/categories", h.catalogAddCategory)
	bureau("POST /console/{bureau}/catalog/categories/{code}/rename", h.catalogRenameCategory)
	bureau("GET /console/{bureau}/catalog/categories/{code}/delete", h.catalogConfirmDeleteCategory)
	bureau("POST /console/{bureau}/catalog/categories/{code}/delete", h.catalogDeleteCategory)
	bureau("GET /console/{bureau}/catalog/import", h.catalogImportForm)
	bureau("POST /console/{bureau}/catalog/import", h.catalogImport)
	bureau("GET /console/{bureau}/catalog/export.csv", h.catalogExport(catalog.FormatCSV))
	bureau("GET /console/{bureau}/catalog/export.json", h.catalogExport(catalog.FormatJSON))
	h.catalogAttachmentRoutes(bureau)
}

// catalogPerPage is the length of a page of the staff list.
const catalogPerPage = 20

// catalogActionPerm is the permission each workflow action needs (the
// service checks it; the page only hides what the user may not do).
var catalogActionPerm = map[string]string{
	catalog.ActSubmit: "write", catalog.ActApprove: "review", catalog.ActReturn: "review",
	catalog.ActPublish: "write", catalog.ActWithdraw: "manage", catalog.ActRepeal: "write",
}

// catalogMessages are the catalog service's messages people meet in the
// console, in the catalogs (catalog.svc.*); the submatches fill {1}, {2} ...
var catalogMessages = []serviceMessage{
	{regexp.MustCompile(`^cannot ([a-z]+): the item is ([a-z]+) \(.*\); allowed from [a-z]+: (.*)$`), "catalog.svc.illegal"},
	{regexp.MustCompile(`^the confidentiality review .* must be done by someone other than the item's author or submitter`), "catalog.svc.reviewer_is_author"},
	{regexp.MustCompile(`^is required: say what to change or why the item is withdrawn$`), "catalog.svc.comment_required"},
	{regexp.MustCompile(`^is required: the date the information was formed`), "catalog.svc.formed_on_required"},
	{regexp.MustCompile(`^is required: the code of a category`), "catalog.svc.category_required"},
	{regexp.MustCompile(`^is required$`), "catalog.svc.required"},
	{regexp.MustCompile(`^(\S+) is in the future$`), "catalog.svc.future"},
	{regexp.MustCompile(`^must be at most (\d+) characters`), "catalog.svc.too_long"},
	{regexp.MustCompile(`^is required when the item is amended`), "catalog.svc.superseded_required"},
	{regexp.MustCompile(`^must be a published item of this bureau$`), "catalog.svc.superseded_published"},
	{regexp.MustCompile(`^item (\d+) already has a revision in progress`), "catalog.svc.revision_open"},
	{regexp.MustCompile(`^category (\S+) has (\d+) sub-categories`), "catalog.svc.category_has_children"},
	{regexp.MustCompile(`^category (\S+) holds (\d+) items`), "catalog.svc.category_has_items"},
	{regexp.MustCompile(`^category (\S+) already exists$`), "catalog.svc.category_exists"},
	{regexp.MustCompile(`^parent category (\S+) does not exist$`), "catalog.svc.parent_missing"},
	{regexp.MustCompile(`^"[^"]*": each dot-separated part uses`), "catalog.svc.code_rule"},
	{regexp.MustCompile(`^no category "([^"]*)" in this bureau's catalog$`), "catalog.svc.no_category"},
	{regexp.MustCompile(`^is required for import`), "catalog.svc.external_id_required"},
	{regexp.MustCompile(`^is empty: send at least one item$`), "catalog.svc.import_empty"},
	{regexp.MustCompile(`^must be changed, due or published$`), "catalog.svc.sort"},
	{regexp.MustCompile(`^must be other items of this bureau's catalog$`), "catalog.svc.related"},
	{regexp.MustCompile(`^at most (\d+) related items$`), "catalog.svc.related_max"},
	{regexp.MustCompile(`^at most (\d+) items per batch, got (\d+)$`), "catalog.svc.import_too_many"},
	{regexp.MustCompile(`^item (\d+) with external_id "([^"]*)" is ([a-z]+) .*only drafts are updated by import`), "catalog.svc.import_not_draft"},
}

// catalogMsg returns a catalog service message in the page's locale: the
// catalog's wording when it is one of catalogMessages, else as the console
// shows other service messages.
func catalogMsg(p *page, msg string) string {
	for _, sm := range catalogMessages {
		sub := sm.pattern.FindStringSubmatch(msg)
		if sub == nil {
			continue
		}
		vars := make([]string, 0, 2*len(sub))
		for i, v := range sub[1:] {
			vars = append(vars, strconv.Itoa(i+1), catalogWord(p, v))
		}
		return p.Tf(sm.key, vars...)
	}
	return p.Msg(msg)
}

// catalogWord names the workflow words (states and actions) a service
// message carries, in the page's locale; other words pass unchanged.
func catalogWord(p *page, w string) string {
	if slices.Contains(catalog.States, catalog.State(w)) {
		return p.T("catalog.state." + w)
	}
	if _, ok := catalogActionPerm[w]; ok || w == "edit" || w == "delete" || w == "revise" {
		return p.T("catalog.do." + w)
	}
	if strings.Contains(w, ", ") || w == "none" {
		var out []string
		for _, a := range strings.Split(w, ", ") {
			if a == "none" {
				return p.T("catalog.no_actions")
			}
			out = append(out, catalogWord(p, a))
		}
		return p.List(out)
	}
	return w
}

// catalogFormError shows err with the form, in the catalog's wording: field
// errors next to the fields, refusals and conflicts above it. It reports
// false for other errors, which the caller renders as an error page.
func catalogFormError(p *page, err error) bool {
	if fields := fault.FieldsOf(err); len(fields) > 0 {
		for _, f := range fields {
			if _, seen := p.Errors[f.Field]; !seen {
				p.Errors[f.Field] = catalogMsg(p, f.Message)
			}
		}
		p.General = p.T("error.fix")
		return true
	}
	if fault.Is(err, fault.Forbidden) || fault.Is(err, fault.Conflict) || fault.Is(err, fault.Invalid) {
		p.General = catalogMsg(p, fault.MessageOf(err))
		return true
	}
	return false
}

// catalogCrumbs puts the catalog list before the page's own crumb.
func catalogCrumbs(p *page, title string) {
	p.Area, p.Title = "catalog", title
	p.Crumbs = []crumb{{Name: p.T("nav.catalog"), URL: p.Base() + "/catalog"}, {Name: title}}
}

// catalogDue is an item's Art. 26 publication due date as the pages show it.
type catalogDue struct {
	DueOn    workday.Date
	DaysLeft int
	// Pending is true while the item is not published yet (the period
	// runs); Overdue and Near mark it past or within catalog.RiskWindow
	// working days of its due date.
	Pending, Overdue, Near bool
}

// catalogDueOf computes the due date of an item with the calendar (nil when the
// calendar could not be read: no due date is shown).
func catalogDueOf(cal *workday.Calendar, it catalog.Item, today workday.Date) catalogDue {
	var d catalogDue
	if cal == nil || it.FormedOn.IsZero() {
		return d
	}
	due, err := cal.AddWorkingDays(it.FormedOn, catalog.PublicationDays)
	if err != nil {
		return d
	}
	d.DueOn = due
	switch it.State {
	case catalog.Draft, catalog.Submitted, catalog.Approved:
		d.Pending = true
		d.DaysLeft, _ = cal.WorkingDaysBetween(today, due)
		d.Overdue = today.After(due)
		d.Near = !d.Overdue && d.DaysLeft <= catalog.RiskWindow
	}
	return d
}

type catalogRow struct {
	catalog.Hit
	Due catalogDue
	URL string
}

type catalogListData struct {
	Rows                       []catalogRow
	Total, Page, Pages         int
	PrevURL, NextURL           string
	Q, State, Category, Kind   string
	Sort                       string
	Sorts                      []string
	Year                       int
	Years                      []int
	States                     []catalog.State
	Kinds                      []string
	Categories                 []catalogCategoryOption
	CanWrite, CanManage        bool
	ExportCSV, ExportJSON, Pub string
}

// catalogCategoryOption is a category in a select, indented by its depth.
type catalogCategoryOption struct {
	Code, Name string
	Depth      int
	// Leaf reports a category without sub-categories.
	Leaf bool
}

// Indent is the visual indentation of the option.
func (c catalogCategoryOption) Indent() string { return strings.Repeat("\u00a0\u00a0", c.Depth) }

// flattenCatalogCategories lists the tree in display order with depths.
func flattenCatalogCategories(nodes []catalog.CategoryNode, depth int, out []catalogCategoryOption) []catalogCategoryOption {
	for _, n := range nodes {
		out = append(out, catalogCategoryOption{Code: n.Code, Name: n.Name, Depth: depth, Leaf: len(n.Children) == 0})
		out = flattenCatalogCategories(n.Children, depth+1, out)
	}
	return out
}

var catalogKinds = []string{catalog.KindRule, catalog.KindNormative, catalog.KindOther}

func (h *handler) catalogList(w http.ResponseWriter, r *http.Request, p *page) {
	p.Area, p.Title = "catalog", p.T("nav.catalog")
	ctx := r.Context()
	q := r.URL.Query()
	d := catalogListData{Q: strings.TrimSpace(q.Get("q")), State: q.Get("state"), Category: q.Get("category"), Kind: q.Get("kind"),
		Sort: q.Get("sort"), Sorts: []string{catalog.OrderChanged, catalog.OrderDue, catalog.OrderPublished},
		States: catalog.States, Kinds: catalogKinds, CanWrite: p.Can("catalog", "write"), CanManage: p.Can("catalog", "manage"),
		Pub: "/b/" + p.Bureau.Slug + "/catalog"}
	d.Year, _ = strconv.Atoi(q.Get("year"))
	d.Page, _ = strconv.Atoi(q.Get("page"))
	d.Page = max(d.Page, 1)
	query := catalog.Query{Q: d.Q, Category: d.Category, Year: d.Year, DocKind: d.Kind, Page: d.Page, PerPage: catalogPerPage}
	if d.State != "" {
		query.States = []catalog.State{catalog.State(d.State)}
	}
	res, err := h.deps.Catalog.ListSorted(ctx, p.Bureau.ID, query, d.Sort)
	if err != nil && !catalogFormError(p, err) {
		h.fail(w, r, p, err)
		return
	}
	status := http.StatusOK
	if err != nil {
		status = fault.HTTPStatus(err)
		res = &catalog.Results{Page: 1, PerPage: catalogPerPage}
	}
	if tree, err := h.deps.Catalog.Categories(ctx, p.Bureau.ID); err == nil {
		d.Categories = flattenCatalogCategories(tree, 0, nil)
	}
	if years, err := h.deps.Catalog.PublicYears(ctx, p.Bureau.ID); err == nil {
		d.Years = years
	}
	cal, _ := h.deps.Catalog.WorkingCalendar(ctx)
	today := workday.FromTime(h.deps.Now(), h.deps.Location)
	for _, hit := range res.Hits {
		d.Rows = append(d.Rows, catalogRow{Hit: hit, Due: catalogDueOf(cal, hit.Item, today), URL: p.Base() + "/catalog/items/" + strconv.FormatInt(hit.ID, 10)})
	}
	d.Total, d.Pages = res.Total, res.Pages()
	link := func(page int) string {
		v := url.Values{}
		for k, s := range map[string]string{"q": d.Q, "state": d.State, "category": d.Category, "kind": d.Kind, "sort": d.Sort} {
			if s != "" {
				v.Set(k, s)
			}
		}
		if d.Year != 0 {
			v.Set("year", strconv.Itoa(d.Year))
		}
		if page > 1 {
			v.Set("page", strconv.Itoa(page))
		}
		if len(v) == 0 {
			return p.Base() + "/catalog"
		}
		return p.Base() + "/catalog?" + v.Encode()
	}
	if d.Page > 1 {
		d.PrevURL = link(d.Page - 1)
	}
	if n := res.NextPage(); n > 0 {
		d.NextURL = link(n)
	}
	d.ExportCSV, d.ExportJSON = p.Base()+"/catalog/export.csv", p.Base()+"/catalog/export.json"
	p.Data = d
	h.render(w, r, status, "catalog", p)
}

// catalogItemForm is the item form as typed, shown again with its errors.
type catalogItemForm struct {
	Title, Summary, Body, DocNo, Issuer, FormedOn, Category, DocKind string
	Topics                                                           []string
	Basis                                                            int
	// Related are the ids of the related items (相关信息).
	Related []int64
}

func catalogFormOf(it catalog.Item) catalogItemForm {
	return catalogItemForm{Title: it.Title, Summary: it.Summary, Body: it.Body, DocNo: it.DocNo, Issuer: it.Issuer, FormedOn: it.FormedOn.String(),
		Category: it.CategoryCode, DocKind: it.DocKind, Topics: it.TopicCodes(), Basis: it.Basis}
}

func readCatalogItemForm(r *http.Request) catalogItemForm {
	f := catalogItemForm{Title: r.PostFormValue("title"), Summary: r.PostFormValue("summary"), Body: r.PostFormValue("body"),
		DocNo: r.PostFormValue("doc_no"), Issuer: r.PostFormValue("issuer"), FormedOn: r.PostFormValue("formed_on"),
		Category: r.PostFormValue("category"), DocKind: r.PostFormValue("doc_kind"), Topics: r.PostForm["topics"]}
	f.Basis, _ = strconv.Atoi(r.PostFormValue("basis"))
	for _, v := range r.PostForm["related"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			f.Related = append(f.Related, id)
		}
	}
	return f
}

func (f catalogItemForm) input() catalog.ItemInput {
	return catalog.ItemInput{Title: f.Title, Summary: f.Summary, Body: f.Body, DocNo: f.DocNo, Issuer: f.Issuer, FormedOn: parseDate(f.FormedOn),
		Category: f.Category, Topics: f.Topics, DocKind: f.DocKind, Basis: f.Basis}
}

type catalogTopicOption struct {
	Code, Name string
	Checked    bool
}

type catalogFormData struct {
	Form       catalogItemForm
	Item       *catalog.Item // nil for a new item
	Action     string
	Back       string
	Categories []catalogCategoryOption
	Topics     []catalogTopicOption
	Kinds      []string
	Bases      []int
	// RelatedOptions are the items that can be named as related: the
	// bureau's public items, newest first, and those already named.
	RelatedOptions []catalogRelatedOption
}

// catalogRelatedOption is an item in the related-items select.
type catalogRelatedOption struct {
	ID             int64
	Title, IndexNo string
	State          catalog.State
	Selected       bool
}

// catalogBases are the items of Art. 20 a disclosure basis can name.
var catalogBases = []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}

func (h *handler) renderCatalogItemForm(w http.ResponseWriter, r *http.Request, p *page, status int, d catalogFormData) {
	if tree, err := h.deps.Catalog.Categories(r.Context(), p.Bureau.ID); err == nil {
		d.Categories = flattenCatalogCategories(tree, 0, nil)
	}
	for _, tp := range h.deps.Catalog.Template(p.Bureau).Topics {
		d.Topics = append(d.Topics, catalogTopicOption{Code: tp.Code, Name: tp.Name, Checked: slices.Contains(d.Form.Topics, tp.Code)})
	}
	d.Kinds, d.Bases = catalogKinds, catalogBases
	self := int64(0)
	if d.Item != nil {
		self = d.Item.ID
		if d.Item.RevisesID != 0 {
			self = d.Item.RevisesID
		}
	}
	add := func(it catalog.Item) {
		if it.ID == self || it.ID == 0 || slices.ContainsFunc(d.RelatedOptions, func(o catalogRelatedOption) bool { return o.ID == it.ID }) {
			return
		}
		d.RelatedOptions = append(d.RelatedOptions, catalogRelatedOption{ID: it.ID, Title: it.Title, IndexNo: it.IndexNo, State: it.State,
			Selected: slices.Contains(d.Form.Related, it.ID)})
	}
	for _, id := range d.Form.Related {
		if dt, err := h.deps.Catalog.Get(r.Context(), p.Bureau.ID, id); err == nil {
			add(dt.Item)
		}
	}
	if res, err := h.deps.Catalog.ListSorted(r.Context(), p.Bureau.ID, catalog.Query{States: []catalog.State{catalog.Published, catalog.Repealed},
		PerPage: 100}, catalog.OrderPublished); err == nil {
		for _, hit := range res.Hits {
			add(hit.Item)
		}
	}
	p.Data = d
	h.render(w, r, status, "catalog_form", p)
}

func (h *handler) catalogNewForm(w http.ResponseWriter, r *http.Request, p *page) {
	catalogCrumbs(p, p.T("catalog.new"))
	today := workday.FromTime(h.deps.Now(), h.deps.Location)
	h.renderCatalogItemForm(w, r, p, http.StatusOK, catalogFormData{Form: catalogItemForm{FormedOn: today.String(), DocKind: catalog.KindOther, Issuer: p.Bureau.Name},
		Action: p.Base() + "/catalog/new", Back: p.Base() + "/catalog"})
}

func (h *handler) catalogCreate(w http.ResponseWriter, r *http.Request, p *page) {
	f := readCatalogItemForm(r)
	it, err := h.deps.Catalog.Create(r.Context(), p.Bureau.ID, f.input())
	if err == nil && len(f.Related) > 0 {
		if rerr := h.deps.Catalog.SetRelated(r.Context(), p.Bureau.ID, it.ID, f.Related); rerr != nil {
			// The draft is stored; its form comes back with the error.
			if !catalogFormError(p, rerr) {
				h.fail(w, r, p, rerr)
				return
			}
			catalogCrumbs(p, p.T("catalog.edit"))
			h.renderCatalogItemForm(w, r, p, fault.HTTPStatus(rerr), catalogFormData{Form: f, Item: it, Action: h.catalogItemURL(p, it.ID) + "/edit",
				Back: h.catalogItemURL(p, it.ID)})
			return
		}
	}
	if err == nil {
		h.flash(w, r, p.Base()+"/catalog/items/"+strconv.FormatInt(it.ID, 10), "flash.catalog_created", it.Title)
		return
	}
	if !catalogFormError(p, err) {
		h.fail(w, r, p, err)
		return
	}
	catalogCrumbs(p, p.T("catalog.new"))
	h.renderCatalogItemForm(w, r, p, fault.HTTPStatus(err), catalogFormData{Form: f, Action: p.Base() + "/catalog/new", Back: p.Base() + "/catalog"})
}

func catalogItemID(r *http.Request) int64 {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id
}

func (h *handler) catalogItemURL(p *page, id int64) string {
	return p.Base() + "/catalog/items/" + strconv.FormatInt(id, 10)
}

func (h *handler) catalogEditForm(w http.ResponseWriter, r *http.Request, p *page) {
	dt, err := h.deps.Catalog.Get(r.Context(), p.Bureau.ID, catalogItemID(r))
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	it := dt.Item
	catalogCrumbs(p, p.T("catalog.edit"))
	p.Crumbs = []crumb{{Name: p.T("nav.catalog"), URL: p.Base() + "/catalog"}, {Name: it.Title, URL: h.catalogItemURL(p, it.ID)}, {Name: p.Title}}
	if it.State != catalog.Draft {
		p.General = p.Tf("catalog.not_editable", "state", p.T("catalog.state."+string(it.State)))
	}
	f := catalogFormOf(it)
	if rel, err := h.deps.Catalog.RelatedItems(r.Context(), p.Bureau.ID, it.ID); err == nil {
		for _, x := range rel {
			f.Related = append(f.Related, x.ID)
		}
	}
	h.renderCatalogItemForm(w, r, p, http.StatusOK, catalogFormData{Form: f, Item: &it, Action: h.catalogItemURL(p, it.ID) + "/edit", Back: h.catalogItemURL(p, it.ID)})
}

func (h *handler) catalogUpdate(w http.ResponseWriter, r *http.Request, p *page) {
	f := readCatalogItemForm(r)
	it, err := h.deps.Catalog.Update(r.Context(), p.Bureau.ID, catalogItemID(r), f.input())
	if err == nil {
		err = h.deps.Catalog.SetRelated(r.Context(), p.Bureau.ID, it.ID, f.Related)
	}
	if err == nil {
		h.flash(w, r, h.catalogItemURL(p, it.ID), "flash.catalog_saved", it.Title)
		return
	}
	if fault.Is(err, fault.NotFound) || !catalogFormError(p, err) {
		h.fail(w, r, p, err)
		return
	}
	dt, gerr := h.deps.Catalog.Get(r.Context(), p.Bureau.ID, catalogItemID(r))
	if gerr != nil {
		h.fail(w, r, p, gerr)
		return
	}
	catalogCrumbs(p, p.T("catalog.edit"))
	p.Crumbs = []crumb{{Name: p.T("nav.catalog"), URL: p.Base() + "/catalog"}, {Name: dt.Item.Title, URL: h.catalogItemURL(p, dt.Item.ID)}, {Name: p.Title}}
	h.renderCatalogItemForm(w, r, p, fault.HTTPStatus(err), catalogFormData{Form: f, Item: &dt.Item, Action: h.catalogItemURL(p, dt.Item.ID) + "/edit", Back: h.catalogItemURL(p, dt.Item.ID)})
}

// catalogItemAction is a workflow button on the item page.
type catalogItemAction struct {
	Action string
	// Danger marks actions that take information off the public catalog.
	Danger bool
}

type catalogItemData struct {
	Detail     *catalog.Detail
	BodyHTML   template.HTML
	TopicNames []string
	Due        catalogDue
	// Explanation is the day-by-day count of the Art. 26 period.
	Explanation []string
	// PublishedLate reports an item published after its due date.
	PublishedLate bool
	Actions       []catalogItemAction
	CanRepeal     bool
	CanRevise     bool
	CanEdit       bool
	CanDelete     bool
	// Replacements are the published items that can supersede this one
	// (repeal form).
	Replacements []catalog.Hit
	SupersededBy *catalog.Item
	Revises      *catalog.Item
	// Related are the related items (相关信息).
	Related []catalog.Item
	// Attachments are the item's files (附件); CanAttach allows adding and
	// removing them (drafts); AttachmentLimit is the size limit in MiB.
	Attachments     []catalog.Attachment
	CanAttach       bool
	AttachmentLimit string
	PublicURL       string
	Comment         string
	Validity        string
	Superseding     int64
}

func (h *handler) loadCatalogItem(w http.ResponseWriter, r *http.Request, p *page) (*catalogItemData, bool) {
	ctx := r.Context()
	dt, err := h.deps.Catalog.Get(ctx, p.Bureau.ID, catalogItemID(r))
	if err != nil {
		h.fail(w, r, p, err)
		return nil, false
	}
	it := dt.Item
	d := &catalogItemData{Detail: dt, BodyHTML: h.deps.Catalog.SafeBody(it.Body), Validity: catalog.ValidityRepeal}
	tmpl := h.deps.Catalog.Template(p.Bureau)
	for _, code := range it.TopicCodes() {
		if tp, ok := tmpl.Topic(code); ok {
			d.TopicNames = append(d.TopicNames, tp.Name)
		} else {
			d.TopicNames = append(d.TopicNames, code)
		}
	}
	cal, _ := h.deps.Catalog.WorkingCalendar(ctx)
	d.Due = catalogDueOf(cal, it, workday.FromTime(h.deps.Now(), h.deps.Location))
	if _, lines, err := h.deps.Catalog.ExplainDue(ctx, it.FormedOn); err == nil {
		d.Explanation = lines
	}
	if !it.PublishedOn.IsZero() && !d.Due.DueOn.IsZero() && it.RevisedOn.IsZero() {
		d.PublishedLate = it.PublishedOn.After(d.Due.DueOn)
	}
	for _, a := range dt.Allowed {
		perm, workflow := catalogActionPerm[a]
		switch {
		case a == catalog.ActRepeal:
			d.CanRepeal = p.Can("catalog", perm)
		case workflow:
			if p.Can("catalog", perm) {
				d.Actions = append(d.Actions, catalogItemAction{Action: a, Danger: a == catalog.ActWithdraw})
			}
		case a == "revise":
			d.CanRevise = p.Can("catalog", "write")
		case a == "edit":
			d.CanEdit = p.Can("catalog", "write")
		case a == "delete":
			d.CanDelete = p.Can("catalog", "write")
		}
	}
	if d.CanRepeal {
		res, err := h.deps.Catalog.List(ctx, p.Bureau.ID, catalog.Query{States: []catalog.State{catalog.Published}, PerPage: 100})
		if err == nil {
			for _, hit := range res.Hits {
				if hit.ID != it.ID {
					d.Replacements = append(d.Replacements, hit)
				}
			}
		}
	}
	if it.SupersededBy != 0 {
		if by, err := h.deps.Catalog.Get(ctx, p.Bureau.ID, it.SupersededBy); err == nil {
			d.SupersededBy = &by.Item
		}
	}
	if d.Related, err = h.deps.Catalog.RelatedItems(ctx, p.Bureau.ID, it.ID); err != nil {
		h.fail(w, r, p, err)
		return nil, false
	}
	if it.RevisesID != 0 {
		if o, err := h.deps.Catalog.Get(ctx, p.Bureau.ID, it.RevisesID); err == nil {
			d.Revises = &o.Item
		}
	}
	if it.State.Public() && it.IndexNo != "" {
		d.PublicURL = "/b/" + p.Bureau.Slug + "/catalog/" + it.IndexNo
	}
	catalogCrumbs(p, it.Title)
	if err := h.loadCatalogAttachments(r, p, d); err != nil {
		h.fail(w, r, p, err)
		return nil, false
	}
	return d, true
}

func (h *handler) catalogItem(w http.ResponseWriter, r *http.Request, p *page) {
	d, ok := h.loadCatalogItem(w, r, p)
	if !ok {
		return
	}
	p.Data = d
	h.render(w, r, http.StatusOK, "catalog_item", p)
}

// afterCatalogItemForm shows the item again with the errors of a failed action,
// or follows a successful one with a flash message.
func (h *handler) afterCatalogItemForm(w http.ResponseWriter, r *http.Request, p *page, err error, flashKey, value string) {
	if err == nil {
		h.flash(w, r, h.catalogItemURL(p, catalogItemID(r)), flashKey, value)
		return
	}
	if fault.Is(err, fault.NotFound) || !catalogFormError(p, err) {
		h.fail(w, r, p, err)
		return
	}
	general, errs := p.General, p.Errors
	d, ok := h.loadCatalogItem(w, r, p)
	if !ok {
		return
	}
	p.General, p.Errors = general, errs
	d.Comment = r.PostFormValue("comment")
	if v := r.PostFormValue("validity"); v != "" {
		d.Validity = v
	}
	d.Superseding, _ = strconv.ParseInt(r.PostFormValue("superseded_by"), 10, 64)
	p.Data = d
	h.render(w, r, fault.HTTPStatus(err), "catalog_item", p)
}

func (h *handler) catalogTransition(w http.ResponseWriter, r *http.Request, p *page) {
	action := r.PostFormValue("action")
	step := catalog.Step{Action: action, Comment: r.PostFormValue("comment")}
	if action == catalog.ActRepeal {
		step.Validity = r.PostFormValue("validity")
		step.SupersededBy, _ = strconv.ParseInt(r.PostFormValue("superseded_by"), 10, 64)
	}
	it, err := h.deps.Catalog.Transition(r.Context(), p.Bureau.ID, catalogItemID(r), step)
	if err == nil && it.ID != catalogItemID(r) {
		// A published revision draft is gone; its item carries the content.
		h.flash(w, r, h.catalogItemURL(p, it.ID), "flash.catalog_revision_published", it.IndexNo)
		return
	}
	value := ""
	if err == nil {
		value = it.IndexNo
	}
	h.afterCatalogItemForm(w, r, p, err, "flash.catalog_"+catalogFlash(action), value)
}

// catalogFlash names the flash message of an action.
func catalogFlash(action string) string {
	if _, ok := catalogActionPerm[action]; ok {
		return action
	}
	return "done"
}

func (h *handler) catalogRevise(w http.ResponseWriter, r *http.Request, p *page) {
	d, err := h.deps.Catalog.Revise(r.Context(), p.Bureau.ID, catalogItemID(r))
	if err == nil {
		h.flash(w, r, h.catalogItemURL(p, d.ID)+"/edit", "flash.catalog_revise", "")
		return
	}
	h.afterCatalogItemForm(w, r, p, err, "", "")
}

func (h *handler) catalogConfirmDelete(w http.ResponseWriter, r *http.Request, p *page) {
	dt, err := h.deps.Catalog.Get(r.Context(), p.Bureau.ID, catalogItemID(r))
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	catalogCrumbs(p, p.T("catalog.delete"))
	p.Data = confirmData{Message: p.Tf("catalog.delete_confirm", "title", dt.Item.Title), Action: h.catalogItemURL(p, dt.Item.ID) + "/delete",
		Back: h.catalogItemURL(p, dt.Item.ID), Button: p.T("catalog.delete")}
	h.render(w, r, http.StatusOK, "confirm", p)
}

func (h *handler) catalogDelete(w http.ResponseWriter, r *http.Request, p *page) {
	err := h.deps.Catalog.Delete(r.Context(), p.Bureau.ID, catalogItemID(r))
	if err == nil {
		h.flash(w, r, p.Base()+"/catalog", "flash.catalog_deleted", "")
		return
	}
	h.afterCatalogItemForm(w, r, p, err, "", "")
}

type catalogCategoriesData struct {
	Options   []catalogCategoryOption
	CanManage bool
	// The add form as typed.
	Parent, Code, Name string
	// Renaming is the code whose rename failed; RenameTo what was typed.
	Renaming, RenameTo string
}

func (h *handler) renderCatalogCategories(w http.ResponseWriter, r *http.Request, p *page, status int, d catalogCategoriesData) {
	catalogCrumbs(p, p.T("catalog.categories"))
	tree, err := h.deps.Catalog.Categories(r.Context(), p.Bureau.ID)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	d.Options, d.CanManage = flattenCatalogCategories(tree, 0, nil), p.Can("catalog", "manage")
	p.Data = d
	h.render(w, r, status, "catalog_categories", p)
}

func (h *handler) catalogCategories(w http.ResponseWriter, r *http.Request, p *page) {
	if !p.Can("catalog", "read") {
		h.fail(w, r, p, fault.New(fault.Forbidden, "your role does not allow read on catalog"))
		return
	}
	h.renderCatalogCategories(w, r, p, http.StatusOK, catalogCategoriesData{})
}

func (h *handler) catalogAddCategory(w http.ResponseWriter, r *http.Request, p *page) {
	d := catalogCategoriesData{Parent: r.PostFormValue("parent"), Code: strings.TrimSpace(r.PostFormValue("code")), Name: r.PostFormValue("name")}
	code := d.Code
	if d.Parent != "" {
		code = d.Parent + "." + d.Code
	}
	c, err := h.deps.Catalog.AddCategory(r.Context(), p.Bureau.ID, code, d.Name)
	if err == nil {
		h.flash(w, r, p.Base()+"/catalog/categories", "flash.catalog_category_added", c.Name)
		return
	}
	if !catalogFormError(p, err) {
		h.fail(w, r, p, err)
		return
	}
	h.renderCatalogCategories(w, r, p, fault.HTTPStatus(err), d)
}

func (h *handler) catalogRenameCategory(w http.ResponseWriter, r *http.Request, p *page) {
	code := r.PathValue("code")
	c, err := h.deps.Catalog.RenameCategory(r.Context(), p.Bureau.ID, code, r.PostFormValue("name"))
	if err == nil {
		h.flash(w, r, p.Base()+"/catalog/categories", "flash.catalog_category_renamed", c.Name)
		return
	}
	if fault.Is(err, fault.NotFound) || !catalogFormError(p, err) {
		h.fail(w, r, p, err)
		return
	}
	if msg, ok := p.Errors["name"]; ok {
		delete(p.Errors, "name")
		p.Errors["rename."+code] = msg
	}
	h.renderCatalogCategories(w, r, p, fault.HTTPStatus(err), catalogCategoriesData{Renaming: code, RenameTo: r.PostFormValue("name")})
}

func (h *handler) catalogConfirmDeleteCategory(w http.ResponseWriter, r *http.Request, p *page) {
	code := r.PathValue("code")
	tree, err := h.deps.Catalog.Categories(r.Context(), p.Bureau.ID)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	i := slices.IndexFunc(flattenCatalogCategories(tree, 0, nil), func(c catalogCategoryOption) bool { return c.Code == code })
	if i < 0 {
		h.fail(w, r, p, fault.New(fault.NotFound, "category not found"))
		return
	}
	name := flattenCatalogCategories(tree, 0, nil)[i].Name
	catalogCrumbs(p, p.T("catalog.category_delete"))
	p.Crumbs = []crumb{{Name: p.T("nav.catalog"), URL: p.Base() + "/catalog"}, {Name: p.T("catalog.categories"), URL: p.Base() + "/catalog/categories"}, {Name: p.Title}}
	p.Data = confirmData{Message: p.Tf("catalog.category_delete_confirm", "name", name, "code", code),
		Action: p.Base() + "/catalog/categories/" + url.PathEscape(code) + "/delete", Back: p.Base() + "/catalog/categories", Button: p.T("catalog.category_delete")}
	h.render(w, r, http.StatusOK, "confirm", p)
}

func (h *handler) catalogDeleteCategory(w http.ResponseWriter, r *http.Request, p *page) {
	code := r.PathValue("code")
	err := h.deps.Catalog.DeleteCategory(r.Context(), p.Bureau.ID, code)
	if err == nil {
		h.flash(w, r, p.Base()+"/catalog/categories", "flash.catalog_category_deleted", code)
		return
	}
	if fault.Is(err, fault.NotFound) || !catalogFormError(p, err) {
		h.fail(w, r, p, err)
		return
	}
	h.renderCatalogCategories(w, r, p, fault.HTTPStatus(err), catalogCategoriesData{})
}

// catalogImportRow is one item of an import file: the fields of the API's
// import-catalog-items.
type catalogImportRow struct {
	ExternalID string       `json:"external_id"`
	Title      string       `json:"title"`
	Summary    string       `json:"summary"`
	Body       string       `json:"body"`
	DocNo      string       `json:"doc_no"`
	Issuer     string       `json:"issuer"`
	FormedOn   workday.Date `json:"formed_on"`
	Category   string       `json:"category"`
	Topics     []string     `json:"topics"`
	DocKind    string       `json:"doc_kind"`
	Basis      int          `json:"basis"`
}

// catalogMaxImportFile bounds an uploaded import file.
const catalogMaxImportFile = 10 << 20

// catalogRejectedRow is a rejected row of an import, its errors named by field.
type catalogRejectedRow struct {
	Row        int
	ExternalID string
	Errors     []catalogFieldMsg
}

// catalogFieldMsg is an error of one field, with the field's label.
type catalogFieldMsg struct{ Field, Message string }

type catalogImportData struct {
	Report *catalog.ImportReport
	// Rejected are the rejected rows of a refused batch.
	Rejected []catalogRejectedRow
	FileName string
	Example  string
}

const catalogImportExample = `{"items": [{"external_id": "oa-2026-0001", "title": "...", "formed_on": "2026-03-02", "category": "policy.other"}]}`

func (h *handler) catalogImportForm(w http.ResponseWriter, r *http.Request, p *page) {
	catalogCrumbs(p, p.T("catalog.import"))
	p.Data = catalogImportData{Example: catalogImportExample}
	h.render(w, r, http.StatusOK, "catalog_import", p)
}

// parseCatalogImport reads an import file: {"items": [...]} as the API takes it,
// or a bare array of items.
func parseCatalogImport(b []byte) ([]catalogImportRow, error) {
	b = bytes.TrimPrefix(bytes.TrimSpace(b), []byte("\xef\xbb\xbf"))
	var rows []catalogImportRow
	if len(b) > 0 && b[0] == '[' {
		err := json.Unmarshal(b, &rows)
		return rows, err
	}
	var wrapped struct {
		Items []catalogImportRow `json:"items"`
	}
	err := json.Unmarshal(b, &wrapped)
	return wrapped.Items, err
}

func (h *handler) catalogImport(w http.ResponseWriter, r *http.Request, p *page) {
	catalogCrumbs(p, p.T("catalog.import"))
	d := catalogImportData{Example: catalogImportExample}
	status := http.StatusOK
	file, hdr, err := r.FormFile("file")
	if err != nil {
		p.Errors["file"] = p.T("catalog.import_no_file")
		p.General = p.T("error.fix")
		p.Data = d
		h.render(w, r, http.StatusUnprocessableEntity, "catalog_import", p)
		return
	}
	defer file.Close()
	d.FileName = hdr.Filename
	b, err := io.ReadAll(io.LimitReader(file, catalogMaxImportFile+1))
	var rows []catalogImportRow
	if err == nil && len(b) <= catalogMaxImportFile {
		rows, err = parseCatalogImport(b)
	}
	if err != nil || len(b) > catalogMaxImportFile {
		p.Errors["file"] = p.T("catalog.import_bad_file")
		p.General = p.T("error.fix")
		p.Data = d
		h.render(w, r, http.StatusUnprocessableEntity, "catalog_import", p)
		return
	}
	in := make([]catalog.ItemInput, len(rows))
	for i, row := range rows {
		in[i] = catalog.ItemInput{ExternalID: row.ExternalID, Title: row.Title, Summary: row.Summary, Body: row.Body, DocNo: row.DocNo, Issuer: row.Issuer,
			FormedOn: row.FormedOn, Category: row.Category, Topics: row.Topics, DocKind: row.DocKind, Basis: row.Basis}
	}
	rep, err := h.deps.Catalog.Import(r.Context(), p.Bureau.ID, in)
	switch {
	case err == nil:
		d.Report = rep
	case rep != nil:
		d.Report = rep
		for _, row := range rep.Rows {
			if row.Status != catalog.RowRejected {
				continue
			}
			rr := catalogRejectedRow{Row: row.Row + 1, ExternalID: row.ExternalID}
			for _, e := range row.Errors {
				_, field, _ := strings.Cut(e.Field, "].")
				rr.Errors = append(rr.Errors, catalogFieldMsg{Field: p.Label("catalog.field", field, field), Message: catalogMsg(p, e.Message)})
			}
			d.Rejected = append(d.Rejected, rr)
		}
		p.General = p.Tf("catalog.import_refused", "count", strconv.Itoa(rep.Rejected))
		status = fault.HTTPStatus(err)
	case fault.FieldsOf(err) != nil:
		for _, f := range fault.FieldsOf(err) {
			p.Errors["file"] = catalogMsg(p, f.Message)
		}
		p.General = p.T("error.fix")
		status = fault.HTTPStatus(err)
	default:
		h.fail(w, r, p, err)
		return
	}
	p.Data = d
	h.render(w, r, status, "catalog_import", p)
}

func (h *handler) catalogExport(format string) pageFunc {
	return func(w http.ResponseWriter, r *http.Request, p *page) {
		var buf bytes.Buffer
		if err := h.deps.Catalog.Export(r.Context(), p.Bureau.ID, nil, format, &buf); err != nil {
			h.fail(w, r, p, err)
			return
		}
		ct := "text/csv; charset=utf-8"
		if format == catalog.FormatJSON {
			ct = "application/json"
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Content-Disposition", `attachment; filename="catalog-`+p.Bureau.Slug+`.`+format+`"`)
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(buf.Bytes())
	}
}
