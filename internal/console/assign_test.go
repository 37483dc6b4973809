package console_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"gongkai/internal/authz"
	"gongkai/internal/db"
	"gongkai/internal/request"
	"gongkai/internal/workday"
)

// TestAssignHandlerAndFilter: a bureau admin makes a member the handler of a
// request, and the worklist filters by handler and applicant type.
func TestAssignHandlerAndFilter(t *testing.T) {
	t.Parallel()
	s := setup(t, db.SQLite, map[string]map[string][]string{"boss": {"civil-affairs": {"bureau_admin"}}, "lihua": {"civil-affairs": {"info_officer"}}})
	ctx := authz.WithActor(context.Background(), authz.System)
	tn, _ := s.app.Tenants.BySlug(ctx, "civil-affairs")
	r, _, err := s.app.Requests.Register(ctx, tn.ID, request.NewRequest{Channel: "in_person", ArrivedOn: workday.MustParseDate("2026-03-02"),
		Applicant: request.Applicant{Type: "research_institution", Name: "某研究所", Phone: "1"}, Content: "申请公开某信息"})
	if err != nil {
		t.Fatal(err)
	}
	c := s.signIn("boss", goodPassword)
	page := fmt.Sprintf("/console/civil-affairs/requests/%d", r.ID)
	_, body := s.get(c, page)
	if !strings.Contains(body, `<option value="lihua"`) {
		t.Fatalf("no handler choices on the request page:\n%s", body)
	}
	res, _ := s.post(c, page+"/assign", url.Values{"csrf": {csrfOf(t, body)}, "handler": {"lihua"}})
	if res.StatusCode != 303 {
		t.Fatalf("assign: %d", res.StatusCode)
	}
	_, body = s.get(c, "/console/civil-affairs/requests?handler=lihua&applicant_type=research_institution")
	if !strings.Contains(body, r.TrackingCode) {
		t.Fatal("filtered worklist lacks the assigned request")
	}
	_, body = s.get(c, "/console/civil-affairs/requests?handler=boss")
	if strings.Contains(body, r.TrackingCode) {
		t.Fatal("another handler's filter shows the request")
	}
}
