package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"

	"gongkai/internal/request"
)

// Document is a whole annual report: who, which year, the narrative sections
// and the tables.
type Document struct {
	Bureau    string            `json:"bureau"`
	Year      int               `json:"year"`
	Version   int               `json:"version"`
	State     string            `json:"state"`
	Narrative map[string]string `json:"narrative"`
	Tables    Tables            `json:"tables"`
}

// Title is the report's title.
func (d *Document) Title() string {
	return fmt.Sprintf("%s%d年政府信息公开工作年度报告", d.Bureau, d.Year)
}

// Narrative section keys (国办公开办函〔2021〕30号).
const (
	SectionOverview = "overview" // 一、总体情况
	SectionProblems = "problems" // 五、存在的主要问题及改进情况
	SectionOther    = "other"    // 六、其他需要报告的事项
)

// table3Group is a run of Table 3 result rows under one group label.
type table3Group struct {
	Label string
	Rows  []Row
}

type htmlView struct {
	*Document
	Title3Groups []table3Group
	Lead         []Row // （一）, （二）
	T4           [3][5]int
	ResultRows   int // rows under 三、本年度办理结果: every outcome and （七）总计
}

var reportTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"para": paragraphs,
}).Parse(reportHTML))

// paragraphs splits text on blank lines.
func paragraphs(s string) []string {
	var out []string
	for _, p := range bytes.Split([]byte(s), []byte("\n\n")) {
		if t := string(bytes.TrimSpace(p)); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// WriteHTML renders the report in the official layout (the same rowspans and
// colspans and labels as 国办公开办函〔2021〕30号), with A4 print styles.
func WriteHTML(w io.Writer, d *Document) error {
	v := htmlView{Document: d, ResultRows: len(request.Outcomes) + 1}
	t3 := d.Tables.Table3
	for _, o := range request.Outcomes {
		r := *t3.Row(o.Code)
		if o.Group == "" {
			v.Lead = append(v.Lead, r)
			continue
		}
		if n := len(v.Title3Groups); n == 0 || v.Title3Groups[n-1].Label != o.Group {
			v.Title3Groups = append(v.Title3Groups, table3Group{Label: o.Group})
		}
		g := &v.Title3Groups[len(v.Title3Groups)-1]
		g.Rows = append(g.Rows, r)
	}
	v.T4 = [3][5]int{d.Tables.Table4.Reconsideration, d.Tables.Table4.SuedDirectly, d.Tables.Table4.SuedAfter}
	return reportTemplate.Execute(w, v)
}

// table3Rows lists the Table 3 rows with their full labels, for CSV and XLSX.
func table3Rows(t Table3) [][]string {
	out := [][]string{{"", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"}}
	for _, r := range t.Rows {
		label := r.Label
		if r.Group != "" {
			label = r.Group + " " + r.Label
		}
		line := []string{label}
		for _, v := range r.Values {
			line = append(line, strconv.Itoa(v))
		}
		out = append(out, line)
	}
	return out
}

func table2Rows(t Table2) [][]string {
	return [][]string{
		{"第二十条第（一）项", "信息内容", "本年制发件数", "本年废止件数", "现行有效件数"},
		{"", "规章", t.Rules.Made.Text(), t.Rules.Repealed.Text(), t.Rules.InForce.Text()},
		{"", "行政规范性文件", t.Normative.Made.Text(), t.Normative.Repealed.Text(), t.Normative.InForce.Text()},
		{"第二十条第（五）项", "信息内容", "本年处理决定数量"},
		{"", "行政许可", t.Licensing.Text()},
		{"第二十条第（六）项", "信息内容", "本年处理决定数量"},
		{"", "行政处罚", t.Penalty.Text()},
		{"", "行政强制", t.Enforcement.Text()},
		{"第二十条第（八）项", "信息内容", "本年收费金额（单位：万元）"},
		{"", "行政事业性收费", t.FeeIncome.Text()},
	}
}

func table4Rows(t Table4) [][]string {
	out := [][]string{{"类别", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计"}}
	for _, g := range []struct {
		name string
		v    [5]int
	}{{"行政复议", t.Reconsideration}, {"行政诉讼（未经复议直接起诉）", t.SuedDirectly}, {"行政诉讼（复议后起诉）", t.SuedAfter}} {
		line := []string{g.name}
		for _, n := range g.v {
			line = append(line, strconv.Itoa(n))
		}
		out = append(out, line)
	}
	return out
}

// WriteCSV writes one table (2, 3 or 4) as CSV.
func WriteCSV(w io.Writer, t Tables, table int) error {
	var rows [][]string
	switch table {
	case 2:
		rows = table2Rows(t.Table2)
	case 3:
		rows = table3Rows(t.Table3)
	case 4:
		rows = table4Rows(t.Table4)
	default:
		return fmt.Errorf("table must be 2, 3 or 4")
	}
	cw := csv.NewWriter(w)
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	return cw.Error()
}

// WriteXLSX writes the three tables as sheets of one workbook.
func WriteXLSX(w io.Writer, d *Document) error {
	f := excelize.NewFile()
	defer f.Close()
	sheets := []struct {
		name string
		rows [][]string
	}{{"表二 主动公开", table2Rows(d.Tables.Table2)}, {"表三 依申请公开", table3Rows(d.Tables.Table3)}, {"表四 复议诉讼", table4Rows(d.Tables.Table4)}}
	for i, sh := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", sh.name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(sh.name); err != nil {
			return err
		}
		for r, line := range sh.rows {
			for c, cell := range line {
				ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
				var v any = cell
				if n, err := strconv.ParseFloat(cell, 64); err == nil {
					v = n
				}
				if err := f.SetCellValue(sh.name, ref, v); err != nil {
					return err
				}
			}
		}
		_ = f.SetColWidth(sh.name, "A", "A", 60)
	}
	return f.Write(w)
}

const reportHTML = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body { font-family: "FangSong", "STFangsong", "Noto Serif CJK SC", "SimSun", serif; color: #000; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.8; }
h1 { font-family: "SimHei", "Noto Sans CJK SC", sans-serif; text-align: center; font-size: 1.6rem; }
h2 { font-family: "SimHei", "Noto Sans CJK SC", sans-serif; font-size: 1.15rem; margin-top: 2rem; }
p { text-indent: 2em; margin: .4rem 0; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; font-size: .92rem; }
th, td { border: 1px solid #000; padding: .25rem .4rem; text-align: center; vertical-align: middle; }
td.label { text-align: left; }
.version { text-align: center; color: #444; }
@page { size: A4; margin: 25mm 20mm; }
@media print { body { margin: 0; max-width: none; } table { page-break-inside: avoid; } }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
{{if gt .Version 1}}<p class="version">（第{{.Version}}版，更正后发布）</p>{{end}}
<h2>一、总体情况</h2>
{{range para (index .Narrative "overview")}}<p>{{.}}</p>{{end}}
<h2>二、主动公开政府信息情况</h2>
<table>
<tbody>
<tr><th colspan="4">第二十条第（一）项</th></tr>
<tr><th>信息内容</th><th>本年制发件数</th><th>本年废止件数</th><th>现行有效件数</th></tr>
<tr><td class="label">规章</td><td>{{.Tables.Table2.Rules.Made.Text}}</td><td>{{.Tables.Table2.Rules.Repealed.Text}}</td><td>{{.Tables.Table2.Rules.InForce.Text}}</td></tr>
<tr><td class="label">行政规范性文件</td><td>{{.Tables.Table2.Normative.Made.Text}}</td><td>{{.Tables.Table2.Normative.Repealed.Text}}</td><td>{{.Tables.Table2.Normative.InForce.Text}}</td></tr>
<tr><th colspan="4">第二十条第（五）项</th></tr>
<tr><th>信息内容</th><th colspan="3">本年处理决定数量</th></tr>
<tr><td class="label">行政许可</td><td colspan="3">{{.Tables.Table2.Licensing.Text}}</td></tr>
<tr><th colspan="4">第二十条第（六）项</th></tr>
<tr><th>信息内容</th><th colspan="3">本年处理决定数量</th></tr>
<tr><td class="label">行政处罚</td><td colspan="3">{{.Tables.Table2.Penalty.Text}}</td></tr>
<tr><td class="label">行政强制</td><td colspan="3">{{.Tables.Table2.Enforcement.Text}}</td></tr>
<tr><th colspan="4">第二十条第（八）项</th></tr>
<tr><th>信息内容</th><th colspan="3">本年收费金额（单位：万元）</th></tr>
<tr><td class="label">行政事业性收费</td><td colspan="3">{{.Tables.Table2.FeeIncome.Text}}</td></tr>
</tbody>
</table>
<h2>三、收到和处理政府信息公开申请情况</h2>
<table>
<thead>
<tr><th colspan="3" rowspan="3">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</th><th colspan="7">申请人情况</th></tr>
<tr><th rowspan="2">自然人</th><th colspan="5">法人或其他组织</th><th rowspan="2">总计</th></tr>
<tr><th>商业企业</th><th>科研机构</th><th>社会公益组织</th><th>法律服务机构</th><th>其他</th></tr>
</thead>
<tbody>
{{with .Tables.Table3.Rows}}{{$new := index . 0}}{{$in := index . 1}}
<tr><td class="label" colspan="3">{{$new.Label}}</td>{{range $new.Values}}<td>{{.}}</td>{{end}}</tr>
<tr><td class="label" colspan="3">{{$in.Label}}</td>{{range $in.Values}}<td>{{.}}</td>{{end}}</tr>
{{end}}
{{range $i, $r := .Lead}}<tr>{{if eq $i 0}}<td class="label" rowspan="{{$.ResultRows}}">三、本年度办理结果</td>{{end}}<td class="label" colspan="2">{{$r.Label}}</td>{{range $r.Values}}<td>{{.}}</td>{{end}}</tr>
{{end}}
{{range .Title3Groups}}{{$g := .}}{{range $j, $r := .Rows}}<tr>{{if eq $j 0}}<td class="label" rowspan="{{len $g.Rows}}">{{$g.Label}}</td>{{end}}<td class="label">{{$r.Label}}</td>{{range $r.Values}}<td>{{.}}</td>{{end}}</tr>
{{end}}{{end}}
{{range .Tables.Table3.Rows}}{{if eq .Code "total"}}<tr><td class="label" colspan="2">{{.Label}}</td>{{range .Values}}<td>{{.}}</td>{{end}}</tr>{{end}}{{end}}
{{range .Tables.Table3.Rows}}{{if eq .Code "carried_forward"}}<tr><td class="label" colspan="3">{{.Label}}</td>{{range .Values}}<td>{{.}}</td>{{end}}</tr>{{end}}{{end}}
</tbody>
</table>
<h2>四、政府信息公开行政复议、行政诉讼情况</h2>
<table>
<thead>
<tr><th colspan="5" rowspan="2">行政复议</th><th colspan="10">行政诉讼</th></tr>
<tr><th colspan="5">未经复议直接起诉</th><th colspan="5">复议后起诉</th></tr>
<tr>{{range .T4}}<th>结果维持</th><th>结果纠正</th><th>其他结果</th><th>尚未审结</th><th>总计</th>{{end}}</tr>
</thead>
<tbody>
<tr>{{range .T4}}{{range .}}<td>{{.}}</td>{{end}}{{end}}</tr>
</tbody>
</table>
<h2>五、存在的主要问题及改进情况</h2>
{{range para (index .Narrative "problems")}}<p>{{.}}</p>{{end}}
<h2>六、其他需要报告的事项</h2>
{{range para (index .Narrative "other")}}<p>{{.}}</p>{{end}}
</body>
</html>
`

// WriteJSON writes the report as JSON (the Document schema).
func WriteJSON(w io.Writer, d *Document) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(d)
}
