package portal

import (
	"encoding/xml"
	"net/http"
)

type sitemapURL struct {
	Loc string `xml:"loc"`
}

type sitemap struct {
	XMLName xml.Name     `xml:"urlset"`
	NS      string       `xml:"xmlns,attr"`
	URLs    []sitemapURL `xml:"url"`
}

// serveSitemap lists the portal's pages for search engines: the front page,
// the city annual reports and each bureau's guide, catalog, reports and
// application form.
func (h *handler) serveSitemap(w http.ResponseWriter, r *http.Request) {
	ts, err := h.deps.Tenants.List(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	base := h.deps.BaseURL
	sm := sitemap{NS: "http://www.sitemaps.org/schemas/sitemap/0.9", URLs: []sitemapURL{{Loc: base + "/"}, {Loc: base + "/track"}}}
	if h.deps.City != nil {
		sm.URLs = append(sm.URLs, sitemapURL{Loc: base + "/city/reports"}) // the city annual reports (cityreport.go)
	}
	for _, t := range ts {
		for _, p := range []string{"/", "/catalog", "/reports", "/apply"} {
			sm.URLs = append(sm.URLs, sitemapURL{Loc: base + "/b/" + t.Slug + p})
		}
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	_, _ = w.Write([]byte(xml.Header))
	_ = xml.NewEncoder(w).Encode(sm)
}
