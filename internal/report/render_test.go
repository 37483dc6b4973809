package report

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

func TestHTMLLayoutHasTheOfficialLabelsAndSpans(t *testing.T) {
	t.Parallel()
	tables := Tables{Year: 2026, Table3: newTable3()}
	tables.Table3.Row("granted").Values[0] = 7
	tables.Table3.Row(RowNew).Values[0] = 7
	tables.Table3.finish()
	doc := &Document{Bureau: "营口市民政局", Year: 2026, Version: 1, Narrative: map[string]string{SectionOverview: "第一段。\n\n第二段。"}, Tables: tables}
	var b bytes.Buffer
	if err := WriteHTML(&b, doc); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	for _, label := range []string{
		"营口市民政局2026年政府信息公开工作年度报告", "一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
		"四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项",
		"第二十条第（一）项", "第二十条第（五）项", "第二十条第（六）项", "第二十条第（八）项", "本年收费金额（单位：万元）",
		"（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况", "法人或其他组织",
		"（一）予以公开", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "3.危及“三安全一稳定”",
		"1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "（七）总计", "四、结转下年度继续办理",
		"未经复议直接起诉", "复议后起诉", "<p>第一段。</p>", "<p>第二段。</p>", "@page { size: A4",
	} {
		if !strings.Contains(html, label) {
			t.Errorf("HTML lacks %q", label)
		}
	}
	for _, span := range []string{`rowspan="22">三、本年度办理结果`, `rowspan="8">（三）不予公开`, `rowspan="3">（四）无法提供`, `rowspan="5">（五）不予处理`, `rowspan="3">（六）其他处理`, `colspan="7">申请人情况`} {
		if !strings.Contains(html, span) {
			t.Errorf("HTML lacks span %q", span)
		}
	}
	// Every Table 3 body row has the 7 numbers.
	rows := regexp.MustCompile(`(?s)<tr>(.*?)</tr>`).FindAllString(html, -1)
	if len(rows) < 30 {
		t.Fatalf("only %d table rows", len(rows))
	}
	if !strings.Contains(html, "<td>7</td>") {
		t.Error("the granted count is not shown")
	}
}

func TestCSVAndXLSX(t *testing.T) {
	t.Parallel()
	tables := Tables{Year: 2026, Table3: newTable3()}
	tables.Table3.finish()
	var b bytes.Buffer
	if err := WriteCSV(&b, tables, 3); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 1+len(tables.Table3.Rows) || !strings.HasPrefix(lines[1], "一、本年新收政府信息公开申请数量,0,0,0,0,0,0,0") {
		t.Fatalf("csv:\n%s", b.String())
	}
	if err := WriteCSV(&b, tables, 5); err == nil {
		t.Fatal("table 5 accepted")
	}
	var x bytes.Buffer
	if err := WriteXLSX(&x, &Document{Bureau: "b", Year: 2026, Tables: tables}); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(x.Bytes(), []byte("PK")) || x.Len() < 3000 {
		t.Fatalf("xlsx: %d bytes", x.Len())
	}
}
