package webhook_test

import (
	"context"
	"testing"
	"time"

	"gongkai/internal/app"
	"gongkai/internal/apptest"
	"gongkai/internal/authz"
	"gongkai/internal/catalog"
	"gongkai/internal/config"
	"gongkai/internal/db"
	"gongkai/internal/identity"
	"gongkai/internal/report"
	"gongkai/internal/webhook"
	"gongkai/internal/workday"
)

// TestCatalogAndReportEvents: publishing and withdrawing a catalog item and
// submitting and publishing the annual report reach a subscribed receiver.
func TestCatalogAndReportEvents(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t)
	a := apptest.Boot(t, db.SQLite, func(cfg *config.Config, o *app.Options) { cfg.WebhookAllowNets = "127.0.0.1/32" })
	sys := authz.WithActor(context.Background(), authz.System)
	ta, err := a.Tenants.BySlug(sys, "civil-affairs")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.Webhooks.Create(sys, ta.ID, webhook.NewEndpoint{URL: rc.srv.URL + "/hooks",
		Events: []string{catalog.EventPublished, catalog.EventWithdrawn, report.EventSubmitted, report.EventPublished}}); err != nil {
		t.Fatal(err)
	}
	today := workday.FromTime(time.Now(), workday.ChinaTime)
	it, err := a.Catalog.Create(sys, ta.ID, catalog.ItemInput{Title: "营口市养老服务补贴发放办法", Summary: "补贴标准", FormedOn: today, Category: "functions"})
	if err != nil {
		t.Fatal(err)
	}
	rv, err := a.Identity.AddMember(sys, ta.ID, identity.NewMember{Username: "shencha", DisplayName: "审查员", Password: "Correct-Horse-9-Battery", Roles: []string{authz.Reviewer}})
	if err != nil {
		t.Fatal(err)
	}
	reviewer := authz.WithActor(context.Background(), authz.Actor{Subject: rv.User.Subject(), UserID: rv.User.ID, Name: rv.User.DisplayName, TenantID: ta.ID})
	for _, step := range []struct {
		ctx    context.Context
		action string
	}{{sys, catalog.ActSubmit}, {reviewer, catalog.ActApprove}, {sys, catalog.ActPublish}} {
		if _, err := a.Catalog.Transition(step.ctx, ta.ID, it.ID, catalog.Step{Action: step.action}); err != nil {
			t.Fatalf("%s: %v", step.action, err)
		}
	}
	if _, err := a.Catalog.Transition(sys, ta.ID, it.ID, catalog.Step{Action: catalog.ActWithdraw, Comment: "内容有误"}); err != nil {
		t.Fatal(err)
	}
	for _, step := range []func(context.Context, int64, int) (*report.Stored, error){a.Reports.Draft, a.Reports.Submit, a.Reports.Publish} {
		if _, err := step(sys, ta.ID, 2026); err != nil {
			t.Fatal(err)
		}
	}
	for _, kind := range []string{catalog.EventPublished, catalog.EventWithdrawn, report.EventSubmitted, report.EventPublished} {
		if got := rc.wait(kind, 1); len(got) != 1 {
			t.Errorf("%s: %d deliveries", kind, len(got))
		}
	}
}
