// Package request handles disclosure requests (依申请公开): registration by
// staff, integrators and the public, the event log and its deadlines (see
// package deadline), replies with exactly one outcome per request, and the
// worklist.
package request

import "slices"

// Outcome is the result of a request: exactly one row of Table 3 of the
// annual report (国办公开办函〔2021〕30号), each tied to its reply type.
type Outcome struct {
	Code string
	// Row is the Table 3 row label, verbatim.
	Row string
	// Group is the Table 3 group label (（三）不予公开 …), "" for （一） and （二）.
	Group string
	// Basis cites where the reply type comes from.
	Basis string
	// NeedsBasis says the reply must state its legal basis (refusals).
	NeedsBasis bool
	// NeedsWithheld says the reply must record what was withheld and why
	// (partial disclosure, Art. 37).
	NeedsWithheld bool
	// Automatic outcomes are set by a lapse event, never chosen in a reply.
	Automatic bool
}

// Outcomes lists every outcome in Table 3 order.
var Outcomes = []Outcome{
	{Code: "granted", Row: "（一）予以公开", Basis: "第三十六条第（一）（二）项"},
	{Code: "partially_granted", Row: "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", Basis: "第三十七条", NeedsWithheld: true, NeedsBasis: true},
	{Code: "refused_state_secret", Group: "（三）不予公开", Row: "1.属于国家秘密", Basis: "第十四条", NeedsBasis: true},
	{Code: "refused_prohibited_by_law", Group: "（三）不予公开", Row: "2.其他法律行政法规禁止公开", Basis: "第十四条", NeedsBasis: true},
	{Code: "refused_security_stability", Group: "（三）不予公开", Row: "3.危及“三安全一稳定”", Basis: "第十四条", NeedsBasis: true},
	{Code: "refused_third_party", Group: "（三）不予公开", Row: "4.保护第三方合法权益", Basis: "第十五条", NeedsBasis: true},
	{Code: "refused_internal_affairs", Group: "（三）不予公开", Row: "5.属于三类内部事务信息", Basis: "第十六条第一款", NeedsBasis: true},
	{Code: "refused_process_information", Group: "（三）不予公开", Row: "6.属于四类过程性信息", Basis: "第十六条第二款", NeedsBasis: true},
	{Code: "refused_enforcement_file", Group: "（三）不予公开", Row: "7.属于行政执法案卷", Basis: "第十六条第二款", NeedsBasis: true},
	{Code: "refused_administrative_inquiry", Group: "（三）不予公开", Row: "8.属于行政查询事项", Basis: "第三十六条第（七）项", NeedsBasis: true},
	{Code: "unavailable_not_held", Group: "（四）无法提供", Row: "1.本机关不掌握相关政府信息", Basis: "第三十六条第（四）（五）项"},
	{Code: "unavailable_needs_creation", Group: "（四）无法提供", Row: "2.没有现成信息需要另行制作", Basis: "第三十八条"},
	{Code: "unavailable_unclear_after_supplement", Group: "（四）无法提供", Row: "3.补正后申请内容仍不明确", Basis: "第三十条"},
	{Code: "not_processed_petition", Group: "（五）不予处理", Row: "1.信访举报投诉类申请", Basis: "第三十九条第一款"},
	{Code: "not_processed_repeated", Group: "（五）不予处理", Row: "2.重复申请", Basis: "第三十六条第（六）项"},
	{Code: "not_processed_publication", Group: "（五）不予处理", Row: "3.要求提供公开出版物", Basis: "第三十九条第二款"},
	{Code: "not_processed_excessive", Group: "（五）不予处理", Row: "4.无正当理由大量反复申请", Basis: "第三十五条"},
	{Code: "not_processed_confirmation", Group: "（五）不予处理", Row: "5.要求行政机关确认或重新出具已获取信息", Basis: "第三十九条"},
	{Code: "other_no_supplement", Group: "（六）其他处理", Row: "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", Basis: "第三十条", Automatic: true},
	{Code: "other_fee_unpaid", Group: "（六）其他处理", Row: "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", Basis: "国办函〔2020〕109号", Automatic: true},
	{Code: "other", Group: "（六）其他处理", Row: "3.其他"},
}

// OutcomeByCode returns the outcome with the code.
func OutcomeByCode(code string) (Outcome, bool) {
	i := slices.IndexFunc(Outcomes, func(o Outcome) bool { return o.Code == code })
	if i < 0 {
		return Outcome{}, false
	}
	return Outcomes[i], true
}

// ReplyOutcomeCodes lists the outcomes a reply may choose (not the automatic ones).
func ReplyOutcomeCodes() []string {
	var out []string
	for _, o := range Outcomes {
		if !o.Automatic {
			out = append(out, o.Code)
		}
	}
	return out
}

// ApplicantTypes are the Table 3 columns: 自然人 and the five kinds of
// 法人或其他组织.
var ApplicantTypes = []struct{ Code, Label string }{
	{"natural_person", "自然人"},
	{"commercial_enterprise", "商业企业"},
	{"research_institution", "科研机构"},
	{"public_welfare_organization", "社会公益组织"},
	{"legal_service_institution", "法律服务机构"},
	{"other_organization", "其他"},
}

// Channel is how a request arrived; it decides the receipt date (Art. 31).
type Channel struct {
	Code  string
	Label string
	// NeedsConfirmation: the receipt date is the day the bureau confirmed
	// with the applicant (ordinary letter) or both sides confirmed (online
	// form, fax), not the day it arrived.
	NeedsConfirmation bool
}

// Channels lists the channels and their receipt-date rule (Art. 31).
var Channels = []Channel{
	{"in_person", "当面提交", false},
	{"registered_post", "邮寄（签收）", false},
	{"ordinary_letter", "平常信函", true},
	{"fax", "传真", true},
	{"email", "电子邮件", false},
	{"online", "网上申请", true},
	{"phone_record", "电话记录", false},
}

// ChannelByCode returns the channel with the code.
func ChannelByCode(code string) (Channel, bool) {
	i := slices.IndexFunc(Channels, func(c Channel) bool { return c.Code == code })
	if i < 0 {
		return Channel{}, false
	}
	return Channels[i], true
}
