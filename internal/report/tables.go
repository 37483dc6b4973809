// Package report computes the annual report on government information
// disclosure (政府信息公开工作年度报告, Regulations Art. 49–50) from a
// bureau's records, in the format of 国办公开办函〔2021〕30号: Tables 2, 3
// and 4 with their invariants, the narrative sections, and the workflow draft
// → submitted → published.
package report

import (
	"fmt"

	"gongkai/internal/request"
)

// Columns are the Table 3 applicant columns, then the total.
var Columns = []struct{ Code, Label string }{
	{"natural_person", "自然人"},
	{"commercial_enterprise", "商业企业"},
	{"research_institution", "科研机构"},
	{"public_welfare_organization", "社会公益组织"},
	{"legal_service_institution", "法律服务机构"},
	{"other_organization", "其他"},
	{"total", "总计"},
}

// NumColumns is the number of Table 3 columns (six applicant kinds and the total).
const NumColumns = 7

// columnIndex maps an applicant type to its column.
func columnIndex(code string) (int, bool) {
	for i, c := range Columns[:NumColumns-1] {
		if c.Code == code {
			return i, true
		}
	}
	return 0, false
}

// Row codes of Table 3 besides the outcome codes of package request.
const (
	RowNew            = "new"             // 一、本年新收政府信息公开申请数量
	RowCarriedIn      = "carried_in"      // 二、上年结转政府信息公开申请数量
	RowTotal          = "total"           // （七）总计
	RowCarriedForward = "carried_forward" // 四、结转下年度继续办理
)

// Row is one row of Table 3: its label and its seven numbers.
type Row struct {
	Code   string          `json:"code"`
	Group  string          `json:"group,omitempty"`
	Label  string          `json:"label"`
	Values [NumColumns]int `json:"values"`
}

// Table3 is 收到和处理政府信息公开申请情况.
type Table3 struct {
	Rows []Row `json:"rows"`
}

// Row returns the row with the code.
func (t *Table3) Row(code string) *Row {
	for i := range t.Rows {
		if t.Rows[i].Code == code {
			return &t.Rows[i]
		}
	}
	return nil
}

// newTable3 returns Table 3 with every row in the official order, all zero.
func newTable3() Table3 {
	t := Table3{Rows: []Row{
		{Code: RowNew, Label: "一、本年新收政府信息公开申请数量"},
		{Code: RowCarriedIn, Label: "二、上年结转政府信息公开申请数量"},
	}}
	for _, o := range request.Outcomes {
		t.Rows = append(t.Rows, Row{Code: o.Code, Group: o.Group, Label: o.Row})
	}
	t.Rows = append(t.Rows, Row{Code: RowTotal, Label: "（七）总计"}, Row{Code: RowCarriedForward, Label: "四、结转下年度继续办理"})
	return t
}

// finish fills the total column and the （七）总计 row.
func (t *Table3) finish() {
	total := t.Row(RowTotal)
	total.Values = [NumColumns]int{}
	for _, o := range request.Outcomes {
		r := t.Row(o.Code)
		for c := 0; c < NumColumns-1; c++ {
			total.Values[c] += r.Values[c]
		}
	}
	for i := range t.Rows {
		sum := 0
		for c := 0; c < NumColumns-1; c++ {
			sum += t.Rows[i].Values[c]
		}
		t.Rows[i].Values[NumColumns-1] = sum
	}
}

// Figure is a Table 2 number; Value nil means "not applicable" ("/").
type Figure struct {
	Value  *float64 `json:"value"`
	Source string   `json:"source,omitempty"`
}

// Text renders the figure as the report shows it.
func (f Figure) Text() string {
	if f.Value == nil {
		return "/"
	}
	v := *f.Value
	if v == float64(int64(v)) {
		return fmt.Sprintf("%d", int64(v))
	}
	return fmt.Sprintf("%.4g", v)
}

func count(n int, source string) Figure {
	v := float64(n)
	return Figure{Value: &v, Source: source}
}

// DocumentCounts are the Table 2 figures of one document kind (Art. 20 (一)).
type DocumentCounts struct {
	Made     Figure `json:"made"`     // 本年制发件数
	Repealed Figure `json:"repealed"` // 本年废止件数
	InForce  Figure `json:"in_force"` // 现行有效件数
}

// Table2 is 主动公开政府信息情况.
type Table2 struct {
	Rules       DocumentCounts `json:"rules"`               // 规章
	Normative   DocumentCounts `json:"normative_documents"` // 行政规范性文件
	Licensing   Figure         `json:"licensing"`           // 行政许可 本年处理决定数量
	Penalty     Figure         `json:"penalty"`             // 行政处罚
	Enforcement Figure         `json:"enforcement"`         // 行政强制
	FeeIncome   Figure         `json:"fee_income"`          // 行政事业性收费 本年收费金额（单位：万元）
}

// Table4 is 政府信息公开行政复议、行政诉讼情况: three groups of 结果维持,
// 结果纠正, 其他结果, 尚未审结, 总计.
type Table4 struct {
	Reconsideration [5]int `json:"reconsideration"`
	SuedDirectly    [5]int `json:"litigation_direct"`
	SuedAfter       [5]int `json:"litigation_after_reconsideration"`
}

// Tables are Tables 2, 3 and 4 of one bureau and year.
type Tables struct {
	Year   int    `json:"year"`
	Table2 Table2 `json:"table2"`
	Table3 Table3 `json:"table3"`
	Table4 Table4 `json:"table4"`
	// OpeningBalance is the part of 二 that comes from explicit adjustments
	// (requests carried in from before the service), not from last year's
	// records.
	OpeningBalance [NumColumns]int `json:"opening_balance"`

	figures map[string]Figure // every entered figure, for the narrative
}

// Violation is a broken invariant, with where it is.
type Violation struct {
	Rule    string `json:"rule"`
	Column  string `json:"column,omitempty"`
	Details string `json:"details"`
}

// Check returns every invariant of 国办公开办函〔2021〕30号 that the tables
// break. prevCarriedForward, when not nil, is last year's 四 row, which must
// equal this year's 二 row.
func (t *Tables) Check(prevCarriedForward *[NumColumns]int) []Violation {
	var out []Violation
	t3 := &t.Table3
	newRow, in, total, fwd := t3.Row(RowNew), t3.Row(RowCarriedIn), t3.Row(RowTotal), t3.Row(RowCarriedForward)
	for c := 0; c < NumColumns; c++ {
		col := Columns[c].Label
		if l, r := newRow.Values[c]+in.Values[c], total.Values[c]+fwd.Values[c]; l != r {
			out = append(out, Violation{Rule: "一 + 二 = （七）总计 + 四", Column: col, Details: fmt.Sprintf("%d + %d ≠ %d + %d", newRow.Values[c], in.Values[c], total.Values[c], fwd.Values[c])})
		}
		sum := 0
		for _, o := range request.Outcomes {
			sum += t3.Row(o.Code).Values[c]
		}
		if sum != total.Values[c] {
			out = append(out, Violation{Rule: "（七）总计 = （一）+（二）+（三）+（四）+（五）+（六）", Column: col, Details: fmt.Sprintf("sum of results %d ≠ 总计 %d", sum, total.Values[c])})
		}
		if prevCarriedForward != nil && prevCarriedForward[c]+t.OpeningBalance[c] != in.Values[c] {
			out = append(out, Violation{Rule: "上年“结转下年度继续办理” = 本年“上年结转”", Column: col,
				Details: fmt.Sprintf("last year carried forward %d + opening balance %d, this year carried in %d", prevCarriedForward[c], t.OpeningBalance[c], in.Values[c])})
		}
	}
	for _, r := range t3.Rows {
		sum := 0
		for c := 0; c < NumColumns-1; c++ {
			sum += r.Values[c]
		}
		if sum != r.Values[NumColumns-1] {
			out = append(out, Violation{Rule: "总计 = 自然人 + 法人或其他组织", Column: r.Label, Details: fmt.Sprintf("%d ≠ %d", sum, r.Values[NumColumns-1])})
		}
	}
	for name, g := range map[string][5]int{"行政复议": t.Table4.Reconsideration, "未经复议直接起诉": t.Table4.SuedDirectly, "复议后起诉": t.Table4.SuedAfter} {
		if g[0]+g[1]+g[2]+g[3] != g[4] {
			out = append(out, Violation{Rule: "维持 + 纠正 + 其他 + 尚未审结 = 总计", Column: name, Details: fmt.Sprintf("%d + %d + %d + %d ≠ %d", g[0], g[1], g[2], g[3], g[4])})
		}
	}
	return out
}
