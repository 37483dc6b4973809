package oversight_test

import (
	"context"
	"strings"
	"testing"

	"gongkai/internal/audit"
	"gongkai/internal/authz"
	"gongkai/internal/dbtest"
	"gongkai/internal/fault"
	"gongkai/internal/identity"
	"gongkai/internal/oversight"
	"gongkai/internal/report"
)

// TestCityReportWorkflow drafts, edits and publishes the 2026 city report,
// shows that broken invariants block publishing, that the published version
// is frozen and immutable, and that a correction is a second version that
// marks the first superseded.
func TestCityReportWorkflow(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			c := newCity(t, dialect)
			ctx := c.overseer()
			ov := c.app.Oversight

			// Only the overseer may draft: a bureau admin may not.
			m, err := c.app.Identity.AddMember(c.ctx, c.ids["civil-affairs"], identity.NewMember{Username: "alice", DisplayName: "alice", Password: "Correct-Horse-9-Battery", Roles: []string{authz.BureauAdmin}})
			if err != nil {
				t.Fatal(err)
			}
			alice := authz.WithActor(context.Background(), authz.Actor{Subject: authz.UserSubject(m.User.ID), UserID: m.User.ID, Name: "alice", TenantID: c.ids["civil-affairs"]})
			if _, err := ov.CityDraft(alice, 2026); !fault.Is(err, fault.Forbidden) && !fault.Is(err, fault.NotFound) {
				t.Fatalf("bureau admin drafting the city report: %v", err)
			}
			if _, err := ov.CityEditNarrative(ctx, 2026, map[string]string{"other": "x"}); !fault.Is(err, fault.Conflict) {
				t.Fatalf("editing before a draft: %v", err)
			}

			d1, err := ov.CityDraft(ctx, 2026)
			if err != nil {
				t.Fatal(err)
			}
			if d1.Version != 1 || d1.State != oversight.CityStateDraft || !strings.Contains(d1.Narrative[report.SectionOverview], "全市全年新收政府信息公开申请7件") {
				t.Fatalf("first draft: %+v", d1)
			}
			if again, err := ov.CityDraft(ctx, 2026); err != nil || again.ID != d1.ID {
				t.Fatalf("drafting again: %v %+v", err, again)
			}
			if _, err := ov.CityEditNarrative(ctx, 2026, map[string]string{"summary": "x"}); len(fault.FieldsOf(err)) != 1 {
				t.Fatalf("unknown section: %v", err)
			}
			if _, err := ov.CityEditNarrative(alice, 2026, map[string]string{"other": "x"}); err == nil {
				t.Fatal("a bureau admin edited the city report")
			}
			if _, err := ov.CityEditNarrative(ctx, 2026, map[string]string{report.SectionProblems: "  全市答复超期1件，已督促整改。  "}); err != nil {
				t.Fatal(err)
			}

			// A broken invariant in a bureau's tables blocks publishing.
			adjust := func(delta int) {
				t.Helper()
				if _, err := c.app.Reports.Adjust(c.ctx, c.ids["welfare-home"], report.Adjustment{Year: 2026, RowCode: report.RowCarriedIn, ColumnCode: "natural_person", Delta: delta, Reason: "测试"}); err != nil {
					t.Fatal(err)
				}
			}
			adjust(1)
			_, err = ov.CityPublish(ctx, 2026)
			if !fault.Is(err, fault.Conflict) || !strings.Contains(fault.MessageOf(err), "cannot be published") {
				t.Fatalf("publishing with violations: %v", err)
			}
			var annexField bool
			for _, f := range fault.FieldsOf(err) {
				annexField = annexField || f.Field == "annex.welfare-home"
			}
			if !annexField {
				t.Errorf("violations do not name the welfare home: %+v", fault.FieldsOf(err))
			}
			adjust(-1)
			if _, err := ov.CityPublish(alice, 2026); err == nil {
				t.Fatal("a bureau admin published the city report")
			}
			p1, err := ov.CityPublish(ctx, 2026)
			if err != nil {
				t.Fatal(err)
			}
			if p1.State != oversight.CityStatePublished || p1.PublishedAt == nil || p1.PublishedBy != "olga" || p1.Document == nil {
				t.Fatalf("published: %+v", p1)
			}
			for _, s := range []string{"营口市政务公开办公室2026年政府信息公开工作年度报告", "全市答复超期1件，已督促整改。", "附件：各部门、单位"} {
				if !strings.Contains(*p1.Document, s) {
					t.Errorf("published document lacks %q", s)
				}
			}

			// Immutable: no edit, no second publication; the frozen tables
			// stay while the records move on.
			if _, err := ov.CityEditNarrative(ctx, 2026, map[string]string{"other": "x"}); !fault.Is(err, fault.Conflict) {
				t.Errorf("editing a published report: %v", err)
			}
			if _, err := ov.CityPublish(ctx, 2026); !fault.Is(err, fault.Conflict) {
				t.Errorf("publishing twice: %v", err)
			}
			c.register("civil-affairs", "a7", "natural_person", "2026-07-01")
			live, err := ov.CityReport(ctx, 2026)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ov.CityPublishedVersion(context.Background(), 2026, 0)
			if err != nil {
				t.Fatal(err)
			}
			frozen, err := got.Frozen()
			if err != nil {
				t.Fatal(err)
			}
			if row3(&live.Tables, report.RowNew)[6] != 8 || row3(&frozen.Tables, report.RowNew)[6] != 7 || len(frozen.Annex) != 5 {
				t.Errorf("live new %d, frozen new %d, frozen annex %d", row3(&live.Tables, report.RowNew)[6], row3(&frozen.Tables, report.RowNew)[6], len(frozen.Annex))
			}

			// A correction: version 2 starts from the published narrative;
			// publishing it marks version 1 superseded, and both stay public.
			d2, err := ov.CityDraft(ctx, 2026)
			if err != nil {
				t.Fatal(err)
			}
			if d2.Version != 2 || d2.State != oversight.CityStateDraft || d2.Narrative[report.SectionProblems] != "全市答复超期1件，已督促整改。" {
				t.Fatalf("correction draft: %+v", d2)
			}
			if _, err := ov.CityEditNarrative(ctx, 2026, map[string]string{report.SectionOther: "更正：补充新收申请1件。"}); err != nil {
				t.Fatal(err)
			}
			if _, err := ov.CityPublish(ctx, 2026); err != nil {
				t.Fatal(err)
			}
			pub, err := ov.CityPublished(context.Background(), 2026)
			if err != nil {
				t.Fatal(err)
			}
			if len(pub) != 2 || pub[0].Version != 2 || pub[0].Superseded || pub[1].Version != 1 || !pub[1].Superseded {
				t.Fatalf("published versions: %+v", pub)
			}
			v1, err := ov.CityPublishedVersion(context.Background(), 2026, 1)
			if err != nil || v1.Document == nil || strings.Contains(*v1.Document, "更正：补充新收申请1件。") {
				t.Errorf("version 1 changed: %v", err)
			}
			v2, err := ov.CityPublishedVersion(context.Background(), 2026, 0)
			if err != nil || v2.Version != 2 || !strings.Contains(*v2.Document, "更正：补充新收申请1件。") || !strings.Contains(*v2.Document, "第2版") {
				t.Errorf("version 2: %v", err)
			}
			if f, _ := v2.Frozen(); f == nil || row3(&f.Tables, report.RowNew)[6] != 8 {
				t.Errorf("version 2 tables: %+v", f)
			}
			vs, err := ov.CityVersions(ctx, 0)
			if err != nil || len(vs) != 2 || vs[0].Tables != nil {
				t.Errorf("versions: %v %d", err, len(vs))
			}
			if _, err := ov.CityVersions(alice, 0); err == nil {
				t.Error("a bureau admin listed the city report versions")
			}

			// Every transition is in the office's audit trail.
			office, err := ov.Office(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			evs, err := c.app.Audit.List(c.ctx, audit.Filter{TenantID: office.ID})
			if err != nil {
				t.Fatal(err)
			}
			var actions []string
			for _, e := range evs {
				if e.ObjectType == "city_report" {
					actions = append(actions, e.Action+" "+e.ObjectID+" by "+e.ActorName)
				}
			}
			joined := strings.Join(actions, "; ")
			for _, want := range []string{"city_report.drafted 2026/v1 by olga", "city_report.narrative_edited 2026/v1 by olga", "city_report.published 2026/v1 by olga",
				"city_report.drafted 2026/v2 by olga", "city_report.published 2026/v2 by olga"} {
				if !strings.Contains(joined, want) {
					t.Errorf("audit lacks %q: %s", want, joined)
				}
			}
		})
	}
}
