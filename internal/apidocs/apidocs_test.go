package apidocs

import (
	"errors"
	"html"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
)

// fixture is a small but realistic OpenAPI 3.1 document.
const fixture = `{
  "openapi": "3.1.0",
  "info": {
    "title": "公开文档 API",
    "version": "1.4.0",
    "description": "公开文档检索与账户接口。\n\n所有错误均以 application/problem+json 返回。"
  },
  "servers": [
    {"url": "https://api.example.org/v1", "description": "生产环境"},
    {"url": "http://localhost:8080/v1", "description": "本地开发"}
  ],
  "tags": [
    {"name": "documents", "description": "公开文档的检索与提交。"},
    {"name": "account", "description": "当前用户与会话。"}
  ],
  "security": [{"bearerAuth": []}, {"sessionCookie": []}],
  "paths": {
    "/documents": {
      "get": {
        "operationId": "listDocuments",
        "summary": "列出公开文档",
        "description": "按发布时间倒序分页返回。\n\n<script>alert('x')</script> 不应被执行。",
        "tags": ["documents"],
        "security": [],
        "parameters": [
          {"name": "q", "in": "query", "description": "全文检索关键词", "schema": {"type": "string", "maxLength": 200}},
          {"$ref": "#/components/parameters/PageSize"},
          {"name": "status", "in": "query", "schema": {"type": "array", "items": {"type": "string", "enum": ["draft", "published"]}}}
        ],
        "responses": {
          "200": {
            "description": "一页文档。",
            "headers": {"X-Total-Count": {"description": "结果总数", "schema": {"type": "integer"}}},
            "content": {"application/json": {"schema": {
              "type": "object",
              "required": ["items"],
              "properties": {
                "items": {"type": "array", "items": {"$ref": "#/components/schemas/Document"}},
                "next_cursor": {"type": ["string", "null"], "description": "下一页游标"}
              }
            }}}
          },
          "400": {"$ref": "#/components/responses/BadRequest"}
        }
      },
      "post": {
        "operationId": "createDocument",
        "summary": "提交新文档",
        "tags": ["documents", "account"],
        "requestBody": {
          "required": true,
          "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/DocumentCreate"},
            "example": {"title": "年度报告", "tags": ["财务"]}
          }}
        },
        "responses": {
          "201": {"description": "已创建。", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Document"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"description": "未认证。", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
        }
      }
    },
    "/documents/{documentId}": {
      "parameters": [
        {"name": "documentId", "in": "path", "required": true, "description": "文档 ID", "schema": {"type": "string", "format": "uuid"}}
      ],
      "get": {
        "operationId": "getDocument",
        "summary": "获取单个文档",
        "tags": ["documents"],
        "responses": {
          "200": {"description": "文档详情。", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Document"}}}},
          "404": {"description": "文档不存在。", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
        }
      }
    }
  },
  "components": {
    "parameters": {
      "PageSize": {"name": "page_size", "in": "query", "description": "每页条数", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}}
    },
    "responses": {
      "BadRequest": {"description": "请求参数无效。", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    },
    "securitySchemes": {
      "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT", "description": "在 Authorization 头中携带访问令牌。"},
      "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "gk_session", "description": "浏览器登录后的会话 Cookie。"}
    },
    "schemas": {
      "Document": {
        "type": "object",
        "description": "一篇公开文档。",
        "required": ["id", "title", "status"],
        "properties": {
          "id": {"type": "string", "format": "uuid", "readOnly": true},
          "title": {"type": "string", "description": "标题", "examples": ["年度报告"]},
          "status": {"type": "string", "enum": ["draft", "published"]},
          "published_at": {"type": "string", "format": "date-time"},
          "tags": {"type": "array", "items": {"type": "string"}},
          "author": {"type": "object", "properties": {"name": {"type": "string", "description": "作者姓名"}}}
        }
      },
      "DocumentCreate": {
        "type": "object",
        "required": ["title"],
        "properties": {
          "title": {"type": "string", "minLength": 1, "maxLength": 300},
          "body_markdown": {"type": "string", "description": "正文（Markdown）"},
          "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 10}
        }
      },
      "Problem": {
        "type": "object",
        "description": "RFC 9457 问题详情。",
        "properties": {
          "type": {"type": "string", "format": "uri-reference"},
          "title": {"type": "string"},
          "status": {"type": "integer", "format": "int32"},
          "detail": {"type": "string"},
          "errors": {"type": "array", "items": {"$ref": "#/components/schemas/FieldError"}}
        }
      },
      "FieldError": {
        "type": "object",
        "properties": {
          "field": {"type": "string"},
          "message": {"type": "string"}
        }
      }
    }
  }
}`

var testOpts = Options{SpecURL: "/api/openapi.json", YAMLURL: "/api/openapi.yaml"}

func render(t *testing.T) string {
	t.Helper()
	out, err := Render([]byte(fixture), testOpts)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	return string(out)
}

func assertContains(t *testing.T, page string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(page, w) {
			t.Errorf("page does not contain %q", w)
		}
	}
}

func TestRenderOperations(t *testing.T) {
	t.Parallel()
	page := render(t)
	for _, id := range []string{"listDocuments", "createDocument", "getDocument"} {
		assertContains(t, page,
			`id="op-`+id+`"`,
			`href="#op-`+id+`"`,
			`<code>`+id+`</code>`,
		)
	}
	assertContains(t, page,
		`<html lang="zh-CN">`,
		"<title>公开文档 API 1.4.0</title>",
		"列出公开文档", "提交新文档", "获取单个文档",
		`<span class="method m-get">GET</span>`,
		`<span class="method m-post">POST</span>`,
		"/documents/{documentId}",
		`href="/api/openapi.json"`, `href="/api/openapi.yaml"`,
		// parameters: query, $ref'd component, inherited path parameter
		"<code>q</code>", "<code>page_size</code>", "<code>documentId</code>",
		"<code>uuid</code>", "<code>20</code>", "minimum: 1",
		// table of contents grouped by tag, secondary tag listed
		`href="#tag-documents"`, `id="tag-account"`,
		// security schemes and per-operation requirements
		`id="sec-bearerAuth"`, "Authorization: Bearer &lt;token&gt;", "Cookie: gk_session=&lt;value&gt;",
		`<a href="#sec-bearerAuth">bearerAuth</a> 或 <a href="#sec-sessionCookie">sessionCookie</a>`,
		"无需认证",
		// response headers
		"<code>X-Total-Count</code>",
	)
	if n := strings.Count(page, `id="op-createDocument"`); n != 1 {
		t.Errorf("createDocument rendered %d times, want once (it has two tags)", n)
	}
}

func TestRenderSchemas(t *testing.T) {
	t.Parallel()
	page := render(t)
	assertContains(t, page,
		`id="schema-Document"`, `id="schema-DocumentCreate"`, `id="schema-Problem"`,
		// properties with names, nested inline objects, enums, formats, examples
		"<code>published_at</code>", "<code>date-time</code>", "<code>author.name</code>",
		"<code>body_markdown</code>", "<code>&#34;published&#34;</code>",
		"<code>&#34;年度报告&#34;</code>", "maxLength: 300",
		// $ref resolved to linked names, arrays included
		`array&lt;<a href="#schema-FieldError">FieldError</a>&gt;`,
		`array&lt;<a href="#schema-Document">Document</a>&gt;`,
		"string | null",
		// request body $ref and problem+json responses
		`<code>application/json</code> <span class="type"><a href="#schema-DocumentCreate">DocumentCreate</a></span>`,
		`<code>application/problem&#43;json</code> <span class="type"><a href="#schema-Problem">Problem</a></span>`,
		"请求参数无效。", "文档不存在。",
		`<th scope="row"><span class="status s4">404</span></th>`,
		`<th scope="col">`,
	)
}

func TestRenderEscapesDescriptions(t *testing.T) {
	t.Parallel()
	page := render(t)
	if strings.Contains(strings.ToLower(page), "<script") {
		t.Error("raw <script> from the spec reached the page")
	}
	assertContains(t, page,
		"&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;",
		// blank lines split paragraphs
		`<p class="md">按发布时间倒序分页返回。</p><p class="md">&lt;script&gt;`,
	)
}

func TestRenderNoExternalResources(t *testing.T) {
	t.Parallel()
	page := render(t)
	lower := strings.ToLower(page)
	for _, bad := range []string{
		`src="http`, `href="http`, `src="//`, `href="//`, `url(`, `@import`,
		"<script", "<link", "<img", "<iframe", "<object",
	} {
		if strings.Contains(lower, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	// The only "//" allowed is inside the servers shown as text.
	rest := page
	for _, u := range []string{"https://api.example.org/v1", "http://localhost:8080/v1"} {
		shown := "<code>" + html.EscapeString(u) + "</code>"
		if !strings.Contains(rest, shown) {
			t.Errorf("server %q is not shown as text", u)
		}
		rest = strings.ReplaceAll(rest, shown, "")
	}
	if i := strings.Index(rest, "//"); i >= 0 {
		t.Errorf("unexpected URL-like %q", rest[max(0, i-40):min(len(rest), i+40)])
	}
}

func TestRenderOptions(t *testing.T) {
	t.Parallel()
	out, err := Render([]byte(fixture), Options{Title: "Public docs", Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	page := string(out)
	assertContains(t, page, `<html lang="en">`, "<h1>Public docs</h1>", ">Parameters</h4>", "No authentication")
	if strings.Contains(page, "openapi.json") {
		t.Error("spec link rendered without SpecURL")
	}
}

func TestRenderInvalid(t *testing.T) {
	t.Parallel()
	for name, in := range map[string]string{
		"empty":      "",
		"truncated":  fixture[:len(fixture)/2],
		"not json":   "openapi: 3.1.0",
		"array":      "[]",
		"no version": `{"info": {"title": "x"}, "paths": {}}`,
		"swagger 2":  `{"swagger": "2.0", "info": {"title": "x"}}`,
		"bad paths":  `{"openapi": "3.1.0", "paths": []}`,
		"bad type":   `{"openapi": "3.1.0", "components": {"schemas": {"A": {"type": 3}}}}`,
	} {
		if _, err := Render([]byte(in), Options{}); err == nil {
			t.Errorf("%s: Render returned no error", name)
		}
	}
}

func TestRenderMinimal(t *testing.T) {
	t.Parallel()
	out, err := Render([]byte(`{"openapi":"3.1.0","info":{"title":"T","version":"1"},"paths":{"/x":{"get":{"responses":{"204":{"description":"ok"}}}}}}`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	assertContains(t, string(out), `id="op-get-x"`, "其他接口", "此 API 未声明认证方式。", "无响应体")
}

func TestParagraphs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"one", []string{"one"}},
		{"a\nb\n\n\n c \r\n\r\nd  ", []string{"a\nb", " c", "d"}},
		{"\n \t\n", nil},
	} {
		if got := paragraphs(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("paragraphs(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSanitizeID(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"getDocument": "getDocument",
		"a b\"<c>":    "a-b--c-",
		"":            "x",
		"文档.list_v2":  "文档.list_v2",
	} {
		if got := sanitizeID(in); got != want {
			t.Errorf("sanitizeID(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHandler(t *testing.T) {
	t.Parallel()
	var loads atomic.Int32
	h := Handler(func() ([]byte, error) {
		loads.Add(1)
		return []byte(fixture), nil
	}, testOpts)

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/docs", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET status = %d", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	etag := rec.Header().Get("ETag")
	if !regexp.MustCompile(`^"[0-9a-f]{32}"$`).MatchString(etag) {
		t.Errorf("ETag = %q", etag)
	}
	if !strings.Contains(rec.Body.String(), `id="op-getDocument"`) {
		t.Error("body is not the rendered page")
	}
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("Content-Security-Policy = %q", csp)
	}

	for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag, "*"} {
		req := httptest.NewRequest(http.MethodGet, "/docs", nil)
		req.Header.Set("If-None-Match", inm)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusNotModified {
			t.Errorf("If-None-Match %s: status = %d, want 304", inm, rec.Code)
		}
		if rec.Body.Len() != 0 {
			t.Errorf("If-None-Match %s: 304 with a body", inm)
		}
		if rec.Header().Get("ETag") != etag {
			t.Errorf("If-None-Match %s: ETag = %q", inm, rec.Header().Get("ETag"))
		}
	}

	req := httptest.NewRequest(http.MethodGet, "/docs", nil)
	req.Header.Set("If-None-Match", `"stale"`)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || rec.Body.Len() == 0 {
		t.Errorf("stale If-None-Match: status = %d, body %d bytes", rec.Code, rec.Body.Len())
	}

	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodHead, "/docs", nil))
	if rec.Code != http.StatusOK || rec.Body.Len() != 0 || rec.Header().Get("ETag") != etag {
		t.Errorf("HEAD: status = %d, body %d bytes, ETag %q", rec.Code, rec.Body.Len(), rec.Header().Get("ETag"))
	}

	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/docs", nil))
	if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: status = %d, Allow %q", rec.Code, rec.Header().Get("Allow"))
	}

	if n := loads.Load(); n != 1 {
		t.Errorf("load called %d times, want 1", n)
	}
}

func TestHandlerKeepsExistingCSP(t *testing.T) {
	t.Parallel()
	const csp = "default-src 'self'; style-src 'self' 'unsafe-inline'"
	h := Handler(func() ([]byte, error) { return []byte(fixture), nil }, Options{})
	rec := httptest.NewRecorder()
	rec.Header().Set("Content-Security-Policy", csp)
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/docs", nil))
	if got := rec.Header().Get("Content-Security-Policy"); got != csp {
		t.Errorf("Content-Security-Policy = %q, want middleware's %q", got, csp)
	}
}

func TestHandlerErrors(t *testing.T) {
	t.Parallel()
	for name, load := range map[string]func() ([]byte, error){
		"load error": func() ([]byte, error) { return nil, errors.New("boom") },
		"bad spec":   func() ([]byte, error) { return []byte("{"), nil },
		"nil load":   nil,
	} {
		rec := httptest.NewRecorder()
		Handler(load, Options{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/docs", nil))
		if rec.Code != http.StatusInternalServerError {
			t.Errorf("%s: status = %d, want 500", name, rec.Code)
		}
		if strings.Contains(rec.Body.String(), "boom") {
			t.Errorf("%s: internal error leaked to the client", name)
		}
	}
}

func TestRenderSchemaComposition(t *testing.T) {
	t.Parallel()
	const spec = `{
	  "openapi": "3.1.0",
	  "info": {"title": "T", "version": "1"},
	  "paths": {
	    "/items/{id}": {
	      "parameters": [{"name": "id", "in": "path", "required": true, "description": "old", "schema": {"type": "string"}}],
	      "put": {
	        "operationId": "put item",
	        "parameters": [{"name": "id", "in": "path", "required": true, "description": "new", "schema": {"type": "integer"}}],
	        "requestBody": {"content": {"application/json": {"schema": {"type": "array", "items": {"type": "object", "properties": {"sku": {"type": "string"}}}}}}},
	        "responses": {"default": {"description": "err", "content": {"application/json": {"schema": {"$ref": "other.json#/Err"}}}}}
	      }
	    }
	  },
	  "components": {"schemas": {
	    "Base": {"type": "object", "properties": {"id": {"type": "string"}}},
	    "Item": {
	      "allOf": [
	        {"$ref": "#/components/schemas/Base"},
	        {"type": "object", "required": ["name", "id"], "properties": {"name": {"type": "string", "deprecated": true}}}
	      ],
	      "additionalProperties": {"type": "integer"}
	    },
	    "Shape": {"oneOf": [{"$ref": "#/components/schemas/Base"}, {"$ref": "#/components/schemas/Missing"}]},
	    "Labels": {"type": "object", "additionalProperties": {"type": "string"}},
	    "Legacy": {"type": "string", "nullable": true, "const": "x"},
	    "Anything": true,
	    "Nothing": false,
	    "Tuple": {"type": "array", "prefixItems": [{"type": "string"}, {"type": "number"}]},
	    "Node": {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}}}
	  }}
	}`
	out, err := Render([]byte(spec), Options{Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	page := string(out)
	assertContains(t, page,
		// unsafe operationId characters become a safe anchor
		`id="op-put-item"`, "<code>put item</code>",
		// operation-level parameter overrides the path-level one
		"<p class=\"md\">new</p>", `<span class="type">integer</span>`,
		// inline array of objects in a request body
		"<code>[].sku</code>",
		// external references are shown, not followed
		"other.json#/Err", `<span class="status s0">default</span>`,
		// allOf: reference listed, inline properties merged with required
		`Composed of:</span> <span class="type"><a href="#schema-Base">Base</a></span>`,
		`<code>name</code> <span class="badge">deprecated</span>`,
		`Additional properties:</span> <span class="type">integer</span>`,
		`One of:</span> <span class="type"><a href="#schema-Base">Base</a></span>, <span class="type">Missing</span>`,
		"map&lt;string, string&gt;", "string | null", "<code>&#34;x&#34;</code>",
		`<span class="type">any</span>`, `<span class="type">never</span>`,
		"[string, number]",
		`array&lt;<a href="#schema-Node">Node</a>&gt;`,
	)
	if strings.Contains(page, "<p class=\"md\">old</p>") {
		t.Error("overridden path-level parameter rendered")
	}
	// id is required through the allOf member's required list.
	if !regexp.MustCompile(`<code>id</code></th><td><span class="type">string</span></td><td><strong>Yes|yes</strong>`).MatchString(page) {
		t.Error("required from allOf member not applied")
	}
}

func FuzzRender(f *testing.F) {
	f.Add([]byte(fixture))
	f.Add([]byte(`{"openapi":"3.1.0","paths":{"/a":{"get":null,"post":{"responses":{"200":null},"parameters":[null],"security":[null]}}}}`))
	f.Add([]byte(`{"openapi":"3.0.3","components":{"schemas":{"A":{"items":{"items":{"items":{}}}}}}}`))
	f.Fuzz(func(t *testing.T, spec []byte) {
		out, err := Render(spec, Options{})
		if err == nil && strings.Contains(strings.ToLower(string(out)), "<script") {
			t.Fatal("script element in output")
		}
	})
}
