package portal

import (
	"bytes"
	"encoding/xml"
	"html"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"gongkai/internal/catalog"
	"gongkai/internal/fault"
	"gongkai/internal/tenant"
	"gongkai/internal/workday"
	"gongkai/web"
)

// catalogPages serves a bureau's public disclosure catalog (政府信息公开目录,
// Art. 12, 19–26): browsing, search, the item page, and the Atom feed.
type catalogPages struct {
	h     *handler
	list  *template.Template
	item  *template.Template
	cache *pageCache // rendered pages (pagecache.go)
}

// registerCatalog adds the catalog pages to mux.
func (h *handler) registerCatalog(mux *http.ServeMux) {
	parse := func(name string) *template.Template {
		return template.Must(template.ParseFS(web.Templates, "templates/portal_layout.html", "templates/"+name))
	}
	p := &catalogPages{h: h, list: parse("portal_catalog.html"), item: parse("portal_catalog_item.html"), cache: newPageCache(h.deps.PageCacheBytes)}
	mux.HandleFunc("GET /b/{slug}/catalog", p.serveList)
	mux.HandleFunc("GET /b/{slug}/catalog/feed.atom", p.serveFeed)
	mux.HandleFunc("GET /b/{slug}/catalog/{key...}", p.serveItem)
}

// render writes the page with the status.
func (p *catalogPages) render(w http.ResponseWriter, r *http.Request, t *template.Template, status int, data any) {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "portal_layout", data); err != nil {
		p.h.deps.Log.ErrorContext(r.Context(), "render", "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// categoryLink is one entry of the category navigation.
type categoryLink struct {
	Name    string
	URL     string
	Depth   int
	Current bool
}

// categoryItemsHTML renders the category links as the list items of the
// catalog's navigation. Written here rather than in the template: a
// template action costs a reflective call per field and per escaper, and
// a bureau's tree has dozens of entries on every catalog page (about a
// fifth of the page's time went to it). Every value is escaped.
func categoryItemsHTML(links []categoryLink) template.HTML {
	var b strings.Builder
	for _, c := range links {
		b.WriteString(`<li class="depth-`)
		b.WriteString(strconv.Itoa(c.Depth))
		b.WriteString(`"><a href="`)
		b.WriteString(html.EscapeString(c.URL))
		b.WriteString(`"`)
		if c.Current {
			b.WriteString(` aria-current="page"`)
		}
		b.WriteString(`>`)
		b.WriteString(html.EscapeString(c.Name))
		b.WriteString("</a></li>\n")
	}
	return template.HTML(b.String())
}

// rowsHTML renders the result rows of the catalog's table (see
// categoryItemsHTML for why here). TitleHTML and SummaryHTML are already
// escaped, with the matches in <mark>; everything else is escaped here.
func rowsHTML(rows []catalogRow) template.HTML {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString("<tr>\n<td class=\"index\">")
		b.WriteString(html.EscapeString(r.IndexNo))
		b.WriteString("</td>\n<td><a href=\"")
		b.WriteString(html.EscapeString(r.URL))
		b.WriteString(`">`)
		b.WriteString(string(r.TitleHTML))
		b.WriteString("</a>")
		if r.Validity != "" {
			b.WriteString("（" + html.EscapeString(r.Validity) + "）")
		}
		if r.SummaryHTML != "" {
			b.WriteString(`<p class="excerpt">` + string(r.SummaryHTML) + "</p>")
		}
		b.WriteString("</td>\n<td>")
		b.WriteString(html.EscapeString(r.PublishedOn))
		b.WriteString("</td>\n</tr>\n")
	}
	return template.HTML(b.String())
}

// catalogRow is one result row.
type catalogRow struct {
	URL          string
	IndexNo      string
	TitleHTML    template.HTML
	SummaryHTML  template.HTML
	PublishedOn  string
	CategoryName string
	Validity     string // set when not in force
}

// option is a choice of a select.
type option struct {
	Value, Label string
	Selected     bool
}

type catalogListData struct {
	Tenant     tenant.Tenant
	Categories []categoryLink
	AllURL     string
	AllCurrent bool
	Q          string
	Category   string
	CategoryIn string // name of the selected category
	Years      []option
	Kinds      []option
	Rows       []catalogRow
	// CategoryItemsHTML and RowsHTML are Categories and Rows rendered.
	CategoryItemsHTML template.HTML
	RowsHTML          template.HTML
	Total             int
	Page              int
	Pages             int
	PrevURL           string
	NextURL           string
	FeedURL           string
	Error             string
}

// catalogURL is the list URL with the given parameters (empty ones left out).
func catalogURL(slug string, params map[string]string) string {
	v := url.Values{}
	for k, val := range params {
		if val != "" && val != "0" {
			v.Set(k, val)
		}
	}
	u := "/b/" + slug + "/catalog"
	if len(v) > 0 {
		u += "?" + v.Encode()
	}
	return u
}

// itemURL is the public URL of an item: by index number when it has one.
func itemURL(slug string, it catalog.Item) string {
	if it.IndexNo != "" {
		return "/b/" + slug + "/catalog/" + it.IndexNo
	}
	return "/b/" + slug + "/catalog/" + strconv.FormatInt(it.ID, 10)
}

func (p *catalogPages) serveList(w http.ResponseWriter, r *http.Request) {
	t, err := p.h.deps.Tenants.BySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		p.h.fail(w, r, err)
		return
	}
	p.cached(w, r, t, func(w http.ResponseWriter) { p.renderList(w, r, t) })
}

// renderList renders the list or search page of t's catalog for r.
func (p *catalogPages) renderList(w http.ResponseWriter, r *http.Request, t tenant.Tenant) {
	ctx := r.Context()
	cat := p.h.deps.Catalog
	qs := r.URL.Query()
	year, _ := strconv.Atoi(qs.Get("year"))
	pageNo, _ := strconv.Atoi(qs.Get("page"))
	q := catalog.Query{Q: strings.TrimSpace(qs.Get("q")), Category: qs.Get("category"), Year: year, DocKind: qs.Get("kind"), Page: max(pageNo, 1)}
	d := catalogListData{Tenant: t, Q: q.Q, Category: q.Category}
	params := map[string]string{"q": q.Q, "category": q.Category, "year": strconv.Itoa(q.Year), "kind": q.DocKind}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for kk, vv := range params {
			m[kk] = vv
		}
		m[k] = v
		return m
	}

	listing, err := cat.PublicListing(ctx, t, q)
	status := http.StatusOK
	switch {
	case fault.Is(err, fault.Invalid):
		status, d.Error = http.StatusUnprocessableEntity, "查询条件有误："+fault.MessageOf(err)
	case err != nil:
		p.h.fail(w, r, err)
		return
	}
	d.AllURL, d.AllCurrent = catalogURL(t.Slug, with("category", "")), q.Category == ""
	var walk func(ns []catalog.CategoryNode, depth int)
	walk = func(ns []catalog.CategoryNode, depth int) {
		for _, n := range ns {
			cur := n.Code == q.Category
			if cur {
				d.CategoryIn = n.Name
			}
			d.Categories = append(d.Categories, categoryLink{Name: n.Name, URL: catalogURL(t.Slug, with("category", n.Code)), Depth: depth, Current: cur})
			walk(n.Children, depth+1)
		}
	}
	walk(listing.Tree, 0)
	d.Years = []option{{Value: "", Label: "全部年份", Selected: q.Year == 0}}
	for _, y := range listing.Years {
		d.Years = append(d.Years, option{Value: strconv.Itoa(y), Label: strconv.Itoa(y) + "年", Selected: y == q.Year})
	}
	d.Kinds = []option{{Value: "", Label: "全部文件类型", Selected: q.DocKind == ""}}
	for _, k := range catalog.DocKinds {
		d.Kinds = append(d.Kinds, option{Value: k.Code, Label: k.Label, Selected: k.Code == q.DocKind})
	}
	d.FeedURL = "/b/" + t.Slug + "/catalog/feed.atom"
	if q.Category != "" {
		d.FeedURL += "?category=" + url.QueryEscape(q.Category)
	}

	if res := listing.Results; res != nil {
		d.Total, d.Page, d.Pages = res.Total, res.Page, res.Pages()
		for _, hit := range res.Hits {
			row := catalogRow{URL: itemURL(t.Slug, hit.Item), IndexNo: hit.IndexNo, TitleHTML: hit.TitleHTML, SummaryHTML: hit.SummaryHTML,
				PublishedOn: dateText(hit.PublishedOn), CategoryName: hit.CategoryName}
			if hit.Validity != catalog.InForce {
				row.Validity = catalog.ValidityLabel(hit.Validity)
			}
			d.Rows = append(d.Rows, row)
		}
		if res.Page > 1 {
			d.PrevURL = catalogURL(t.Slug, with("page", strconv.Itoa(res.Page-1)))
		}
		if n := res.NextPage(); n > 0 {
			d.NextURL = catalogURL(t.Slug, with("page", strconv.Itoa(n)))
		}
	}
	d.CategoryItemsHTML, d.RowsHTML = categoryItemsHTML(d.Categories), rowsHTML(d.Rows)
	crumbs := []Crumb{{Name: "首页", URL: "/"}, {Name: t.Name, URL: "/b/" + t.Slug + "/"}, {Name: "政府信息公开目录"}}
	if d.CategoryIn != "" {
		crumbs[2].URL = "/b/" + t.Slug + "/catalog"
		crumbs = append(crumbs, Crumb{Name: d.CategoryIn})
	}
	w.Header().Set("Cache-Control", "public, max-age=60")
	p.render(w, r, p.list, status, page[catalogListData]{Title: t.Name + " - 政府信息公开目录", Crumbs: crumbs, Data: d})
}

// metaRow is one row of the item's metadata table.
type metaRow struct {
	Label string
	Value string
	URL   string
}

// attachmentRow is one file of the item page.
type attachmentRow struct {
	Name string
	URL  string
	Type string
	Size string
}

type catalogItemData struct {
	Tenant     tenant.Tenant
	Gone       bool
	IndexNo    string
	Title      string
	Meta       []metaRow
	Summary    string
	Body       template.HTML
	RevisedOn  string
	Revision   int
	Superseded *metaRow
	Validity   string
	ListURL    string

	// Attachments are the files of the item (附件), downloadable.
	Attachments []attachmentRow
}

func dateText(d workday.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

func (p *catalogPages) serveItem(w http.ResponseWriter, r *http.Request) {
	t, err := p.h.deps.Tenants.BySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		p.h.fail(w, r, err)
		return
	}
	key := strings.Trim(r.PathValue("key"), "/")
	if key == "" {
		http.Redirect(w, r, "/b/"+t.Slug+"/catalog", http.StatusMovedPermanently)
		return
	}
	if itemKey, aid, ok := attachmentKey(key); ok {
		p.serveAttachment(w, r, t, itemKey, aid)
		return
	}
	p.cached(w, r, t, func(w http.ResponseWriter) { p.renderItem(w, r, t, key) })
}

// renderItem renders the page of t's item key (its index number or id).
func (p *catalogPages) renderItem(w http.ResponseWriter, r *http.Request, t tenant.Tenant, key string) {
	ctx := r.Context()
	cat := p.h.deps.Catalog
	v, err := cat.PublicItem(ctx, t.ID, key)
	if err != nil {
		p.h.fail(w, r, err)
		return
	}
	listURL := "/b/" + t.Slug + "/catalog"
	crumbs := []Crumb{{Name: "首页", URL: "/"}, {Name: t.Name, URL: "/b/" + t.Slug + "/"}, {Name: "政府信息公开目录", URL: listURL}}
	if v.Gone {
		w.Header().Set("Cache-Control", "public, max-age=60")
		d := catalogItemData{Tenant: t, Gone: true, IndexNo: v.Item.IndexNo, ListURL: listURL}
		p.render(w, r, p.item, http.StatusGone, page[catalogItemData]{Title: "该信息已撤回 - " + t.Name, Crumbs: append(crumbs, Crumb{Name: "已撤回"}), Data: d})
		return
	}
	it := v.Item
	topic := strings.Join(v.TopicNames, "、")
	if topic == "" {
		topic = v.CategoryName
	}
	d := catalogItemData{Tenant: t, IndexNo: it.IndexNo, Title: it.Title, Summary: it.Summary, Body: cat.SafeBody(it.Body), Revision: it.Revision,
		Validity: catalog.ValidityLabel(it.Validity), ListURL: listURL}
	d.Meta = []metaRow{
		{Label: "索引号", Value: it.IndexNo},
		{Label: "信息类别", Value: v.CategoryName, URL: catalogURL(t.Slug, map[string]string{"category": it.CategoryCode})},
		{Label: "发布机构", Value: it.Issuer},
		{Label: "生成日期", Value: dateText(it.FormedOn)},
		{Label: "发布日期", Value: dateText(it.PublishedOn)},
		{Label: "文号", Value: it.DocNo},
		{Label: "主题分类", Value: topic},
		{Label: "文件类型", Value: catalog.DocKindLabel(it.DocKind)},
		{Label: "有效性", Value: d.Validity},
	}
	if it.Revision > 1 {
		d.RevisedOn = dateText(it.RevisedOn)
	}
	if by := v.SupersededBy; by != nil {
		d.Superseded = &metaRow{Label: by.IndexNo, Value: by.Title, URL: itemURL(t.Slug, *by)}
	}
	for _, a := range v.Attachments {
		d.Attachments = append(d.Attachments, attachmentRow{Name: a.FileName, URL: itemURL(t.Slug, it) + "/attachments/" + strconv.FormatInt(a.ID, 10),
			Type: a.TypeLabel(), Size: a.SizeText()})
	}
	w.Header().Set("Cache-Control", "public, max-age=60")
	w.Header().Set("Last-Modified", it.UpdatedAt.UTC().Format(http.TimeFormat))
	p.render(w, r, p.item, http.StatusOK, page[catalogItemData]{Title: it.Title + " - " + t.Name, Crumbs: append(crumbs, Crumb{Name: it.Title}), Data: d})
}

// attachmentKey splits the path after /b/{slug}/catalog/ of an attachment
// URL, {item key}/attachments/{id}, where the item key (an index number)
// may itself contain slashes.
func attachmentKey(key string) (itemKey string, id int64, ok bool) {
	i := strings.LastIndex(key, "/attachments/")
	if i <= 0 {
		return "", 0, false
	}
	id, err := strconv.ParseInt(key[i+len("/attachments/"):], 10, 64)
	if err != nil || id <= 0 {
		return "", 0, false
	}
	return key[:i], id, true
}

// isAttachmentPath reports whether the request path is a public attachment
// download, which is streamed rather than buffered for an ETag (the file's
// SHA-256 is its ETag).
func isAttachmentPath(path string) bool {
	rest, ok := strings.CutPrefix(path, "/b/")
	if !ok {
		return false
	}
	_, key, ok := strings.Cut(rest, "/catalog/")
	if !ok {
		return false
	}
	_, _, ok = attachmentKey(strings.Trim(key, "/"))
	return ok
}

// serveAttachment serves a file of a published (or repealed) item with the
// safe headers: the sniffed type, nosniff, Content-Disposition inline only
// for PDF and images (attachment for everything else) with the original
// name, and the SHA-256 as ETag. Files of drafts, items under review and
// withdrawn items are never served.
func (p *catalogPages) serveAttachment(w http.ResponseWriter, r *http.Request, t tenant.Tenant, itemKey string, id int64) {
	ctx := r.Context()
	cat := p.h.deps.Catalog
	v, err := cat.PublicItem(ctx, t.ID, itemKey)
	if err != nil {
		p.h.fail(w, r, err)
		return
	}
	if v.Gone {
		p.h.fail(w, r, fault.New(fault.NotFound, "this item has been withdrawn; its attachments are no longer published"))
		return
	}
	a, f, err := cat.OpenPublicAttachment(ctx, t.ID, v.Item.ID, id)
	if err != nil {
		p.h.fail(w, r, err)
		return
	}
	defer f.Close()
	w.Header().Set("Cache-Control", "public, max-age=300")
	a.Serve(w, r, f, true)
}

// Atom (RFC 4287) documents of the feed.
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomPerson  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Href string `xml:"href,attr"`
	Type string `xml:"type,attr,omitempty"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomCategory struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr,omitempty"`
}

type atomEntry struct {
	Title     string        `xml:"title"`
	ID        string        `xml:"id"`
	Link      atomLink      `xml:"link"`
	Updated   string        `xml:"updated"`
	Published string        `xml:"published,omitempty"`
	Summary   string        `xml:"summary,omitempty"`
	Category  *atomCategory `xml:"category,omitempty"`
}

// feedEntries is how many items the feed carries.
const feedEntries = 50

// serveFeed is the Atom feed of the bureau's newest published items, or of
// one category (?category=code, sub-categories included).
func (p *catalogPages) serveFeed(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	t, err := p.h.deps.Tenants.BySlug(ctx, r.PathValue("slug"))
	if err != nil {
		p.h.fail(w, r, err)
		return
	}
	category := r.URL.Query().Get("category")
	res, err := p.h.deps.Catalog.PublicSearch(ctx, t.ID, catalog.Query{Category: category, PerPage: feedEntries})
	if err != nil {
		p.h.fail(w, r, err)
		return
	}
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	base := scheme + "://" + r.Host
	loc, err := t.Spec.Location()
	if err != nil {
		loc = workday.ChinaTime
	}
	self := base + r.URL.RequestURI()
	feed := atomFeed{Title: t.Name + "政府信息公开目录", ID: "tag:gongkai," + "2026:" + t.Slug + "/catalog", Author: atomPerson{Name: t.Name},
		Links: []atomLink{{Rel: "self", Href: self, Type: "application/atom+xml"}, {Rel: "alternate", Href: base + catalogURL(t.Slug, map[string]string{"category": category}), Type: "text/html"}}}
	if category != "" {
		feed.ID += "?category=" + category
	}
	latest := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, hit := range res.Hits {
		if hit.UpdatedAt.After(latest) {
			latest = hit.UpdatedAt
		}
		e := atomEntry{Title: hit.Title, ID: "tag:gongkai,2026:" + t.Slug + "/catalog/" + strconv.FormatInt(hit.ID, 10),
			Link: atomLink{Rel: "alternate", Href: base + itemURL(t.Slug, hit.Item), Type: "text/html"}, Updated: hit.UpdatedAt.UTC().Format(time.RFC3339),
			Summary: hit.Summary}
		if !hit.PublishedOn.IsZero() {
			e.Published = time.Date(hit.PublishedOn.Year, hit.PublishedOn.Month, hit.PublishedOn.Day, 0, 0, 0, 0, loc).Format(time.RFC3339)
		}
		if hit.CategoryCode != "" {
			e.Category = &atomCategory{Term: hit.CategoryCode, Label: hit.CategoryName}
		}
		feed.Entries = append(feed.Entries, e)
	}
	feed.Updated = latest.UTC().Format(time.RFC3339)
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(feed); err != nil {
		p.h.fail(w, r, fault.Wrap(err, fault.Internal, "encode feed"))
		return
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(buf.Bytes())
}
