package request

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"strings"
	"text/template"
	"time"

	"github.com/uptrace/bun"

	"gongkai/internal/audit"
	"gongkai/internal/authz"
	"gongkai/internal/db"
	"gongkai/internal/fault"
	"gongkai/internal/workday"
)

// Letter kinds (告知书) sent to an applicant.
const (
	LetterAcknowledgement   = "acknowledgement"     // 受理回执
	LetterSupplementRequest = "supplement_request"  // 补正申请告知书 (Art. 30)
	LetterExtension         = "extension_notice"    // 延期答复告知书 (Art. 33)
	LetterConsultation      = "consultation_letter" // 征求意见函 (Art. 32)
	LetterFeeNotice         = "fee_notice"          // 收费通知书
	LetterReply             = "reply"               // 政府信息公开申请答复书 (Art. 36)
)

// LetterKinds lists the kinds with their Chinese titles.
var LetterKinds = []struct{ Code, Title string }{
	{LetterAcknowledgement, "政府信息公开申请受理回执"},
	{LetterSupplementRequest, "政府信息公开申请补正告知书"},
	{LetterExtension, "政府信息公开申请延期答复告知书"},
	{LetterConsultation, "政府信息公开征求意见函"},
	{LetterFeeNotice, "政府信息公开信息处理费收费通知书"},
	{LetterReply, "政府信息公开申请答复书"},
}

func letterTitle(kind string) (string, bool) {
	for _, k := range LetterKinds {
		if k.Code == kind {
			return k.Title, true
		}
	}
	return "", false
}

// Letter is a letter as sent: immutable, with its document number (文号).
type Letter struct {
	bun.BaseModel `bun:"table:letters"`
	TenantID      int64        `bun:",notnull"`
	ID            int64        `bun:",pk,autoincrement"`
	RequestID     int64        `bun:",notnull"`
	Kind          string       `bun:",notnull"`
	DocNo         string       `bun:",notnull"`
	BodyHTML      string       `bun:"body_html,notnull"`
	SentOn        workday.Date `bun:",notnull"`
	Delivery      string       `bun:",notnull"`
	CreatedBy     string       `bun:",notnull"`
	CreatedAt     time.Time    `bun:",notnull"`
	// ErasedAt is set when the body was replaced by ErasureNotice after the
	// retention period; the only change a sent letter allows.
	ErasedAt *time.Time
}

// letterTemplate is a bureau's own wording of a letter kind.
type letterTemplate struct {
	bun.BaseModel `bun:"table:letter_templates"`
	TenantID      int64     `bun:",pk"`
	Kind          string    `bun:",pk"`
	Body          string    `bun:",notnull"`
	UpdatedBy     string    `bun:",notnull"`
	UpdatedAt     time.Time `bun:",notnull"`
}

// letterData are the variables a letter template may use. Every value is
// plain text; the rendered letter is HTML-escaped as a whole, so a template
// cannot inject markup, and text/template over a struct of strings cannot
// call anything.
type letterData struct {
	Bureau, Office, OfficeAddress, OfficePhone string
	DocNo, Applicant, TrackingCode, Content    string
	ReceivedOn, DueOn, SentOn                  string
	Reason, Days, Outcome, Basis, Withheld     string
	ReplyText, ConsultationDueOn, FeePayDueOn  string
	FeeYuan                                    string
}

// builtinLetters are the default wordings, following the Regulations.
var builtinLetters = map[string]string{
	LetterAcknowledgement: `{{.Applicant}}：

本机关于{{.ReceivedOn}}收到您提交的政府信息公开申请（查询码：{{.TrackingCode}}），申请内容为：{{.Content}}

根据《中华人民共和国政府信息公开条例》第三十三条的规定，本机关将自收到申请之日起20个工作日内（即{{.DueOn}}前）作出答复。如需延长答复期限，本机关将另行告知。

联系电话：{{.OfficePhone}}`,
	LetterSupplementRequest: `{{.Applicant}}：

本机关于{{.ReceivedOn}}收到您提交的政府信息公开申请（查询码：{{.TrackingCode}}）。经审查，您的申请内容不明确，需要补正：{{.Reason}}

根据《中华人民共和国政府信息公开条例》第三十条的规定，请您予以补正。答复期限自本机关收到补正后的申请之日起计算。无正当理由逾期不补正的，视为您放弃申请，本机关不再处理该政府信息公开申请。

联系电话：{{.OfficePhone}}`,
	LetterExtension: `{{.Applicant}}：

本机关于{{.ReceivedOn}}收到您提交的政府信息公开申请（查询码：{{.TrackingCode}}）。因{{.Reason}}，本机关不能在规定期限内作出答复。

根据《中华人民共和国政府信息公开条例》第三十三条第二款的规定，经本机关政府信息公开工作机构负责人同意，答复期限延长{{.Days}}个工作日，至{{.DueOn}}。

联系电话：{{.OfficePhone}}`,
	LetterConsultation: `关于征求政府信息公开意见的函

本机关收到政府信息公开申请（查询码：{{.TrackingCode}}），申请公开的政府信息可能涉及您（单位）的合法权益：{{.Reason}}

根据《中华人民共和国政府信息公开条例》第三十二条的规定，现征求您（单位）的意见。请于{{.ConsultationDueOn}}前提出意见；逾期未提出意见的，由本机关依照条例规定决定是否公开。`,
	LetterFeeNotice: `{{.Applicant}}：

本机关于{{.ReceivedOn}}收到您提交的政府信息公开申请（查询码：{{.TrackingCode}}）。根据《政府信息公开信息处理费管理办法》（国办函〔2020〕109号），您的申请需缴纳信息处理费{{.FeeYuan}}元（{{.Reason}}）。

请您自收到本通知次日起20个工作日内（即{{.FeePayDueOn}}前）缴纳。逾期未缴纳的，视为您放弃申请，本机关不再处理该政府信息公开申请。

联系电话：{{.OfficePhone}}`,
	LetterReply: `{{.Applicant}}：

本机关于{{.ReceivedOn}}收到您提交的政府信息公开申请（查询码：{{.TrackingCode}}），申请内容为：{{.Content}}

经审查，现答复如下：{{.ReplyText}}

办理结果：{{.Outcome}}{{if .Basis}}。依据：{{.Basis}}{{end}}{{if .Withheld}}。不予公开的部分及理由：{{.Withheld}}{{end}}

如对本答复不服，可以自收到本答复之日起60日内依法申请行政复议，或者自收到本答复之日起6个月内依法提起行政诉讼。

联系电话：{{.OfficePhone}}`,
}

// ParseLetterTemplate checks a bureau's wording of a letter: it must parse
// and may only use the letter variables.
func ParseLetterTemplate(body string) (*template.Template, error) {
	t, err := template.New("letter").Option("missingkey=error").Parse(body)
	if err != nil {
		return nil, fault.Field("body", "is not a valid letter template: %v", err)
	}
	if err := t.Execute(&bytes.Buffer{}, letterData{}); err != nil {
		return nil, fault.Field("body", "uses something other than the letter variables: %v", err)
	}
	return t, nil
}

// renderLetter fills the template and lays the letter out as printable A4
// HTML: everything from the template and the data is escaped.
func renderLetter(title, body string, d letterData) (string, error) {
	t, err := ParseLetterTemplate(body)
	if err != nil {
		return "", err
	}
	var text bytes.Buffer
	if err := t.Execute(&text, d); err != nil {
		return "", fault.Wrap(err, fault.Invalid, "letter template")
	}
	var b strings.Builder
	b.WriteString(`<article class="letter"><header><p class="bureau">` + html.EscapeString(d.Bureau) + `</p><h1>` + html.EscapeString(title) + `</h1><p class="docno">` + html.EscapeString(d.DocNo) + `</p></header>`)
	for _, para := range strings.Split(text.String(), "\n\n") {
		if p := strings.TrimSpace(para); p != "" {
			b.WriteString("<p>" + strings.ReplaceAll(html.EscapeString(p), "\n", "<br>") + "</p>")
		}
	}
	b.WriteString(`<footer><p class="sign">` + html.EscapeString(d.Bureau) + `</p><p class="date">` + html.EscapeString(d.SentOn) + `</p></footer></article>`)
	return b.String(), nil
}

// chineseDate renders 2026年3月19日.
func chineseDate(d workday.Date) string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d年%d月%d日", d.Year, int(d.Month), d.Day)
}

// IssueLetter writes a letter of the kind for the request, gives it the next
// document number of the bureau and year, and keeps it immutable with the
// date it was sent and how (post counts on posting).
func (s *Service) IssueLetter(ctx context.Context, tenantID, requestID int64, kind string, sentOn workday.Date, delivery string) (*Letter, error) {
	title, ok := letterTitle(kind)
	if !ok {
		return nil, fault.Field("kind", "must be one of acknowledgement, supplement_request, extension_notice, consultation_letter, fee_notice, reply")
	}
	if !sentOn.Valid() {
		return nil, fault.Field("sent_on", "is required (YYYY-MM-DD)")
	}
	delivery = strings.TrimSpace(delivery)
	if delivery == "" {
		return nil, fault.Field("delivery", "is required: how the letter was sent (邮寄, 电子邮件, 当面领取 …)")
	}
	if err := s.authz.Require(ctx, tenantID, "request", "write"); err != nil {
		return nil, err
	}
	d, err := s.Get(ctx, tenantID, requestID)
	if err != nil {
		return nil, err
	}
	if d.Request.State == StateSubmitted {
		return nil, fault.New(fault.Conflict, "the request is awaiting confirmation of receipt; confirm it before writing letters")
	}
	if kind == LetterReply && d.Request.RepliedOn.IsZero() {
		return nil, fault.New(fault.Conflict, "the request has no reply yet; record the reply first")
	}
	t, err := s.tenants.ByID(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	data := letterData{Bureau: t.Name, Office: t.Spec.Contact.Office, OfficeAddress: t.Spec.Contact.Address, OfficePhone: t.Spec.Contact.Phone,
		Applicant: d.Request.ApplicantName, TrackingCode: d.Request.TrackingCode, Content: d.Request.Content,
		ReceivedOn: chineseDate(d.Request.ReceivedOn), DueOn: chineseDate(d.Deadline.DueOn), SentOn: chineseDate(sentOn),
		ConsultationDueOn: chineseDate(d.Deadline.ConsultationDueOn), FeePayDueOn: chineseDate(d.Deadline.FeePaymentDueOn),
		Basis: d.Request.OutcomeBasis, Withheld: d.Request.Withheld, ReplyText: d.Request.ReplyText}
	if o, ok := OutcomeByCode(d.Request.Outcome); ok {
		data.Outcome = strings.TrimSpace(o.Group + o.Row)
	}
	// The reason and length of the latest event of the matching kind.
	match := map[string]string{LetterSupplementRequest: "supplement_requested", LetterExtension: "extended", LetterConsultation: "consultation_started", LetterFeeNotice: "fee_notified"}
	for i := len(d.Events) - 1; i >= 0; i-- {
		if string(d.Events[i].Kind) == match[kind] {
			data.Reason, data.Days, data.FeeYuan = d.Events[i].Reason, fmt.Sprint(d.Events[i].Days), fmt.Sprint(d.Events[i].AmountYuan)
			break
		}
	}
	if match[kind] != "" && data.Reason == "" {
		return nil, fault.New(fault.Conflict, "record the %s action (with its reason) before writing this letter", match[kind])
	}
	actor, _ := authz.ActorFrom(ctx)
	now := s.now().UTC()
	l := &Letter{TenantID: tenantID, RequestID: requestID, Kind: kind, SentOn: sentOn, Delivery: delivery, CreatedBy: actor.Name, CreatedAt: now}
	err = s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		body := builtinLetters[kind]
		var custom []string
		if err := tx.NewSelect().Table("letter_templates").Column("body").Where("tenant_id = ? AND kind = ?", tenantID, kind).Scan(ctx, &custom); err != nil {
			return err
		}
		if len(custom) > 0 {
			body = custom[0]
		}
		var next int
		if err := tx.NewRaw("INSERT INTO letter_sequences (tenant_id, year, next) VALUES (?, ?, 1) ON CONFLICT (tenant_id, year) DO UPDATE SET next = letter_sequences.next + 1 RETURNING next",
			tenantID, sentOn.Year).Scan(ctx, &next); err != nil {
			return err
		}
		l.DocNo = fmt.Sprintf("%s依申〔%d〕%d号", t.Name, sentOn.Year, next)
		data.DocNo = l.DocNo
		if l.BodyHTML, err = renderLetter(title, body, data); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(l).Returning("id").Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Entry{TenantID: tenantID, Action: "request.letter_issued", ObjectType: "letter", ObjectID: l.DocNo,
			Changes: map[string]any{"request": d.Request.TrackingCode, "kind": kind, "sent_on": sentOn.String(), "delivery": delivery}})
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// Letters lists the letters of a request, oldest first.
func (s *Service) Letters(ctx context.Context, tenantID, requestID int64) ([]Letter, error) {
	if err := s.authz.Require(ctx, tenantID, "request", "read"); err != nil {
		return nil, err
	}
	var out []Letter
	err := s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Model(&out).Where("tenant_id = ? AND request_id = ?", tenantID, requestID).Order("id").Scan(ctx)
	})
	return out, err
}

// SetLetterTemplate stores the bureau's own wording of a letter kind; it
// must parse and use only the letter variables.
func (s *Service) SetLetterTemplate(ctx context.Context, tenantID int64, kind, body string) error {
	if _, ok := letterTitle(kind); !ok {
		return fault.Field("kind", "is not a letter kind")
	}
	if len(body) > 20000 {
		return fault.Field("body", "must be at most 20000 bytes")
	}
	if _, err := ParseLetterTemplate(body); err != nil {
		return err
	}
	if err := s.authz.Require(ctx, tenantID, "settings", "manage"); err != nil {
		return err
	}
	actor, _ := authz.ActorFrom(ctx)
	now := s.now().UTC()
	return s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewDelete().Model((*letterTemplate)(nil)).Where("tenant_id = ? AND kind = ?", tenantID, kind).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(&letterTemplate{TenantID: tenantID, Kind: kind, Body: body, UpdatedBy: actor.Name, UpdatedAt: now}).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Entry{TenantID: tenantID, Action: "request.letter_template_set", ObjectType: "letter_template", ObjectID: kind})
	})
}
