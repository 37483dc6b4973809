package oversight

import (
	"slices"

	"gongkai/internal/request"
)

// Metric is one figure of the oversight views with its exact definition, so
// that the office and the bureaus argue about a number once. The same text is
// in docs/metrics.md; the API serves this list to the console.
type Metric struct {
	// Key names the figure in the API (dashboard fields, records, sorting).
	Key string `json:"key"`
	// Label is the Chinese name shown in the console.
	Label string `json:"label"`
	// LabelEN is the English name.
	LabelEN string `json:"label_en"`
	// Unit is requests, cases, items, percent, working_days, state or
	// bureaus.
	Unit string `json:"unit"`
	// Definition says exactly what is counted, on which dates.
	Definition string `json:"definition"`
	// DefinitionZH is the definition in Chinese.
	DefinitionZH string `json:"definition_zh"`
	// Records is the key to pass to the records operation to list the
	// requests or cases behind the figure; empty when there are none to list.
	Records string `json:"records,omitempty"`
}

// Metric units.
const (
	UnitRequests    = "requests"
	UnitCases       = "cases"
	UnitPercent     = "percent"
	UnitWorkingDays = "working_days"
	UnitState       = "state"
	UnitBureaus     = "bureaus"
	UnitItems       = "items"
)

// OutcomeGroup is a group of Table 3 result rows: （一）予以公开 … （六）其他处理.
type OutcomeGroup struct {
	// Key is the group's key in the outcome mix (outcome.<key> as a metric).
	Key string `json:"key"`
	// Label is the Table 3 label of the group.
	Label string `json:"label"`
	// Codes are the request outcome codes (package request) in the group.
	Codes []string `json:"codes"`
}

// OutcomeGroups lists the six groups of Table 3 results in report order.
var OutcomeGroups = func() []OutcomeGroup {
	gs := []OutcomeGroup{
		{Key: "granted", Label: "（一）予以公开"},
		{Key: "partially_granted", Label: "（二）部分公开"},
		{Key: "refused", Label: "（三）不予公开"},
		{Key: "unavailable", Label: "（四）无法提供"},
		{Key: "not_processed", Label: "（五）不予处理"},
		{Key: "other", Label: "（六）其他处理"},
	}
	byGroup := map[string]int{"（三）不予公开": 2, "（四）无法提供": 3, "（五）不予处理": 4, "（六）其他处理": 5}
	for _, o := range request.Outcomes {
		i, ok := byGroup[o.Group]
		switch {
		case ok:
		case o.Code == "granted":
			i = 0
		case o.Code == "partially_granted":
			i = 1
		default:
			continue
		}
		gs[i].Codes = append(gs[i].Codes, o.Code)
	}
	return gs
}()

// Metrics is the metric dictionary: every figure of the dashboard, the
// trends, the action lists and the city report.
var Metrics = []Metric{
	{Key: "received", Label: "新收申请", LabelEN: "Received", Unit: UnitRequests, Records: "received",
		Definition:   "Requests whose receipt date (received_on: 收到申请之日 as fixed by Art. 31 for the channel — the day handed in, signed for, or confirmed) is in the period. Online applications still awaiting the bureau's confirmation have no receipt date and are not counted. For a whole year this is row 一 (本年新收) of Table 3.",
		DefinitionZH: "收到申请之日（按条例第三十一条依渠道确定）在统计期内的申请数。尚待本机关确认的网上申请没有收到日期，不计入。按整年统计时等于表三第一项“本年新收”。"},
	{Key: "closed", Label: "办结申请", LabelEN: "Closed", Unit: UnitRequests, Records: "closed",
		Definition:   "Requests that got their outcome — one Table 3 result row — on a day in the period (outcome_on): the reply date; the lapse date when the applicant did not supplement or pay (rows （六）1, （六）2); the closing date of a withdrawn request (row （六）3). A request re-opened by a reconsideration or court decision has no outcome until its new reply. For a whole year this is row （七）总计 of Table 3.",
		DefinitionZH: "在统计期内得出办理结果（表三某一结果行）的申请数，日期为结果日期：答复日；逾期不补正或不缴费的视为撤回之日；申请人撤回的结案日。经复议、诉讼纠正而重新办理的申请，在重新答复前没有办理结果。按整年统计时等于表三“（七）总计”。"},
	{Key: "open", Label: "在办申请", LabelEN: "Open now", Unit: UnitRequests, Records: "open",
		Definition:   "Requests open or paused today (clock running, or stopped for a supplement, a consultation or an unpaid fee), whatever the period: received, and not replied, lapsed or closed.",
		DefinitionZH: "截至今日处于办理中或中止计时（补正、征求意见、待缴费）的申请数，与统计期无关。"},
	{Key: "overdue", Label: "超期未答复", LabelEN: "Overdue now", Unit: UnitRequests, Records: "overdue",
		Definition:   "Open or paused requests whose due date is before today. The due date is the deadline engine's result over the request's event log: 20 working days after the (effective) receipt, plus the extension and the paused working days (Art. 30, 32, 33). Today is the current day in the city's time zone; a request due today is not overdue.",
		DefinitionZH: "办理中或中止计时、且答复期限早于今日的申请数。答复期限由期限引擎按事件记录计算：自（有效）收到之日起20个工作日，加延期和中止的工作日（条例第三十、三十二、三十三条）。今日按本市时区；期限为今日的不算超期。"},
	{Key: "replied", Label: "答复数", LabelEN: "Replied", Unit: UnitRequests, Records: "replied",
		Definition:   "Requests whose reply date (replied_on) is in the period. Lapsed and withdrawn requests have no reply and are not counted; a re-opened request counts with its new reply.",
		DefinitionZH: "答复日期在统计期内的申请数。视为撤回和申请人撤回的申请没有答复，不计入；重新办理的申请按新的答复日期计。"},
	{Key: "replied_on_time", Label: "按期答复", LabelEN: "Replied on time", Unit: UnitRequests, Records: "replied_on_time",
		Definition:   "Replied requests (see replied) whose reply date is on or before their due date as it stood at the reply (replied_on ≤ due_on).",
		DefinitionZH: "已答复申请中答复日期不晚于答复时的答复期限的申请数（答复日 ≤ 期限）。"},
	{Key: "replied_late", Label: "逾期答复", LabelEN: "Replied late", Unit: UnitRequests, Records: "replied_late",
		Definition:   "Replied requests (see replied) whose reply date is after their due date: replied − replied_on_time.",
		DefinitionZH: "已答复申请中答复日期晚于答复期限的申请数，即答复数减按期答复数。"},
	{Key: "on_time_percent", Label: "按期答复率", LabelEN: "Replied on time (%)", Unit: UnitPercent, Records: "replied",
		Definition:   "replied_on_time ÷ replied × 100, rounded to one decimal; empty when nothing was replied in the period. Totals and rolled-up rows divide their summed counts (not an average of percentages).",
		DefinitionZH: "按期答复数 ÷ 答复数 × 100，保留一位小数；统计期内无答复时为空。合计行和汇总行用合计数相除，不是比率的平均。"},
	{Key: "reply_days", Label: "答复用时样本", LabelEN: "Working days to reply (sample)", Unit: UnitRequests, Records: "reply_days",
		Definition:   "For each replied request (see replied), the working days from the receipt date to the reply date: the working days in (received_on, replied_on] on the city's working-day calendar (weekends, public holidays and make-up working days, with the city's corrections). A reply on the receipt day counts 0, on the next working day 1. This is elapsed time: pauses and extensions are not subtracted. The figure is the number of values; requests whose dates the calendar does not cover are left out.",
		DefinitionZH: "每件已答复申请从收到之日到答复日的工作日数：按本市工作日历（周末、法定节假日、调休上班日及本市更正），计算（收到日, 答复日]内的工作日。当日答复为0，次一工作日答复为1。为实际经过的工作日，不扣除中止和延期。该数为样本数；日历未覆盖其日期的申请不计入。"},
	{Key: "reply_days_median", Label: "答复用时中位数", LabelEN: "Median working days to reply", Unit: UnitWorkingDays, Records: "reply_days",
		Definition:   "The nearest-rank 50th percentile of reply_days: sort the n values and take the one at rank ⌈0.5 × n⌉. It is always an observed value; for even n it is the lower middle value. Totals and rolled-up rows pool the values of their bureaus (not a median of medians).",
		DefinitionZH: "答复用时的第50百分位数（最近秩法）：将n个值升序排列，取第⌈0.5×n⌉个。总是实际出现的值；n为偶数时取中间两值中较小者。合计行和汇总行把各单位的值合并后计算，不是中位数的中位数。"},
	{Key: "reply_days_p90", Label: "答复用时90分位", LabelEN: "90th percentile of working days to reply", Unit: UnitWorkingDays, Records: "reply_days",
		Definition:   "The nearest-rank 90th percentile of reply_days: the value at rank ⌈0.9 × n⌉ of the sorted values, so that at least 90% of the replies took at most that many working days. Pooled as for the median.",
		DefinitionZH: "答复用时的第90百分位数（最近秩法）：升序排列后第⌈0.9×n⌉个值，即至少90%的答复用时不超过该值。合并方法同中位数。"},
	{Key: "extended", Label: "延期答复", LabelEN: "Extensions used", Unit: UnitRequests, Records: "extended",
		Definition:   "Requests with at least one extension (延期答复, Art. 33: an 'extended' event in the request's log) dated in the period.",
		DefinitionZH: "统计期内作出延期答复（条例第三十三条，事件记录中的“延期”）的申请数。"},
	{Key: "catalog_published", Label: "主动公开目录发布条目", LabelEN: "Catalog items published", Unit: UnitItems, Records: "catalog_published",
		Definition:   "Disclosure catalog items (主动公开目录, Art. 12) first published in the period: the publication date of the item's first published version (revision 1) is in the period. Later revisions of an item are not counted again; an item withdrawn afterwards as published in error still counts, since it was published.",
		DefinitionZH: "统计期内首次公开的主动公开目录条目数（条例第十二条）：条目首个公开版本的公开日期在统计期内。条目此后的修订不重复计算；公开后因误发撤回的条目仍计入。"},
	{Key: "catalog_late", Label: "超过20个工作日公开", LabelEN: "Items published after 20 working days", Unit: UnitItems, Records: "catalog_late",
		Definition:   "Of the catalog items first published in the period (see catalog_published), those published after the Art. 26 deadline: the deadline day is the 20th working day after the date the information was formed (生成日期, as it stood in the first published version), on the city's working-day calendar; an item published on the deadline day is on time, the next day (working or not) late. Items whose dates the calendar does not cover are not counted. Unpublished items past the deadline are not in this figure; the bureau's home page lists them.",
		DefinitionZH: "统计期内首次公开的目录条目中，超过条例第二十六条期限公开的条目数：期限为信息形成之日（首个公开版本的生成日期）后第20个工作日（按本市工作日历）；期限当日公开为按时，次日起（无论是否工作日）为超期。日期超出日历范围的条目不计入。尚未公开但已超期的条目不在此数内，由各单位工作台列出。"},
	{Key: "outcome.granted", Label: "（一）予以公开", LabelEN: "Outcome: granted", Unit: UnitRequests, Records: "outcome.granted",
		Definition:   "Closed requests (see closed) with outcome （一）予以公开 (Art. 36 (1), (2)).",
		DefinitionZH: "办结申请中办理结果为“（一）予以公开”的数量。"},
	{Key: "outcome.partially_granted", Label: "（二）部分公开", LabelEN: "Outcome: partially granted", Unit: UnitRequests, Records: "outcome.partially_granted",
		Definition:   "Closed requests (see closed) with outcome （二）部分公开 (Art. 37).",
		DefinitionZH: "办结申请中办理结果为“（二）部分公开”的数量。"},
	{Key: "outcome.refused", Label: "（三）不予公开", LabelEN: "Outcome: refused", Unit: UnitRequests, Records: "outcome.refused",
		Definition:   "Closed requests (see closed) with an outcome in group （三）不予公开, rows 1–8 (Art. 14–16, 36 (7)).",
		DefinitionZH: "办结申请中办理结果属于“（三）不予公开”第1至8项的数量。"},
	{Key: "outcome.unavailable", Label: "（四）无法提供", LabelEN: "Outcome: cannot be provided", Unit: UnitRequests, Records: "outcome.unavailable",
		Definition:   "Closed requests (see closed) with an outcome in group （四）无法提供, rows 1–3 (Art. 36 (4), (5), 38, 30).",
		DefinitionZH: "办结申请中办理结果属于“（四）无法提供”第1至3项的数量。"},
	{Key: "outcome.not_processed", Label: "（五）不予处理", LabelEN: "Outcome: not processed", Unit: UnitRequests, Records: "outcome.not_processed",
		Definition:   "Closed requests (see closed) with an outcome in group （五）不予处理, rows 1–5 (Art. 35, 36 (6), 39).",
		DefinitionZH: "办结申请中办理结果属于“（五）不予处理”第1至5项的数量。"},
	{Key: "outcome.other", Label: "（六）其他处理", LabelEN: "Outcome: other", Unit: UnitRequests, Records: "outcome.other",
		Definition:   "Closed requests (see closed) with an outcome in group （六）其他处理, rows 1–3: no supplement (Art. 30), fee not paid, other (e.g. withdrawn).",
		DefinitionZH: "办结申请中办理结果属于“（六）其他处理”第1至3项（逾期不补正、逾期不缴费、其他如撤回）的数量。"},
	{Key: "appeals", Label: "复议诉讼案件", LabelEN: "Appeals", Unit: UnitCases, Records: "appeals",
		Definition:   "Reconsideration and litigation cases (行政复议、行政诉讼, all three kinds of Table 4) filed in the period (filed_on), counted for the bureau whose act is challenged.",
		DefinitionZH: "统计期内（以立案日期计）针对本单位政府信息公开行为提起的行政复议和行政诉讼案件数（表四三类合计）。"},
	{Key: "appeals.upheld", Label: "结果维持", LabelEN: "Appeals upheld", Unit: UnitCases, Records: "appeals.upheld",
		Definition:   "Appeals (see appeals) whose recorded outcome today is upheld (维持). Table 4 instead takes the outcome as of 31 December of the report year.",
		DefinitionZH: "上述案件中截至今日结果为“维持”的数量（表四以当年12月31日的结果计）。"},
	{Key: "appeals.corrected", Label: "结果纠正", LabelEN: "Appeals corrected", Unit: UnitCases, Records: "appeals.corrected",
		Definition:   "Appeals (see appeals) whose recorded outcome today is corrected (纠正); a correction re-opens the request.",
		DefinitionZH: "上述案件中截至今日结果为“纠正”的数量；纠正会使相关申请重新办理。"},
	{Key: "appeals.other", Label: "其他结果", LabelEN: "Appeals: other outcome", Unit: UnitCases, Records: "appeals.other",
		Definition:   "Appeals (see appeals) whose recorded outcome today is other (其他).",
		DefinitionZH: "上述案件中截至今日结果为“其他”的数量。"},
	{Key: "appeals.pending", Label: "尚未审结", LabelEN: "Appeals pending", Unit: UnitCases, Records: "appeals.pending",
		Definition:   "Appeals (see appeals) with no outcome recorded today (尚未审结).",
		DefinitionZH: "上述案件中截至今日尚未审结的数量。"},
	{Key: "report_state", Label: "年度报告状态", LabelEN: "Annual report state", Unit: UnitState,
		Definition:   "State of the newest version of the bureau's annual report for the dashboard year: not_started (no version), draft, submitted (sent to the oversight office, tables frozen), published (on the bureau's portal page). A correction of a published report shows the correction's state; first_published_on still shows the first publication.",
		DefinitionZH: "本单位该年度年度报告最新版本的状态：未开始（无任何版本）、草稿、已报送（报送政务公开办，表格已固定）、已公开（在本单位门户公开）。已公开报告的更正版显示更正版的状态，首次公开日期仍显示。"},
	{Key: "report_timeliness", Label: "年度报告是否按时", LabelEN: "Annual report on time", Unit: UnitState,
		Definition:   "The report's first publication against the bureau's deadline (Art. 49: publish by 31 January of the next year; the city office by 31 March; the bureau's report_deadline setting): on_time — first published on or before the deadline day; late — first published after it; overdue — not published and the deadline day has passed; not_due — not published and the deadline day has not passed. Publication dates are taken in the bureau's time zone.",
		DefinitionZH: "以首次公开日期对照本单位的报告期限（条例第四十九条：次年1月31日前公开，市级报告3月31日前；以本单位设置的报告期限为准）：按时——不晚于期限当日首次公开；逾期公开——期限后公开；已逾期——未公开且期限已过；未到期——未公开且期限未过。日期按本单位时区。"},
	{Key: "overdue_days", Label: "超期工作日", LabelEN: "Working days overdue", Unit: UnitWorkingDays, Records: "overdue",
		Definition:   "In the list of overdue requests: the working days in (due_on, today] on the city's calendar — 1 on the first working day after the due date.",
		DefinitionZH: "超期申请清单中：（答复期限, 今日]内的工作日数，期限后第一个工作日为1。"},
	{Key: "missing_reports", Label: "逾期未报送年度报告", LabelEN: "Reports not submitted after the deadline", Unit: UnitBureaus,
		Definition:   "Bureaus and affiliated units (not the oversight office) with no version of the year's report ever submitted or published, whose deadline day has passed.",
		DefinitionZH: "期限已过、该年度报告从未报送或公开的单位（不含政务公开办）。"},
	{Key: "failing_invariants", Label: "年度报告表格校验不通过", LabelEN: "Reports failing an invariant", Unit: UnitBureaus,
		Definition:   "Bureaus whose Tables 2–4 for the year break an invariant of 国办公开办函〔2021〕30号 (一+二 = （七）总计+四; （七）总计 = the sum of the results; 总计 = the sum of the applicant columns; Table 4 totals; last year's 四 = this year's 二). The tables checked are the frozen tables of the newest submitted or published version, otherwise the tables computed now from the records.",
		DefinitionZH: "该年度表二至表四不符合国办公开办函〔2021〕30号勾稽关系的单位（一+二=（七）总计+四；总计等于各结果之和；总计列等于各申请人列之和；表四合计；上年“结转下年度”=本年“上年结转”）。已报送或已公开的用其固定的表格，否则用按记录即时计算的表格。"},
	{Key: "trends", Label: "月度趋势", LabelEN: "Monthly trends", Unit: UnitRequests,
		Definition:   "received and closed (same definitions) per calendar month of the year, and of the same months of the year before.",
		DefinitionZH: "按自然月统计的新收申请数和办结申请数（口径同上），并与上年同月对比。"},
	{Key: "city_tables", Label: "全市年度报告表格", LabelEN: "City report tables", Unit: UnitRequests,
		Definition:   "Tables 2–4 of the city-level annual report: the cell-by-cell sum over every bureau and affiliated unit (not the oversight office) of its tables for the year — the frozen tables of its newest submitted or published version, otherwise computed now — with the per-bureau tables as an annex. A Table 2 figure shows / (not applicable) only when it is / for every bureau. The same invariants are checked on the sum.",
		DefinitionZH: "全市年度报告表二至表四：各部门及直属单位（不含政务公开办）该年度表格逐格相加——已报送或已公开的用其固定表格，否则即时计算——各单位表格作为附件。表二某项仅在所有单位均为“/”时显示“/”。合计表格同样校验勾稽关系。"},
}

// MetricByKey returns the metric with the key.
func MetricByKey(key string) (Metric, bool) {
	i := slices.IndexFunc(Metrics, func(m Metric) bool { return m.Key == key })
	if i < 0 {
		return Metric{}, false
	}
	return Metrics[i], true
}
