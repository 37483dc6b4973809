package seed

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"gongkai/internal/app"
	"gongkai/internal/authz"
	"gongkai/internal/catalog"
	"gongkai/internal/identity"
	"gongkai/internal/tenant"
	"gongkai/internal/workday"
)

// Clock is the service's clock while seeding: the real time, except while
// the demo publishes a catalog item on a day in the past, when it shows that
// day, so the item's publication date, index number year and audit trail
// agree. Pass its Now as app.Options.Now.
type Clock struct {
	mu sync.Mutex
	at time.Time
}

// Now returns the time the clock is set to, or the real time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at.IsZero() {
		return time.Now()
	}
	return c.at
}

// set shows day at 10:00 in loc, or the real time again for the zero day.
func (c *Clock) set(day workday.Date, loc *time.Location) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if day.IsZero() {
		c.at = time.Time{}
		return
	}
	c.at = time.Date(day.Year, day.Month, day.Day, 10, 0, 0, 0, loc)
}

// demoItemPrefix marks demo catalog items (their external IDs).
const demoItemPrefix = "demo-item-"

// titlePatterns make realistic item titles from a category's name (%[1]s)
// and a year (%[2]d).
var titlePatterns = []string{
	"关于进一步做好%[1]s工作的通知",
	"%[2]d年%[1]s工作情况",
	"%[1]s办事指南（%[2]d年版）",
	"%[1]s相关政策解读",
	"关于公布%[2]d年%[1]s有关事项的公告",
	"%[1]s工作实施方案",
}

// demoPlan is one demo catalog item and where the demo takes it.
type demoPlan struct {
	in        catalog.ItemInput
	published workday.Date // the publication day (or the day of the last step)
	fate      string       // published, draft, submitted, returned, withdrawn, revised
}

// Fates of demo items besides plain publication.
const (
	fatePublished = "published"
	fateDraft     = "draft"
	fateSubmitted = "submitted"
	fateReturned  = "returned"  // returned once with a comment, then resubmitted, approved, published
	fateWithdrawn = "withdrawn" // published, then withdrawn with a reason
	fateRevised   = "revised"   // published, then changed through a revision
)

// demoCatalog writes the bureau's demo catalog through the real workflow:
// items in every category of its tree over the 18 months before today, each
// written by an information officer, reviewed by a different person
// (Art. 17) and published — about one in ten after the 20 working days of
// Art. 26 — with a few drafts and items awaiting review, one returned and
// resubmitted, one withdrawn, one revised, and, where the bureau has
// normative documents, one repealed as amended by its successor. The clock,
// when given, is set to each publication day. It returns the number of
// items written.
func demoCatalog(ctx context.Context, a *app.App, t tenant.Tenant, today workday.Date, clock *Clock, rng *rand.Rand) (int, error) {
	defer clock.set(workday.Date{}, a.Config.Location)
	author, reviewer, head, err := demoStaff(ctx, a, t)
	if err != nil {
		return 0, err
	}
	tree, err := a.Catalog.Categories(ctx, t.ID)
	if err != nil {
		return 0, err
	}
	leaves := catalog.Leaves(tree)
	cal, err := a.Catalog.WorkingCalendar(ctx)
	if err != nil {
		return 0, err
	}
	topics := a.Catalog.Template(t).Topics
	var plans []demoPlan
	for _, c := range leaves {
		for range 2 + rng.IntN(3) {
			formed, pub, err := publicationDays(cal, today, rng.IntN(540), rng)
			if err != nil {
				return 0, err
			}
			title := fmt.Sprintf(titlePatterns[rng.IntN(len(titlePatterns))], c.Name, formed.Year)
			in := catalog.ItemInput{ExternalID: fmt.Sprintf("%s%d", demoItemPrefix, len(plans)+1), Title: title,
				Summary: fmt.Sprintf("%s。本信息由%s依照《中华人民共和国政府信息公开条例》主动公开，内容包括适用范围、办理条件、办理流程、收费标准和监督方式。", title, t.Name),
				Body: fmt.Sprintf("<p>为进一步做好%s工作，根据有关法律法规和政策规定，现将有关事项公开如下。</p><p>一、适用范围</p><p>本市范围内的相关单位和个人。</p><p>二、办理流程</p><p>申请人可通过现场、邮寄或网上方式提出申请，经办机构在规定时限内办结。</p><p>三、监督方式</p><p>对本信息有疑问的，可在工作日拨打%s咨询。</p>",
					c.Name, t.Spec.Contact.Phone),
				FormedOn: formed, Category: c.Code, DocKind: catalog.KindOther, Basis: 1 + rng.IntN(15)}
			switch c.Code {
			case "policy.rules":
				in.DocKind = catalog.KindRule
			case "policy.normative":
				in.DocKind = catalog.KindNormative
			}
			if t.Kind == "civil_affairs" || rng.IntN(3) == 0 {
				in.DocNo = fmt.Sprintf("营民发〔%d〕%d号", formed.Year, 1+rng.IntN(80))
			}
			if len(topics) > 0 && rng.IntN(2) == 0 {
				in.Topics = []string{topics[rng.IntN(len(topics))].Code}
			}
			plans = append(plans, demoPlan{in: in, published: pub, fate: fatePublished})
		}
	}
	slices.SortStableFunc(plans, func(x, y demoPlan) int { return x.published.Compare(y.published) })
	// The newest items are still in the workflow; a few older ones take the
	// other paths.
	n := len(plans)
	for i, fate := range map[int]string{n - 1: fateDraft, n - 2: fateSubmitted, n - 3: fateDraft, n - 4: fateSubmitted, n / 2: fateReturned, n / 3: fateWithdrawn, n / 4: fateRevised} {
		if i >= 0 && i < n {
			plans[i].fate = fate
		}
	}
	step := func(who context.Context, id int64, action, comment string) (*catalog.Item, error) {
		it, err := a.Catalog.Transition(who, t.ID, id, catalog.Step{Action: action, Comment: comment})
		if err != nil {
			return nil, fmt.Errorf("%s demo item %d: %w", action, id, err)
		}
		return it, nil
	}
	loc := a.Config.Location
	var normative []*catalog.Item
	for _, p := range plans {
		clock.set(p.in.FormedOn, loc)
		it, err := a.Catalog.Create(author, t.ID, p.in)
		if err != nil {
			return 0, fmt.Errorf("demo item %q: %w", p.in.Title, err)
		}
		clock.set(p.published, loc)
		if p.fate == fateDraft {
			continue
		}
		if _, err := step(author, it.ID, catalog.ActSubmit, ""); err != nil {
			return 0, err
		}
		if p.fate == fateSubmitted {
			continue
		}
		if p.fate == fateReturned {
			if _, err := step(reviewer, it.ID, catalog.ActReturn, "请补充文号，并删去内容概述中的联系人手机号码"); err != nil {
				return 0, err
			}
			if _, err := step(author, it.ID, catalog.ActSubmit, "已补充文号"); err != nil {
				return 0, err
			}
		}
		if _, err := step(reviewer, it.ID, catalog.ActApprove, "经保密审查，可以公开"); err != nil {
			return 0, err
		}
		if it, err = step(author, it.ID, catalog.ActPublish, ""); err != nil {
			return 0, err
		}
		switch p.fate {
		case fateWithdrawn:
			clock.set(notAfter(p.published.AddDays(2), today), loc)
			if _, err := step(head, it.ID, catalog.ActWithdraw, "内容有误，更正后重新发布"); err != nil {
				return 0, err
			}
		case fateRevised:
			clock.set(notAfter(p.published.AddDays(30), today), loc)
			d, err := a.Catalog.Revise(author, t.ID, it.ID)
			if err != nil {
				return 0, fmt.Errorf("revise demo item %d: %w", it.ID, err)
			}
			in := p.in
			in.ExternalID = ""
			in.FormedOn = d.FormedOn
			in.Summary += "（根据最新政策调整了收费标准）"
			if _, err := a.Catalog.Update(author, t.ID, d.ID, in); err != nil {
				return 0, fmt.Errorf("edit the revision of demo item %d: %w", it.ID, err)
			}
			for _, s := range []struct {
				who    context.Context
				action string
			}{{author, catalog.ActSubmit}, {reviewer, catalog.ActApprove}, {author, catalog.ActPublish}} {
				if _, err := step(s.who, d.ID, s.action, ""); err != nil {
					return 0, err
				}
			}
		case fatePublished:
			if it.DocKind == catalog.KindNormative {
				normative = append(normative, it)
			}
		}
	}
	if len(normative) >= 2 { // the oldest normative document, amended by the newest
		old, successor := normative[0], normative[len(normative)-1]
		clock.set(successor.PublishedOn, loc)
		if _, err := a.Catalog.Transition(head, t.ID, old.ID, catalog.Step{Action: catalog.ActRepeal, Validity: catalog.Amended, SupersededBy: successor.ID,
			Comment: "已被新文件修订"}); err != nil {
			return 0, fmt.Errorf("repeal demo item %d: %w", old.ID, err)
		}
	}
	return len(plans), nil
}

// demoStaff returns the contexts of the bureau's demo information officer,
// confidentiality reviewer and head of disclosure (bureau administrator,
// who withdraws and repeals), creating their accounts with unguessable
// passwords (a platform administrator can set new ones to sign in as them).
func demoStaff(ctx context.Context, a *app.App, t tenant.Tenant) (author, reviewer, head context.Context, err error) {
	person := func(suffix, name, role string) (context.Context, error) {
		secret := make([]byte, 12)
		if _, err := crand.Read(secret); err != nil {
			return nil, err
		}
		m, err := a.Identity.AddMember(ctx, t.ID, identity.NewMember{Username: t.Slug + "-" + suffix, DisplayName: name,
			Password: "Demo-" + hex.EncodeToString(secret) + "-Q7", Roles: []string{role}})
		if err != nil {
			return nil, fmt.Errorf("demo account %s-%s: %w", t.Slug, suffix, err)
		}
		return authz.WithActor(ctx, authz.Actor{Subject: m.User.Subject(), UserID: m.User.ID, Name: name, TenantID: t.ID}), nil
	}
	if author, err = person("editor", "信息公开专员（演示）", authz.InfoOfficer); err != nil {
		return nil, nil, nil, err
	}
	if reviewer, err = person("reviewer", "保密审查员（演示）", authz.Reviewer); err != nil {
		return nil, nil, nil, err
	}
	head, err = person("head", "信息公开负责人（演示）", authz.BureauAdmin)
	return author, reviewer, head, err
}

// publicationDays returns the day an item was formed, back days before
// today (moved to a working day), and the day it was published: 1–15
// working days later, or for one item in ten 21–30 working days later, after
// the 20 working days of Art. 26; never after today.
func publicationDays(cal *workday.Calendar, today workday.Date, back int, rng *rand.Rand) (formed, published workday.Date, err error) {
	if formed, err = cal.OnOrAfter(today.AddDays(-back)); err != nil {
		return formed, published, err
	}
	lag := 1 + rng.IntN(15)
	if rng.IntN(10) == 0 {
		lag = 21 + rng.IntN(10)
	}
	if published, err = cal.AddWorkingDays(formed, lag); err != nil {
		return formed, published, err
	}
	published = notAfter(published, today)
	if formed.After(published) {
		formed = published
	}
	return formed, published, nil
}

// notAfter returns d, or today when d is later.
func notAfter(d, today workday.Date) workday.Date {
	if d.After(today) {
		return today
	}
	return d
}
