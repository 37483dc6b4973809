package console_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"gongkai/internal/authz"
	"gongkai/internal/catalog"
	"gongkai/internal/dbtest"
	"gongkai/internal/workday"
)

// TestCatalogAttachmentsInTheConsole: a clerk uploads a PDF to a draft and
// sees it listed with its type; a file whose content contradicts its name
// is refused next to the file field; staff download it as an attachment
// with nosniff; once the item is under review the upload form is gone and
// a removal is refused.
func TestCatalogAttachmentsInTheConsole(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			s := setup(t, dialect, map[string]map[string][]string{"lihua": {"civil-affairs": {"info_officer"}}})
			ctx := authz.WithActor(context.Background(), authz.System)
			tn, _ := s.app.Tenants.BySlug(ctx, "civil-affairs")
			it, err := s.app.Catalog.Create(ctx, tn.ID, catalog.ItemInput{Title: "养老服务补贴发放办法", FormedOn: workday.MustParseDate("2026-06-01"), Category: "elderly_care"})
			if err != nil {
				t.Fatal(err)
			}
			c := s.signIn("lihua", goodPassword)
			page := fmt.Sprintf("/console/civil-affairs/catalog/items/%d", it.ID)
			_, body := s.get(c, page)
			csrf := csrfOf(t, body)
			upload := func(name string, content []byte) (*http.Response, string) {
				t.Helper()
				var buf bytes.Buffer
				mw := multipart.NewWriter(&buf)
				_ = mw.WriteField("csrf", csrf)
				fw, _ := mw.CreateFormFile("file", name)
				_, _ = fw.Write(content)
				_ = mw.Close()
				req, _ := http.NewRequest(http.MethodPost, s.base+page+"/attachments", &buf)
				req.Header.Set("Content-Type", mw.FormDataContentType())
				req.Header.Set("Origin", s.base)
				return s.do(c, req)
			}
			pdf := []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
			if res, body := upload("补贴办法.pdf", pdf); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("upload: %d\n%s", res.StatusCode, body)
			}
			_, body = s.get(c, page)
			if !strings.Contains(body, `id="attachment-list"`) || !strings.Contains(body, "补贴办法.pdf") {
				t.Fatalf("the attachment is not listed:\n%s", body)
			}
			res, body := upload("伪装.pdf", []byte("<html><script>alert(1)</script></html>"))
			if res.StatusCode != http.StatusUnprocessableEntity || fieldErrors(body)["attachment-file"] == "" {
				t.Fatalf("HTML named .pdf: %d %v", res.StatusCode, fieldErrors(body))
			}
			as, err := s.app.Catalog.Attachments(ctx, tn.ID, it.ID)
			if err != nil || len(as) != 1 {
				t.Fatalf("attachments: %v %v", as, err)
			}
			res, got := s.get(c, fmt.Sprintf("%s/attachments/%d", page, as[0].ID))
			if res.StatusCode != 200 || got != string(pdf) || res.Header.Get("X-Content-Type-Options") != "nosniff" ||
				!strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") || res.Header.Get("Content-Type") != "application/pdf" {
				t.Fatalf("download: %d %q %q %q", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"), res.Header.Get("X-Content-Type-Options"))
			}
			if _, err := s.app.Catalog.Transition(ctx, tn.ID, it.ID, catalog.Step{Action: catalog.ActSubmit}); err != nil {
				t.Fatal(err)
			}
			_, body = s.get(c, page)
			if strings.Contains(body, `id="attachment-upload"`) {
				t.Fatal("upload form on an item under review")
			}
			res, body = s.post(c, fmt.Sprintf("%s/attachments/%d/delete", page, as[0].ID), map[string][]string{"csrf": {csrf}})
			if res.StatusCode != http.StatusConflict || !strings.Contains(body, `id="form-error"`) {
				t.Fatalf("removal under review: %d", res.StatusCode)
			}
		})
	}
}
