package api_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gongkai/internal/apptest"
	"gongkai/internal/catalog"
	"gongkai/internal/dbtest"
	"gongkai/internal/workday"
)

// attachmentBody is a multipart upload for the isolation cases (which are
// refused before the body is read).
const attachmentBody = "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n%%EOF\r\n--x--\r\n"

var testPDF = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

// upload posts one file as multipart/form-data.
func upload(t *testing.T, url, name string, content []byte, header http.Header) (*http.Response, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	_ = mw.WriteField("note", "ignored")
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write(content)
	_ = mw.Close()
	h := header.Clone()
	h.Set("Content-Type", mw.FormDataContentType())
	return apptest.Do(t, http.MethodPost, url, b.String(), h)
}

type attachmentJSON struct {
	ID        int64  `json:"id"`
	FileName  string `json:"file_name"`
	MediaType string `json:"media_type"`
	Size      int64  `json:"size"`
	SHA256    string `json:"sha256"`
}

func TestCatalogAttachmentsAPIAndPortal(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			w := setup(t, dialect)
			cat := w.app.Catalog
			officer := tokenPrincipal("A info officer", w.aToken).header
			items := w.base + "/api/v1/bureaus/civil-affairs/catalog/items/"
			draftURL := fmt.Sprintf("%s%d/attachments", items, w.aItemDraft)

			// Upload, list, download.
			res, body := upload(t, draftURL, "养老服务补贴 (2026).pdf", testPDF, officer)
			if res.StatusCode != 201 {
				t.Fatalf("upload: %d %s", res.StatusCode, body)
			}
			var a attachmentJSON
			if err := json.Unmarshal([]byte(body), &a); err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(testPDF)
			if a.FileName != "养老服务补贴 (2026).pdf" || a.MediaType != "application/pdf" || a.Size != int64(len(testPDF)) || a.SHA256 != hex.EncodeToString(sum[:]) {
				t.Fatalf("uploaded: %+v", a)
			}
			res, body = apptest.Do(t, "GET", draftURL, "", officer)
			if res.StatusCode != 200 || !strings.Contains(body, `"file_name":"养老服务补贴 (2026).pdf"`) {
				t.Fatalf("list: %d %s", res.StatusCode, body)
			}
			res, body = apptest.Do(t, "GET", fmt.Sprintf("%s/%d", draftURL, a.ID), "", officer)
			if res.StatusCode != 200 || body != string(testPDF) {
				t.Fatalf("download: %d %q", res.StatusCode, body)
			}
			h := res.Header
			if h.Get("Content-Type") != "application/pdf" || h.Get("X-Content-Type-Options") != "nosniff" || h.Get("ETag") != `"`+a.SHA256+`"` ||
				!strings.HasPrefix(h.Get("Content-Disposition"), "attachment; ") ||
				!strings.Contains(h.Get("Content-Disposition"), "filename*=UTF-8''%E5%85%BB%E8%80%81%E6%9C%8D%E5%8A%A1%E8%A1%A5%E8%B4%B4%20%282026%29.pdf") {
				t.Errorf("download headers: %v", h)
			}
			cond := officer.Clone()
			cond.Set("If-None-Match", `"`+a.SHA256+`"`)
			if res, _ := apptest.Do(t, "GET", fmt.Sprintf("%s/%d", draftURL, a.ID), "", cond); res.StatusCode != http.StatusNotModified {
				t.Errorf("revalidation: %d, want 304", res.StatusCode)
			}

			// Refusals name what to fix.
			res, body = upload(t, draftURL, "通知.pdf", []byte("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"), officer)
			if res.StatusCode != 422 || !strings.Contains(body, "text/html") || !strings.Contains(body, ".docx") || !strings.Contains(body, `"location":"body.file"`) {
				t.Errorf("HTML named .pdf: %d %s", res.StatusCode, body)
			}
			res, body = upload(t, draftURL, "图.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), officer)
			if res.StatusCode != 422 || !strings.Contains(body, "not an accepted type") {
				t.Errorf("SVG: %d %s", res.StatusCode, body)
			}
			cat.SetAttachmentStore(filepath.Join(t.TempDir(), "small"), 4096)
			res, body = upload(t, draftURL, "大.pdf", append(append([]byte{}, testPDF...), make([]byte, 5000)...), officer)
			if res.StatusCode != 413 || !strings.Contains(body, "4 KiB") {
				t.Errorf("too large: %d %s", res.StatusCode, body)
			}
			res, body = apptest.Do(t, "POST", draftURL, `{"file":"x"}`, withJSON(officer))
			if res.StatusCode != 422 || !strings.Contains(body, "multipart/form-data") {
				t.Errorf("JSON instead of a form: %d %s", res.StatusCode, body)
			}
			blocker := filepath.Join(t.TempDir(), "file")
			if err := os.WriteFile(blocker, []byte("x"), 0o600); err != nil {
				t.Fatal(err)
			}
			cat.SetAttachmentStore(blocker, 0)
			res, body = upload(t, draftURL, "通知.pdf", testPDF, officer)
			if res.StatusCode != 503 || !strings.Contains(body, "attachment store cannot be written") {
				t.Errorf("unwritable store: %d %s", res.StatusCode, body)
			}
			cat.SetAttachmentStore(filepath.Join(t.TempDir(), "store"), 0)
			if as, err := cat.Attachments(w.systemCtx, w.a, w.aItemDraft); err != nil || len(as) != 1 {
				t.Errorf("after the refusals the draft has %d attachments (%v), want 1", len(as), err)
			}

			// Published items' files are immutable.
			res, body = upload(t, fmt.Sprintf("%s%d/attachments", items, w.aItemPublished), "x.pdf", testPDF, officer)
			if res.StatusCode != 409 || !strings.Contains(body, "revision") {
				t.Errorf("upload to a published item: %d %s", res.StatusCode, body)
			}

			// Another bureau's principal learns nothing.
			res, _ = upload(t, draftURL, "x.pdf", testPDF, tokenPrincipal("B", w.bToken).header)
			if res.StatusCode != 404 {
				t.Errorf("B uploading to A: %d", res.StatusCode)
			}

			// The public portal: files of a published item only.
			aliceCtx := actorCtx(t, w.app, "alice", w.a)
			it, err := cat.Create(aliceCtx, w.a, catalog.ItemInput{Title: "殡葬服务收费标准", FormedOn: workday.MustParseDate("2026-02-13"), Category: "elderly_care"})
			if err != nil {
				t.Fatal(err)
			}
			pdf, err := cat.AddAttachment(aliceCtx, w.a, it.ID, "收费标准.pdf", bytes.NewReader(testPDF))
			if err != nil {
				t.Fatal(err)
			}
			txt, err := cat.AddAttachment(aliceCtx, w.a, it.ID, "说明.txt", strings.NewReader("收费说明\n"))
			if err != nil {
				t.Fatal(err)
			}
			draftPublic := fmt.Sprintf("%s/b/civil-affairs/catalog/%d/attachments/%d", w.base, it.ID, pdf.ID)
			if res, _ := apptest.Do(t, "GET", draftPublic, "", nil); res.StatusCode != 404 {
				t.Errorf("public download of a draft's file: %d", res.StatusCode)
			}
			for i, action := range []string{catalog.ActSubmit, catalog.ActApprove, catalog.ActPublish} {
				ctx := aliceCtx
				if i == 1 {
					ctx = w.systemCtx
				}
				if it, err = cat.Transition(ctx, w.a, it.ID, catalog.Step{Action: action}); err != nil {
					t.Fatalf("%s: %v", action, err)
				}
			}
			page := w.base + "/b/civil-affairs/catalog/" + it.IndexNo
			res, body = apptest.Do(t, "GET", page, "", nil)
			if res.StatusCode != 200 || !strings.Contains(body, "附件") || !strings.Contains(body, "收费标准.pdf") || !strings.Contains(body, "（PDF，") ||
				!strings.Contains(body, fmt.Sprintf(`href="/b/civil-affairs/catalog/%s/attachments/%d"`, it.IndexNo, pdf.ID)) {
				t.Fatalf("item page: %d %s", res.StatusCode, body)
			}
			res, body = apptest.Do(t, "GET", fmt.Sprintf("%s/api/v1/bureaus/civil-affairs/public/catalog/items/%d", w.base, it.ID), "", nil)
			if want := fmt.Sprintf(`"url":"/b/civil-affairs/catalog/%s/attachments/%d"`, it.IndexNo, pdf.ID); res.StatusCode != 200 || !strings.Contains(body, want) {
				t.Errorf("public API item: %d %s, want %s", res.StatusCode, body, want)
			}
			res, body = apptest.Do(t, "GET", fmt.Sprintf("%s/attachments/%d", page, pdf.ID), "", nil)
			if res.StatusCode != 200 || body != string(testPDF) || res.Header.Get("X-Content-Type-Options") != "nosniff" ||
				res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "inline; ") ||
				res.Header.Get("ETag") != `"`+pdf.SHA256+`"` || !strings.Contains(res.Header.Get("Content-Security-Policy"), "object-src 'self'") {
				t.Errorf("public PDF: %d %v", res.StatusCode, res.Header)
			}
			res, body = apptest.Do(t, "GET", fmt.Sprintf("%s/attachments/%d", page, txt.ID), "", nil)
			if res.StatusCode != 200 || body != "收费说明\n" || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment; ") ||
				res.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") ||
				!strings.Contains(res.Header.Get("Content-Security-Policy"), "sandbox") {
				t.Errorf("public text: %d %v", res.StatusCode, res.Header)
			}
			// A file of another item under this item's URL is not found.
			if res, _ := apptest.Do(t, "GET", fmt.Sprintf("%s/attachments/%d", page, a.ID), "", nil); res.StatusCode != 404 {
				t.Errorf("draft's file under a published item's URL: %d", res.StatusCode)
			}
			// Withdrawn: no longer served.
			if _, err := cat.Transition(aliceCtx, w.a, it.ID, catalog.Step{Action: catalog.ActWithdraw, Comment: "内容有误"}); err != nil {
				t.Fatal(err)
			}
			res, _ = apptest.Do(t, "GET", fmt.Sprintf("%s/attachments/%d", page, pdf.ID), "", nil)
			if res.StatusCode != 404 {
				t.Errorf("file of a withdrawn item: %d", res.StatusCode)
			}
		})
	}
}
