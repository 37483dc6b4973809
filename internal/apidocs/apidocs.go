// Package apidocs renders an OpenAPI 3.1 JSON document as a self-contained,
// server-rendered HTML reference page.
//
// The page needs no network access: it references no external scripts,
// styles, fonts or images, contains no JavaScript, and uses a single inline
// <style> element, so it works under a Content-Security-Policy such as
// "default-src 'self'; style-src 'self' 'unsafe-inline'". All text taken from
// the specification is escaped by html/template; Markdown in descriptions is
// not interpreted, only split into paragraphs on blank lines.
package apidocs

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Options configures the rendered page.
type Options struct {
	// Title overrides info.title of the specification as the page title.
	Title string
	// SpecURL is the link to the raw JSON document, e.g. /api/openapi.json.
	// It is omitted from the page when empty.
	SpecURL string
	// YAMLURL is the link to the YAML form of the document. It is omitted
	// from the page when empty.
	YAMLURL string
	// Lang is the page language for <html lang>; it defaults to "zh-CN".
	// Interface labels are Chinese for zh languages and English otherwise.
	Lang string
}

//go:embed page.gohtml
var pageSource string

var pageTemplate = template.Must(template.New("apidocs").Parse(pageSource))

// Render parses the OpenAPI 3.x JSON document spec and returns the complete
// HTML reference page. It returns an error if spec is not valid JSON or not
// an OpenAPI 3 document.
func Render(spec []byte, opts Options) ([]byte, error) {
	var doc document
	if err := json.Unmarshal(spec, &doc); err != nil {
		return nil, fmt.Errorf("apidocs: parse OpenAPI document: %w", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		if doc.Swagger != "" {
			return nil, fmt.Errorf("apidocs: unsupported Swagger %q document, need OpenAPI 3", doc.Swagger)
		}
		return nil, errors.New("apidocs: not an OpenAPI 3 document (missing or unsupported \"openapi\" version)")
	}
	var buf bytes.Buffer
	if err := pageTemplate.ExecuteTemplate(&buf, "page", build(&doc, opts)); err != nil {
		return nil, fmt.Errorf("apidocs: render: %w", err)
	}
	return buf.Bytes(), nil
}

// pageCSP is sent when no Content-Security-Policy header was set earlier by
// middleware; the page needs nothing beyond its inline stylesheet.
const pageCSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"

type rendered struct {
	body []byte
	etag string
}

// Handler returns an http.Handler serving the reference page for the
// document returned by load. The page is loaded and rendered once, on the
// first request; the result (including a failure) is reused afterwards.
// It answers GET and HEAD with text/html; charset=utf-8, a strong ETag and
// Cache-Control: no-cache, and responds 304 Not Modified to a matching
// If-None-Match. Render failures are logged and answered with 500.
func Handler(load func() ([]byte, error), opts Options) http.Handler {
	page := sync.OnceValues(func() (*rendered, error) {
		if load == nil {
			return nil, errors.New("apidocs: nil load function")
		}
		spec, err := load()
		if err != nil {
			return nil, fmt.Errorf("apidocs: load OpenAPI document: %w", err)
		}
		body, err := Render(spec, opts)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(body)
		return &rendered{body: body, etag: `"` + hex.EncodeToString(sum[:16]) + `"`}, nil
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
			return
		}
		p, err := page()
		if err != nil {
			slog.ErrorContext(r.Context(), "apidocs: cannot render API reference", "err", err)
			http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("ETag", p.etag)
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Content-Type-Options", "nosniff")
		if h.Get("Content-Security-Policy") == "" {
			h.Set("Content-Security-Policy", pageCSP)
		}
		// ServeContent evaluates If-None-Match against the ETag set above.
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(p.body))
	})
}
