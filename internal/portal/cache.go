package portal

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
)

// bufferedWriter keeps a response so that its ETag can be computed.
type bufferedWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedWriter) Header() http.Header { return b.header }
func (b *bufferedWriter) WriteHeader(s int) {
	if b.status == 0 {
		b.status = s
	}
}
func (b *bufferedWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

// withETag makes public pages cacheable: a successful GET gets a strong
// ETag from its content, and a request that already has that version gets
// 304 Not Modified. Pages revalidate (no-cache) unless they say otherwise.
func withETag(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if (r.Method != http.MethodGet && r.Method != http.MethodHead) || isAttachmentPath(r.URL.Path) {
			next.ServeHTTP(w, r) // attachments are streamed with their own ETag (catalog.go)
			return
		}
		bw := &bufferedWriter{header: http.Header{}}
		next.ServeHTTP(bw, r)
		for k, v := range bw.header {
			w.Header()[k] = v
		}
		if bw.status == 0 {
			bw.status = http.StatusOK
		}
		if bw.status == http.StatusOK {
			sum := sha256.Sum256(bw.body.Bytes())
			etag := `"` + hex.EncodeToString(sum[:12]) + `"`
			w.Header().Set("ETag", etag)
			if w.Header().Get("Cache-Control") == "" {
				w.Header().Set("Cache-Control", "no-cache")
			}
			for _, tag := range strings.Split(r.Header.Get("If-None-Match"), ",") {
				if strings.TrimSpace(tag) == etag {
					w.WriteHeader(http.StatusNotModified)
					return
				}
			}
		}
		w.WriteHeader(bw.status)
		if r.Method == http.MethodGet {
			_, _ = w.Write(bw.body.Bytes())
		}
	})
}
