package portal

import (
	"html/template"
	"testing"
)

// TestCatalogListHTMLEscapes: the category links and the result rows,
// written without the template, escape every value and keep the markup of
// the highlighted title and excerpt.
func TestCatalogListHTMLEscapes(t *testing.T) {
	nav := categoryItemsHTML([]categoryLink{
		{Name: "全部", URL: "/b/x/catalog?a=1&b=2", Depth: 0},
		{Name: `<script>alert("x")</script>`, URL: `/b/x/catalog?category="><b>`, Depth: 2, Current: true},
	})
	want := template.HTML(`<li class="depth-0"><a href="/b/x/catalog?a=1&amp;b=2">全部</a></li>
<li class="depth-2"><a href="/b/x/catalog?category=&#34;&gt;&lt;b&gt;" aria-current="page">&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;</a></li>
`)
	if nav != want {
		t.Fatalf("nav:\n%s\nwant:\n%s", nav, want)
	}
	rows := rowsHTML([]catalogRow{
		{URL: "/b/x/catalog/1", IndexNo: "A/2026-00001", TitleHTML: "市<mark>养老</mark>院", SummaryHTML: "含<mark>养老</mark>", PublishedOn: "2026-03-02", Validity: "已废止"},
		{URL: "/b/x/catalog/2", IndexNo: "<i>", TitleHTML: "&lt;b&gt;", PublishedOn: "2026-03-01"},
	})
	want = template.HTML(`<tr>
<td class="index">A/2026-00001</td>
<td><a href="/b/x/catalog/1">市<mark>养老</mark>院</a>（已废止）<p class="excerpt">含<mark>养老</mark></p></td>
<td>2026-03-02</td>
</tr>
<tr>
<td class="index">&lt;i&gt;</td>
<td><a href="/b/x/catalog/2">&lt;b&gt;</a></td>
<td>2026-03-01</td>
</tr>
`)
	if rows != want {
		t.Fatalf("rows:\n%s\nwant:\n%s", rows, want)
	}
}
