package request_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"gongkai/internal/authz"
	"gongkai/internal/calendar"
	"gongkai/internal/db"
	"gongkai/internal/dbtest"
	"gongkai/internal/fault"
	"gongkai/internal/jobs"
	"gongkai/internal/pii"
	"gongkai/internal/request"
	"gongkai/internal/request/deadline"
	"gongkai/internal/tenant"
	"gongkai/internal/workday"
)

func newRequests(t testing.TB, d *db.DB) (*request.Service, int64) {
	t.Helper()
	ctx := context.Background()
	now := func() time.Time { return time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC) }
	specs, err := tenant.LoadFiles("")
	if err != nil {
		t.Fatal(err)
	}
	ts := tenant.NewService(d, now)
	if _, err := ts.Apply(ctx, specs); err != nil {
		t.Fatal(err)
	}
	tn, err := ts.BySlug(ctx, "civil-affairs")
	if err != nil {
		t.Fatal(err)
	}
	az, err := authz.New(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	jc, err := jobs.New(d, jobs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cal := calendar.NewService(d, az, jc, now)
	cipher, err := pii.New(pii.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	return request.NewService(d, az, ts, cal, cipher, workday.ChinaTime, now), tn.ID
}

func TestLettersAreNumberedEscapedAndImmutable(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		svc, tid := newRequests(t, d)
		ctx := authz.WithActor(context.Background(), authz.System)
		r, _, err := svc.Register(ctx, tid, request.NewRequest{Channel: "registered_post", ArrivedOn: workday.MustParseDate("2026-02-13"),
			Applicant: request.Applicant{Type: "natural_person", Name: "<script>alert(1)</script>张三", Address: "营口市站前区"}, Content: "2025年低保资金发放情况"})
		if err != nil {
			t.Fatal(err)
		}
		ack, err := svc.IssueLetter(ctx, tid, r.ID, request.LetterAcknowledgement, workday.MustParseDate("2026-02-14"), "邮寄")
		if err != nil {
			t.Fatal(err)
		}
		if ack.DocNo != "营口市民政局依申〔2026〕1号" || !strings.Contains(ack.BodyHTML, "2026年3月19日") || !strings.Contains(ack.BodyHTML, "2026年2月13日") {
			t.Fatalf("acknowledgement %s:\n%s", ack.DocNo, ack.BodyHTML)
		}
		if strings.Contains(ack.BodyHTML, "<script>") || !strings.Contains(ack.BodyHTML, "&lt;script&gt;") {
			t.Fatal("applicant name not escaped")
		}
		// An extension letter needs the extension recorded first.
		if _, err := svc.IssueLetter(ctx, tid, r.ID, request.LetterExtension, workday.MustParseDate("2026-03-10"), "邮寄"); !fault.Is(err, fault.Conflict) {
			t.Fatalf("extension letter before the extension: %v", err)
		}
		if _, err := svc.Act(ctx, tid, r.ID, request.Action{Kind: deadline.Extended, On: workday.MustParseDate("2026-03-10"), Days: 10, Reason: "需要跨部门检索档案"}); err != nil {
			t.Fatal(err)
		}
		ext, err := svc.IssueLetter(ctx, tid, r.ID, request.LetterExtension, workday.MustParseDate("2026-03-10"), "邮寄")
		if err != nil {
			t.Fatal(err)
		}
		if ext.DocNo != "营口市民政局依申〔2026〕2号" || !strings.Contains(ext.BodyHTML, "延长10个工作日") || !strings.Contains(ext.BodyHTML, "需要跨部门检索档案") {
			t.Fatalf("extension %s:\n%s", ext.DocNo, ext.BodyHTML)
		}
		// A bureau's own wording: only letter variables; markup is escaped.
		if err := svc.SetLetterTemplate(ctx, tid, request.LetterAcknowledgement, "{{.Secret}}"); !fault.Is(err, fault.Invalid) {
			t.Fatalf("unknown variable accepted: %v", err)
		}
		if err := svc.SetLetterTemplate(ctx, tid, request.LetterAcknowledgement, `{{.Applicant}}：<b>已收到</b>，查询码{{.TrackingCode}}。`); err != nil {
			t.Fatal(err)
		}
		own, err := svc.IssueLetter(ctx, tid, r.ID, request.LetterAcknowledgement, workday.MustParseDate("2026-03-11"), "电子邮件")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(own.BodyHTML, "&lt;b&gt;已收到&lt;/b&gt;") || !strings.Contains(own.BodyHTML, r.TrackingCode) {
			t.Fatalf("custom letter:\n%s", own.BodyHTML)
		}
		// Sent letters cannot be changed.
		err = d.InTx(context.Background(), db.AllTenants, func(ctx context.Context, tx bun.Tx) error {
			_, err := tx.ExecContext(ctx, "UPDATE letters SET body_html = 'x'")
			return err
		})
		if err == nil || !strings.Contains(err.Error(), "immutable") {
			t.Fatalf("letter update: %v", err)
		}
		// A fee notice needs its amount, which the letter states.
		if _, err := svc.Act(ctx, tid, r.ID, request.Action{Kind: deadline.FeeNotified, On: workday.MustParseDate("2026-03-12"), Reason: "按件"}); !fault.Is(err, fault.Invalid) {
			t.Fatalf("fee notice without amount: %v", err)
		}
		if _, err := svc.Act(ctx, tid, r.ID, request.Action{Kind: deadline.FeeNotified, On: workday.MustParseDate("2026-03-12"), AmountYuan: 200, Reason: "本月第11、12件，按件计收"}); err != nil {
			t.Fatal(err)
		}
		fee, err := svc.IssueLetter(ctx, tid, r.ID, request.LetterFeeNotice, workday.MustParseDate("2026-03-12"), "邮寄")
		if err != nil || !strings.Contains(fee.BodyHTML, "信息处理费200元") {
			t.Fatalf("fee letter: %v\n%v", err, fee)
		}
		ls, err := svc.Letters(ctx, tid, r.ID)
		if err != nil || len(ls) != 4 {
			t.Fatalf("letters = %d, %v", len(ls), err)
		}
	})
}

func TestRecomputeAllFollowsTheCalendar(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		svc, tid := newRequests(t, d)
		ctx := authz.WithActor(context.Background(), authz.System)
		var ids []int64
		for _, day := range []string{"2026-02-13", "2026-02-16", "2026-03-02"} {
			r, _, err := svc.Register(ctx, tid, request.NewRequest{Channel: "in_person", ArrivedOn: workday.MustParseDate(day),
				Applicant: request.Applicant{Type: "natural_person", Name: "张三", Phone: "1"}, Content: "x"})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, r.ID)
		}
		cal, err := svc.Calendar(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// A calendar service over the same database records a local rest day
		// on Wed 18 Mar 2026.
		jc, _ := jobs.New(d, jobs.Options{})
		az, _ := authz.New(ctx, d)
		if _, err := calendar.NewService(d, az, jc, time.Now).Set(ctx, workday.MustParseDate("2026-03-18"), false, "地方性假日"); err != nil {
			t.Fatal(err)
		}
		n, err := svc.RecomputeAll(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// Received 13 Feb: due 19 Mar -> 20 Mar. Received 16 Feb (Spring
		// Festival: counts from 24 Feb): due 23 Mar -> 24 Mar. Received 2 Mar:
		// due 30 Mar -> 31 Mar. All three move.
		if n != 3 {
			t.Fatalf("changed %d, want 3 (calendar version was %s)", n, cal.Version())
		}
		for i, want := range []string{"2026-03-20", "2026-03-24", "2026-03-31"} {
			dt, err := svc.Get(ctx, tid, ids[i])
			if err != nil {
				t.Fatal(err)
			}
			if dt.Request.DueOn.String() != want || dt.Deadline.DueOn.String() != want {
				t.Errorf("request %d due %s (engine %s), want %s", i, dt.Request.DueOn, dt.Deadline.DueOn, want)
			}
		}
		if n, err := svc.RecomputeAll(ctx); err != nil || n != 0 {
			t.Fatalf("second recompute changed %d, %v", n, err)
		}
	})
}
