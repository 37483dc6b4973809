package portal_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/uptrace/bun"

	"gongkai/internal/apptest"
	"gongkai/internal/authz"
	"gongkai/internal/catalog"
	"gongkai/internal/db"
	"gongkai/internal/dbtest"
	"gongkai/internal/identity"
	"gongkai/internal/workday"
)

// queryCounter counts the application's queries of the catalog's tables
// (catalog_versions, the catalog's number, aside).
type queryCounter struct{ n atomic.Int64 }

func (q *queryCounter) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	return ctx
}
func (q *queryCounter) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	if strings.Contains(e.Query, "catalog_") && !strings.Contains(e.Query, "catalog_versions") {
		q.n.Add(1)
	}
}

// TestCatalogPageCache: a public catalog page asked again is answered from
// memory with one read of the catalog's number, and any change of what it
// shows — a withdrawal, a publication, a renamed category, a title changed
// directly in the database, as another instance or a hand-made fix would —
// is on the next answer.
func TestCatalogPageCache(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			a := apptest.Boot(t, dialect)
			counter := &queryCounter{}
			//lint:ignore SA1019 the counter must see the application's own queries, which a clone (WithQueryHook) would not
			a.DB.Bun.AddQueryHook(counter)
			sys := authz.WithActor(context.Background(), authz.System)
			ca, err := a.Tenants.BySlug(sys, "civil-affairs")
			if err != nil {
				t.Fatal(err)
			}
			m, err := a.Identity.AddMember(sys, ca.ID, identity.NewMember{Username: "pia", DisplayName: "pia", Password: catalogPassword, Roles: []string{authz.InfoOfficer, authz.BureauAdmin}})
			if err != nil {
				t.Fatal(err)
			}
			officer := authz.WithActor(context.Background(), authz.Actor{Subject: m.User.Subject(), UserID: m.User.ID, Name: "pia", TenantID: ca.ID})
			publish := func(title string) *catalog.Item {
				t.Helper()
				return publishItem(t, a, officer, sys, ca.ID, catalog.ItemInput{Title: title, FormedOn: workday.MustParseDate("2026-02-13"), Category: "elderly_care"})
			}
			list := a.URL() + "/b/civil-affairs/catalog?category=elderly_care"
			get := func(u string, status int, want, wantNot string) string {
				t.Helper()
				res, body := apptest.Get(t, u)
				if res.StatusCode != status || !strings.Contains(body, want) || (wantNot != "" && strings.Contains(body, wantNot)) {
					t.Fatalf("GET %s: %d, want %d with %q and without %q:\n%s", u, res.StatusCode, status, want, wantNot, body)
				}
				return body
			}

			fees := publish("市养老院收费标准")
			first := get(list, 200, "市养老院收费标准", "")
			before := counter.n.Load()
			if again := get(list, 200, "市养老院收费标准", ""); again != first {
				t.Fatal("the same page twice differs")
			}
			if n := counter.n.Load() - before; n != 0 {
				t.Fatalf("a page asked again read the catalog %d times, want none (only its number)", n)
			}
			item := a.URL() + "/b/civil-affairs/catalog/" + fees.IndexNo
			get(item, 200, "市养老院收费标准", "")

			publish("养老服务补贴申领指南")
			get(list, 200, "养老服务补贴申领指南", "")

			if _, err := a.Catalog.RenameCategory(officer, ca.ID, "elderly_care", "养老服务（更名）"); err != nil {
				t.Fatal(err)
			}
			get(list, 200, "养老服务（更名）", "")

			err = a.DB.InTx(context.Background(), db.Tenant(ca.ID), func(ctx context.Context, tx bun.Tx) error {
				_, err := tx.ExecContext(ctx, "UPDATE catalog_items SET title = ? WHERE tenant_id = ? AND id = ?", "市养老院收费标准（直接修改）", ca.ID, fees.ID)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			get(item, 200, "市养老院收费标准（直接修改）", "")

			if _, err := a.Catalog.Transition(officer, ca.ID, fees.ID, catalog.Step{Action: catalog.ActWithdraw, Comment: "误发"}); err != nil {
				t.Fatal(err)
			}
			get(list, 200, "养老服务补贴申领指南", "市养老院收费标准")
			get(item, 410, "已撤回", "")
		})
	}
}
