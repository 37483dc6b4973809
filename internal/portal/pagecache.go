package portal

import (
	"net/http"
	"sync"
	"time"

	"gongkai/internal/tenant"
)

// pageCache keeps rendered public catalog pages in memory, each under the
// number of its bureau's catalog at the time it was rendered
// (catalog.Service.PublicVersion). Any write to what a catalog page shows
// changes that number in the writing transaction (database triggers), so a
// page is answered from memory only while nothing on it has changed — on
// every instance, whichever wrote. A page costs one read of that number
// instead of its queries; the number is read before the page's data, so a
// page stored under a number never shows less than that number's data.
type pageCache struct {
	limit int // bytes; 0 keeps nothing

	mu    sync.Mutex
	pages map[pageKey]*cachedPage
	size  int
}

// pageKey identifies a page: the bureau and its catalog's number, the
// bureau's own last change (its name and topics appear on the pages) and
// the request URI (path and query).
type pageKey struct {
	tenantID int64
	version  int64
	changed  time.Time
	uri      string
}

// cachedPage is a rendered answer.
type cachedPage struct {
	status int
	header http.Header
	body   []byte
}

// newPageCache returns a cache of at most limit bytes of pages.
func newPageCache(limit int) *pageCache {
	return &pageCache{limit: limit, pages: map[pageKey]*cachedPage{}}
}

func (c *pageCache) get(k pageKey) (*cachedPage, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.pages[k]
	return p, ok
}

// put keeps p under k, dropping the bureau's pages of other numbers (they
// can no longer be served), and everything when the budget is spent.
func (c *pageCache) put(k pageKey, p *cachedPage) {
	n := len(p.body) + len(k.uri) + 256
	if n > c.limit/8 {
		return // not worth a large share of the budget
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for old, q := range c.pages {
		if old.tenantID == k.tenantID && (old.version != k.version || !old.changed.Equal(k.changed)) {
			delete(c.pages, old)
			c.size -= len(q.body) + len(old.uri) + 256
		}
	}
	if c.size+n > c.limit {
		clear(c.pages)
		c.size = 0
	}
	if _, ok := c.pages[k]; !ok {
		c.pages[k] = p
		c.size += n
	}
}

// cached answers r from the cache when the page of t at its catalog's
// current number is there, else runs serve and keeps its answer when it is
// a page (200) or the notice of a withdrawn item (410). Errors of the
// number's read fall back to serving without the cache.
func (p *catalogPages) cached(w http.ResponseWriter, r *http.Request, t tenant.Tenant, serve func(http.ResponseWriter)) {
	if p.cache == nil || p.cache.limit == 0 {
		serve(w)
		return
	}
	v, err := p.h.deps.Catalog.PublicVersion(r.Context(), t.ID)
	if err != nil {
		serve(w)
		return
	}
	k := pageKey{tenantID: t.ID, version: v, changed: t.UpdatedAt, uri: r.URL.RequestURI()}
	if pg, ok := p.cache.get(k); ok {
		for name, vals := range pg.header {
			w.Header()[name] = vals
		}
		w.WriteHeader(pg.status)
		_, _ = w.Write(pg.body)
		return
	}
	rec := &bufferedWriter{header: http.Header{}}
	serve(rec)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	if rec.status == http.StatusOK || rec.status == http.StatusGone {
		p.cache.put(k, &cachedPage{status: rec.status, header: rec.header.Clone(), body: rec.body.Bytes()})
	}
	for name, vals := range rec.header {
		w.Header()[name] = vals
	}
	w.WriteHeader(rec.status)
	_, _ = w.Write(rec.body.Bytes())
}
