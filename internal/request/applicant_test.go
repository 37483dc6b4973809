package request_test

import (
	"context"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"gongkai/internal/authz"
	"gongkai/internal/db"
	"gongkai/internal/dbtest"
	"gongkai/internal/fault"
	"gongkai/internal/request"
	"gongkai/internal/workday"
)

// TestApplicantDataAndErasure: a bureau admin exports everything held about
// one applicant (found by the identity number however it is typed), and
// after the retention period the personal data of ended requests is erased
// — letters too — while what the annual report counts stays; each step is
// audited and a sent letter still allows no other change.
func TestApplicantDataAndErasure(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		svc, tid := newRequests(t, d) // today is 2026-03-10
		ctx := authz.WithActor(context.Background(), authz.System)
		register := func(day, name, id string) *request.Request {
			t.Helper()
			r, _, err := svc.Register(ctx, tid, request.NewRequest{Channel: "in_person", ArrivedOn: workday.MustParseDate(day),
				Applicant: request.Applicant{Type: "natural_person", Name: name, IDDocType: "身份证", IDNumber: id, Phone: "13800000000", Address: "营口市站前区"},
				Content:   "低保资金发放情况"})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		old := register("2026-02-02", "张三", "21080219800101123X")
		recent := register("2026-03-02", "张三", "210802 19800101123x")
		other := register("2026-02-03", "李四", "210802199001011234")
		for _, r := range []*request.Request{old, other} {
			if _, err := svc.Reply(ctx, tid, r.ID, request.Reply{On: workday.MustParseDate("2026-02-20"), Outcome: "granted", Text: "予以公开"}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := svc.Reply(ctx, tid, recent.ID, request.Reply{On: workday.MustParseDate("2026-03-05"), Outcome: "granted", Text: "予以公开"}); err != nil {
			t.Fatal(err)
		}
		letter, err := svc.IssueLetter(ctx, tid, old.ID, request.LetterAcknowledgement, workday.MustParseDate("2026-02-03"), "邮寄")
		if err != nil {
			t.Fatal(err)
		}

		data, err := svc.ApplicantData(ctx, tid, "身份证", "21080219800101123x")
		if err != nil {
			t.Fatal(err)
		}
		if len(data.Requests) != 2 || data.Requests[0].TrackingCode != old.TrackingCode || data.Requests[1].TrackingCode != recent.TrackingCode ||
			data.Requests[0].IDNumber != "21080219800101123X" || data.Requests[0].Name != "张三" || len(data.Requests[0].Letters) != 1 ||
			data.Requests[0].Letters[0].DocNo != letter.DocNo || data.IDMasked != "210***********123x" {
			t.Fatalf("export: %+v", data)
		}
		if _, err := svc.ApplicantData(ctx, tid, "身份证", " "); !fault.Is(err, fault.Invalid) {
			t.Fatalf("empty number: %v", err)
		}

		// Retention 10 days: requests that ended before 2026-02-28 lose their
		// personal data; the one replied on 2026-03-05 keeps it.
		n, err := svc.EraseExpired(ctx, 10)
		if err != nil || n != 2 {
			t.Fatalf("erased %d, %v", n, err)
		}
		if n, err := svc.EraseExpired(ctx, 10); err != nil || n != 0 {
			t.Fatalf("second run erased %d, %v", n, err)
		}
		all := func(fn func(ctx context.Context, tx bun.Tx) error) error {
			return d.InTx(context.Background(), db.AllTenants, fn)
		}
		var got request.Request
		if err := all(func(ctx context.Context, tx bun.Tx) error {
			return tx.NewSelect().Model(&got).Where("id = ?", old.ID).Scan(ctx)
		}); err != nil {
			t.Fatal(err)
		}
		if got.ApplicantName != "" || got.IDNumber != "" || got.IDMasked != "" || got.Phone != "" || got.Address != "" || got.ApplicantKey != "" || got.ErasedAt == nil {
			t.Fatalf("not erased: %+v", got)
		}
		if got.ApplicantType != "natural_person" || got.Outcome != "granted" || !got.RepliedOn.Valid() || got.Channel != "in_person" {
			t.Fatalf("statistics lost: %+v", got)
		}
		var body string
		if err := all(func(ctx context.Context, tx bun.Tx) error {
			return tx.NewSelect().Table("letters").Column("body_html").Where("id = ?", letter.ID).Scan(ctx, &body)
		}); err != nil {
			t.Fatal(err)
		}
		if body != request.ErasureNotice {
			t.Fatalf("letter body after erasure: %q", body)
		}
		if err := all(func(ctx context.Context, tx bun.Tx) error {
			_, err := tx.ExecContext(ctx, "UPDATE letters SET doc_no = 'x' WHERE id = ?", letter.ID)
			return err
		}); err == nil || !strings.Contains(err.Error(), "immutable") {
			t.Fatalf("a sent letter changed after erasure: %v", err)
		}
		data, err = svc.ApplicantData(ctx, tid, "身份证", "21080219800101123X")
		if err != nil || len(data.Requests) != 1 || data.Requests[0].TrackingCode != recent.TrackingCode || data.Requests[0].Name != "张三" {
			t.Fatalf("export after erasure: %+v %v", data, err)
		}
		var audits int
		if err := all(func(ctx context.Context, tx bun.Tx) error {
			return tx.NewSelect().Table("audit_events").ColumnExpr("count(*)").
				Where("action IN ('request.applicant_exported', 'request.personal_data_erased') AND tenant_id = ?", tid).Scan(ctx, &audits)
		}); err != nil {
			t.Fatal(err)
		}
		if audits != 3 {
			t.Fatalf("audit entries: %d, want 2 exports and 1 erasure", audits)
		}
	})
}
