package request_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"gongkai/internal/authz"
	"gongkai/internal/db"
	"gongkai/internal/dbtest"
	"gongkai/internal/fault"
	"gongkai/internal/request"
	"gongkai/internal/workday"
)

// TestQuoteFee: by items, the applicant's requests received earlier in the
// same calendar month count first (however the number is typed), while
// another month, another applicant and later requests do not; by pages the
// tiers of the national schedule apply (国办函〔2020〕109号).
func TestQuoteFee(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		svc, tid := newRequests(t, d)
		ctx := authz.WithActor(context.Background(), authz.System)
		register := func(day, name, idNumber string) *request.Request {
			t.Helper()
			r, _, err := svc.Register(ctx, tid, request.NewRequest{Channel: "in_person", ArrivedOn: workday.MustParseDate(day),
				Applicant: request.Applicant{Type: "natural_person", Name: name, IDDocType: "身份证", IDNumber: idNumber, Phone: "13800000000"}, Content: "低保资金发放情况"})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		const zhang = "21080219800101123X"
		register("2026-02-27", "张三", zhang) // February: another month
		var march []*request.Request
		for i := range 11 {
			id := zhang
			if i%2 == 1 {
				id = "210802 19800101123x" // typed differently: the same document
			}
			march = append(march, register(fmt.Sprintf("2026-03-%02d", 2+i), "张三", id))
		}
		register("2026-03-05", "李四", "210802199001011234") // another applicant
		later := register("2026-03-20", "张三", zhang)

		// The 12th request of March: 11 earlier ones, the 12th item costs 100.
		q, err := svc.QuoteFee(ctx, tid, later.ID, request.FeeByItems, 1)
		if err != nil {
			t.Fatal(err)
		}
		var codes []string
		for _, r := range march {
			codes = append(codes, r.TrackingCode)
		}
		if q.Month != "2026-03" || !slices.Equal(q.Earlier, codes) || q.AmountYuan != 100 ||
			len(q.Lines) != 1 || q.Lines[0] != (request.FeeLine{From: 12, To: 12, Yuan: 100, Subtotal: 100}) {
			t.Fatalf("12th item: %+v", q)
		}
		// The 10th of March with 3 items: items 10 (free), 11 and 12 (100 each).
		q, err = svc.QuoteFee(ctx, tid, march[9].ID, request.FeeByItems, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(q.Earlier) != 9 || q.AmountYuan != 200 || len(q.Lines) != 2 || q.Lines[0].To != 10 || q.Lines[1] != (request.FeeLine{From: 11, To: 12, Yuan: 100, Subtotal: 200}) {
			t.Fatalf("10th with 3 items: %+v", q)
		}
		// The first of March is free: February does not count.
		if q, err := svc.QuoteFee(ctx, tid, march[0].ID, request.FeeByItems, 1); err != nil || len(q.Earlier) != 0 || q.AmountYuan != 0 {
			t.Fatalf("first of March: %+v %v", q, err)
		}
		// By pages: 1–30 free, 31–100 at 10, 101–200 at 20, then 40.
		q, err = svc.QuoteFee(ctx, tid, later.ID, request.FeeByPages, 250)
		if err != nil {
			t.Fatal(err)
		}
		if q.AmountYuan != 70*10+100*20+50*40 || len(q.Lines) != 4 {
			t.Fatalf("250 pages: %+v", q)
		}
		// No identity document: earlier requests cannot be counted, and it says so.
		anon, _, err := svc.Register(ctx, tid, request.NewRequest{Channel: "in_person", ArrivedOn: workday.MustParseDate("2026-03-09"),
			Applicant: request.Applicant{Type: "natural_person", Name: "王五", Phone: "13900000000"}, Content: "养老院收费标准"})
		if err != nil {
			t.Fatal(err)
		}
		if q, err := svc.QuoteFee(ctx, tid, anon.ID, request.FeeByItems, 1); err != nil || !q.Unidentified || q.AmountYuan != 0 {
			t.Fatalf("anonymous: %+v %v", q, err)
		}
		if _, err := svc.QuoteFee(ctx, tid, later.ID, "weight", 1); !fault.Is(err, fault.Invalid) {
			t.Fatalf("bad basis: %v", err)
		}
		if _, err := svc.QuoteFee(ctx, tid, later.ID, request.FeeByPages, 0); !fault.Is(err, fault.Invalid) {
			t.Fatalf("0 pages: %v", err)
		}
		// A city's own tiers replace the national ones.
		if err := svc.SetFees(request.FeeSchedule{PerItem: []request.FeeTier{{From: 1, Yuan: 0}, {From: 6, Yuan: 50}}, PerPage: []request.FeeTier{{From: 1, Yuan: 1}}}); err != nil {
			t.Fatal(err)
		}
		if q, err := svc.QuoteFee(ctx, tid, later.ID, request.FeeByItems, 1); err != nil || q.AmountYuan != 50 {
			t.Fatalf("city tiers: %+v %v", q, err)
		}
		if err := svc.SetFees(request.FeeSchedule{PerItem: []request.FeeTier{{From: 2, Yuan: 0}}, PerPage: []request.FeeTier{{From: 1, Yuan: 1}}}); !fault.Is(err, fault.Invalid) {
			t.Fatalf("tiers not from 1: %v", err)
		}
	})
}
