package seed

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"gongkai/internal/app"
	"gongkai/internal/authz"
	"gongkai/internal/catalog"
	"gongkai/internal/db"
	"gongkai/internal/request"
	"gongkai/internal/request/deadline"
	"gongkai/internal/tenant"
	"gongkai/internal/workday"
)

// BulkOptions sizes a synthetic data set.
type BulkOptions struct {
	Bureaus      int // synthetic bureaus to create (slugs synthetic-0001 …)
	Applications int // requests per bureau
	Items        int // published catalog items per bureau
	Years        int // receipt dates spread over this many years up to today
	Seed         uint64
}

// BulkResult counts what Bulk created.
type BulkResult struct {
	Bureaus, Requests, Items int
	Elapsed                  time.Duration
}

// orgCheck is the GB 11714 check digit of an 8-digit organisation code body.
func orgCheck(body string) byte {
	weights := []int{3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 8; i++ {
		sum += int(body[i]-'0') * weights[i]
	}
	switch c := 11 - sum%11; c {
	case 10:
		return 'X'
	case 11:
		return '0'
	default:
		return byte('0' + c)
	}
}

// syntheticSpec returns a valid bureau definition number i.
func syntheticSpec(i int) (tenant.Spec, error) {
	body := fmt.Sprintf("9%07d", i)
	first17 := "11210800" + body + string(orgCheck(body))
	check, err := tenant.CreditCodeCheckChar(first17)
	if err != nil {
		return tenant.Spec{}, err
	}
	spec, err := tenant.ParseSpec(fmt.Sprintf("synthetic-%04d", i), []byte(fmt.Sprintf(`slug: synthetic-%04d
name: 合成测试第%d局
kind: civil_affairs
credit_code: "%s"
contact:
  office: 合成测试第%d局政府信息公开办公室
  address: 辽宁省营口市站前区测试路%d号
  postcode: "115000"
  hours: 工作日 8:30—17:00
  phone: 0417-2800000
  email: synthetic%d@gongkai.example
`, i, i, first17+string(check), i, i, i)))
	return spec, err
}

// outcomeMix is the share (in percent) of each outcome among answered
// requests, roughly as city reports show them.
var outcomeMix = []struct {
	code  string
	share int
}{
	{"granted", 42}, {"partially_granted", 14}, {"refused_third_party", 4}, {"refused_process_information", 3},
	{"refused_internal_affairs", 2}, {"refused_state_secret", 1}, {"unavailable_not_held", 18}, {"unavailable_needs_creation", 4},
	{"not_processed_repeated", 3}, {"not_processed_petition", 3}, {"not_processed_publication", 2}, {"other", 4},
}

func pickOutcome(rng *rand.Rand) string {
	n := rng.IntN(100)
	for _, o := range outcomeMix {
		if n < o.share {
			return o.code
		}
		n -= o.share
	}
	return "granted"
}

// Bulk creates synthetic bureaus, their requests with bulk inserts — 95%
// answered (some late), the rest open, some of those overdue; receipt dates
// skewed to recent months — and their published catalog items
// (bulkCatalog).
func Bulk(ctx context.Context, a *app.App, today workday.Date, o BulkOptions) (BulkResult, error) {
	start := time.Now()
	var res BulkResult
	if o.Years <= 0 {
		o.Years = 1
	}
	var specs []tenant.Spec
	for i := 1; i <= o.Bureaus; i++ {
		s, err := syntheticSpec(i)
		if err != nil {
			return res, err
		}
		specs = append(specs, s)
	}
	if _, err := a.Tenants.Apply(ctx, specs); err != nil {
		return res, err
	}
	res.Bureaus = len(specs)
	cal, err := a.Requests.Calendar(authz.WithActor(ctx, authz.System))
	if err != nil {
		return res, err
	}
	rng := rand.New(rand.NewPCG(o.Seed, 7))
	now := time.Now().UTC()
	span := 365 * o.Years
	for _, s := range specs {
		t, err := a.Tenants.BySlug(ctx, s.Slug)
		if err != nil {
			return res, err
		}
		const batch = 2000
		for off := 0; off < o.Applications; off += batch {
			m := min(batch, o.Applications-off)
			rs := make([]request.Request, m)
			replies := make([]workday.Date, m)
			for i := range rs {
				// Skewed: more recent requests than old ones.
				back := int(float64(span) * rng.Float64() * rng.Float64())
				recv, err := cal.OnOrAfter(today.AddDays(-back))
				if err != nil {
					return res, err
				}
				if recv.After(today) {
					recv = today
				}
				due, err := cal.AddWorkingDays(recv, 20)
				if err != nil {
					return res, err
				}
				r := request.Request{TenantID: t.ID, TrackingCode: fmt.Sprintf("S-%s-%07d", s.Slug[len(s.Slug)-4:], off+i), Channel: "online",
					ArrivedOn: recv, ReceivedOn: recv, ApplicantType: "natural_person", ApplicantName: names[rng.IntN(len(names))],
					Content: "申请公开" + subjects[rng.IntN(len(subjects))], State: deadline.StateOpen, DueOn: due, CreatedAt: now, UpdatedAt: now}
				if rng.IntN(10) < 3 {
					r.ApplicantType = []string{"commercial_enterprise", "research_institution", "public_welfare_organization", "legal_service_institution", "other_organization"}[rng.IntN(5)]
				}
				// Answered unless recent (and 1 in 50 older ones left open: overdue).
				if back > 25 && rng.IntN(50) != 0 {
					days := 3 + rng.IntN(19)
					if rng.IntN(20) == 0 {
						days = 21 + rng.IntN(5) // late
					}
					replied, err := cal.AddWorkingDays(recv, days)
					if err != nil {
						return res, err
					}
					if !replied.After(today) {
						r.State, r.RepliedOn, r.OutcomeOn, r.Outcome = deadline.StateReplied, replied, replied, pickOutcome(rng)
						replies[i] = replied
					}
				}
				rs[i] = r
			}
			err := a.DB.InTx(ctx, db.Tenant(t.ID), func(ctx context.Context, tx bun.Tx) error {
				if _, err := tx.NewInsert().Model(&rs).Returning("id").Exec(ctx); err != nil {
					return err
				}
				evs := make([]request.Event, 0, 2*m)
				for i := range rs {
					evs = append(evs, request.Event{TenantID: t.ID, RequestID: rs[i].ID, Kind: deadline.Received, Day: rs[i].ReceivedOn, Actor: "seed", ActorName: "合成数据", CreatedAt: now})
					if !replies[i].IsZero() {
						evs = append(evs, request.Event{TenantID: t.ID, RequestID: rs[i].ID, Kind: deadline.Replied, Day: replies[i], Reason: rs[i].Outcome, Actor: "seed", ActorName: "合成数据", CreatedAt: now})
					}
				}
				_, err := tx.NewInsert().Model(&evs).Exec(ctx)
				return err
			})
			if err != nil {
				return res, err
			}
			res.Requests += m
		}
		if o.Items > 0 {
			n, err := bulkCatalog(ctx, a, t, o.Items, today, span, rng)
			if err != nil {
				return res, fmt.Errorf("bureau %s catalog: %w", s.Slug, err)
			}
			res.Items += n
		}
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

// catalogWords make the titles of synthetic catalog items; 养老 (elderly
// care) is among the commonest, as in a civil affairs bureau's catalog.
var catalogWords = []string{"养老", "服务", "机构", "收费", "标准", "殡葬", "婚姻", "登记", "社会", "救助", "低保", "特困", "供养", "儿童",
	"福利", "残疾人", "补贴", "社区", "慈善", "优抚", "安置", "区划", "地名", "年度", "养老", "居家", "老年人", "流浪", "乞讨", "公益"}

// bulkCatalog publishes n synthetic items of the bureau with
// catalog.BulkPublish: Chinese titles, categories skewed (the first leaves
// of the tree hold most items, as real catalogs do), publication dates over
// the span skewed to recent months (publicationDays), document kinds from
// the category.
func bulkCatalog(ctx context.Context, a *app.App, t tenant.Tenant, n int, today workday.Date, span int, rng *rand.Rand) (int, error) {
	ctx = authz.WithActor(ctx, authz.System)
	tree, err := a.Catalog.Categories(ctx, t.ID)
	if err != nil {
		return 0, err
	}
	leaves := catalog.Leaves(tree)
	if len(leaves) == 0 {
		return 0, fmt.Errorf("bureau %s has no catalog categories", t.Slug)
	}
	cal, err := a.Catalog.WorkingCalendar(ctx)
	if err != nil {
		return 0, err
	}
	items := make([]catalog.BulkItem, n)
	for i := range items {
		formed, pub, err := publicationDays(cal, today, int(float64(span)*rng.Float64()*rng.Float64()), rng)
		if err != nil {
			return 0, err
		}
		// Zipf-like: leaf k is chosen with weight about 1/(k+1).
		c := leaves[min(len(leaves)-1, int(math.Exp(rng.Float64()*math.Log(float64(len(leaves)+1))))-1)]
		var b strings.Builder
		b.WriteString("关于")
		for range 2 + rng.IntN(3) {
			b.WriteString(catalogWords[rng.IntN(len(catalogWords))])
		}
		b.WriteString([]string{"的通知", "的实施办法", "的公告", "工作方案", "情况公开"}[rng.IntN(5)])
		title := b.String()
		in := catalog.ItemInput{Title: title, Summary: title + "。明确了适用范围、办理条件和办理流程。", Body: "<p>" + title + "</p>",
			DocNo: fmt.Sprintf("营民发〔%d〕%d号", formed.Year, 1+rng.IntN(300)), FormedOn: formed, Category: c.Code, DocKind: catalog.KindOther,
			Basis: 1 + rng.IntN(15)}
		switch c.Code {
		case "policy.rules":
			in.DocKind = catalog.KindRule
		case "policy.normative":
			in.DocKind = catalog.KindNormative
		}
		items[i] = catalog.BulkItem{ItemInput: in, PublishedOn: pub}
	}
	return a.Catalog.BulkPublish(ctx, t.ID, items)
}
