package console_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"gongkai/internal/authz"
	"gongkai/internal/dbtest"
	"gongkai/internal/request"
	"gongkai/internal/workday"
)

// TestFeeCalculatorApplicantDataAndErasure: on the request page the fee
// calculator counts the applicant's earlier requests of the month and fills
// the fee notice's amount; a bureau admin finds and exports an applicant's
// data (an officer may not); after erasure the page says the personal data
// is gone.
func TestFeeCalculatorApplicantDataAndErasure(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			s := setup(t, dialect, map[string]map[string][]string{"boss": {"civil-affairs": {"bureau_admin"}}, "lihua": {"civil-affairs": {"info_officer"}}})
			ctx := authz.WithActor(context.Background(), authz.System)
			tn, _ := s.app.Tenants.BySlug(ctx, "civil-affairs")
			var rs []*request.Request
			for _, day := range []string{"2026-03-02", "2026-03-03"} {
				r, _, err := s.app.Requests.Register(ctx, tn.ID, request.NewRequest{Channel: "in_person", ArrivedOn: workday.MustParseDate(day),
					Applicant: request.Applicant{Type: "natural_person", Name: "张三", IDDocType: "身份证", IDNumber: "21080219800101123X", Phone: "13800000000"},
					Content:   "低保资金发放情况"})
				if err != nil {
					t.Fatal(err)
				}
				rs = append(rs, r)
			}
			officer := s.signIn("lihua", goodPassword)
			page := fmt.Sprintf("/console/civil-affairs/requests/%d", rs[1].ID)
			res, body := s.get(officer, page+"?fee_basis=items&fee_units=1")
			if res.StatusCode != 200 || !strings.Contains(body, rs[0].TrackingCode) || !strings.Contains(body, "（2026-03）：1 件") || !strings.Contains(body, "合计 0 元") {
				t.Fatalf("items quote: %d\n%s", res.StatusCode, body)
			}
			_, body = s.get(officer, page+"?fee_basis=pages&fee_units=50")
			if !strings.Contains(body, "合计 200 元") || !strings.Contains(body, `name="amount_yuan" type="number" min="0" value="200"`) {
				t.Fatalf("pages quote does not fill the fee notice:\n%s", body)
			}
			res, body = s.get(officer, page+"?fee_basis=pages&fee_units=0")
			if res.StatusCode != 422 || !strings.Contains(fieldErrors(body)["fee-units"], "1") {
				t.Fatalf("0 pages: %d %v", res.StatusCode, fieldErrors(body))
			}

			// Applicant data: bureau admins only.
			if res, _ := s.get(officer, "/console/civil-affairs/requests/applicant-data"); res.StatusCode != 403 {
				t.Fatalf("officer opens the export: %d", res.StatusCode)
			}
			admin := s.signIn("boss", goodPassword)
			_, body = s.get(admin, "/console/civil-affairs/requests/applicant-data")
			csrf := csrfOf(t, body)
			res, body = s.post(admin, "/console/civil-affairs/requests/applicant-data", url.Values{"csrf": {csrf}, "id_doc_type": {"身份证"}, "id_number": {""}})
			if res.StatusCode != 422 || fieldErrors(body)["id-number"] == "" {
				t.Fatalf("empty number: %d %v", res.StatusCode, fieldErrors(body))
			}
			res, body = s.post(admin, "/console/civil-affairs/requests/applicant-data", url.Values{"csrf": {csrf}, "id_doc_type": {"身份证"}, "id_number": {"21080219800101123x"}})
			if res.StatusCode != 200 || !strings.Contains(body, "共 2 件申请") || !strings.Contains(body, "21080219800101123X") || !strings.Contains(body, rs[1].TrackingCode) {
				t.Fatalf("export page: %d\n%s", res.StatusCode, body)
			}
			res, body = s.post(admin, "/console/civil-affairs/requests/applicant-data", url.Values{"csrf": {csrf}, "id_doc_type": {"身份证"}, "id_number": {"21080219800101123X"}, "format": {"json"}})
			if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Disposition"), "applicant-data.json") || !strings.Contains(body, `"id_number": "21080219800101123X"`) {
				t.Fatalf("JSON export: %d %q\n%s", res.StatusCode, res.Header.Get("Content-Disposition"), body)
			}

			// Erasure after the retention period.
			if _, err := s.app.Requests.Reply(ctx, tn.ID, rs[0].ID, request.Reply{On: workday.MustParseDate("2026-03-05"), Outcome: "granted", Text: "予以公开"}); err != nil {
				t.Fatal(err)
			}
			if n, err := s.app.Requests.EraseExpired(ctx, 30); err != nil || n != 1 {
				t.Fatalf("erased %d, %v", n, err)
			}
			_, body = s.get(admin, fmt.Sprintf("/console/civil-affairs/requests/%d", rs[0].ID))
			if !strings.Contains(body, `id="erased"`) || strings.Contains(body, "张三") {
				t.Fatalf("erased request page:\n%s", body)
			}
		})
	}
}
