package tenant_test

import (
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"gongkai/internal/fault"
	"gongkai/internal/tenant"
	"gongkai/tenants"
)

// names returns the names of the top-level categories.
func names(cs []tenant.Category) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Name
	}
	return out
}

func TestLoadTemplatesShipped(t *testing.T) {
	t.Parallel()
	tmpls, err := tenant.LoadTemplates(tenants.FS, "templates")
	if err != nil {
		t.Fatalf("shipped templates do not load:\n%v", err)
	}
	want := map[tenant.Kind][]string{
		tenant.CivilAffairs: {"机构职能", "政策文件", "规划计划", "行政许可", "行政处罚和行政强制", "财政预决算",
			"行政事业性收费", "社会救助", "养老服务", "殡葬管理", "婚姻登记", "优抚安置", "人事信息", "政府采购",
			"建议提案办理", "政府信息公开年报"},
		tenant.FuneralService:  {"服务项目及收费标准", "殡葬用品价格", "服务承诺", "办事流程", "投诉渠道"},
		tenant.WelfareHome:     {"收费标准", "入住须知", "服务承诺", "伙食账目公开", "民主管理"},
		tenant.VeteranCenter:   {"军休政策", "待遇落实", "服务指南"},
		tenant.RescueStation:   {"救助政策", "救助流程", "寻亲公告", "24小时热线"},
		tenant.OversightOffice: {"工作动态", "政策文件", "年度报告"},
	}
	if len(tmpls) != len(want) {
		t.Fatalf("%d templates, want %d", len(tmpls), len(want))
	}
	for k, w := range want {
		tm := tmpls[k]
		if tm.Kind != k || !reflect.DeepEqual(names(tm.Categories), w) {
			t.Errorf("%s: categories %v, want %v", k, names(tm.Categories), w)
		}
	}
	ca := tmpls[tenant.CivilAffairs]
	policy, ok := ca.Category("policy")
	if !ok || !reflect.DeepEqual(names(policy.Children), []string{"规章", "行政规范性文件", "其他文件"}) {
		t.Errorf("policy children: %+v", policy)
	}
	if c, ok := ca.Category("policy.rules"); !ok || c.Name != "规章" {
		t.Errorf("policy.rules = %+v, %v", c, ok)
	}
	if _, ok := ca.Category("policy.nothing"); ok {
		t.Error("found a category that does not exist")
	}
	if tp, ok := ca.Topic("social_assistance"); !ok || tp.Name != "社会救助" {
		t.Errorf("topic social_assistance = %+v, %v", tp, ok)
	}
}

// templatesFS returns valid templates for every kind in templates/.
func templatesFS() fstest.MapFS {
	out := fstest.MapFS{}
	for _, k := range tenant.Kinds() {
		out["templates/"+string(k)+".yaml"] = &fstest.MapFile{Data: []byte("kind: " + string(k) + "\ncategories:\n  - code: news\n    name: 工作动态\n")}
	}
	return out
}

func TestLoadTemplatesRejects(t *testing.T) {
	t.Parallel()
	const file = "templates/civil_affairs.yaml"
	tests := []struct {
		name, data string
		want       []string
	}{
		{"unknown field", "kind: civil_affairs\ncategories:\n  - code: news\n    name: 工作动态\n    title: x\n",
			[]string{"templates/civil_affairs.yaml: categories[0].title: unknown field (line 5); known fields: code, name, children"}},
		{"child code does not extend parent", "kind: civil_affairs\ncategories:\n  - code: policy\n    name: 政策文件\n    children:\n      - code: rules\n        name: 规章\n",
			[]string{`templates/civil_affairs.yaml: categories[0].children[0].code: "rules": must extend its parent's code, e.g. policy.example`}},
		{"bad code", "kind: civil_affairs\ncategories:\n  - code: Policy Files\n    name: 政策文件\n",
			[]string{`templates/civil_affairs.yaml: categories[0].code: "Policy Files": each dot-separated part uses a-z, 0-9 and _ starting with a letter, at most 40 characters`}},
		{"duplicate code", "kind: civil_affairs\ncategories:\n  - code: news\n    name: 工作动态\n  - code: news\n    name: 新闻\n",
			[]string{`templates/civil_affairs.yaml: categories[1].code: "news" is already used by categories[0]`}},
		{"no name", "kind: civil_affairs\ncategories:\n  - code: news\n",
			[]string{"templates/civil_affairs.yaml: categories[0].name: is required"}},
		{"no categories", "kind: civil_affairs\n",
			[]string{"templates/civil_affairs.yaml: categories: needs at least one category"}},
		{"bad topic", "kind: civil_affairs\ncategories:\n  - code: news\n    name: 工作动态\ntopics:\n  - code: a.b\n    name: 社会救助\n",
			[]string{`templates/civil_affairs.yaml: topics[0].code: "a.b": use a-z, 0-9 and _ starting with a letter, at most 40 characters`}},
		{"wrong kind leaves one missing", "kind: welfare_home\ncategories:\n  - code: news\n    name: 工作动态\n",
			[]string{
				"templates/welfare_home.yaml: kind: welfare_home already has a template in templates/civil_affairs.yaml",
				"templates: no template for kind civil_affairs (民政局)",
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fsys := templatesFS()
			fsys[file] = &fstest.MapFile{Data: []byte(tc.data)}
			_, err := tenant.LoadTemplates(fsys, "templates")
			if err == nil {
				t.Fatal("accepted")
			}
			got := strings.Split(fault.MessageOf(err), "\n")
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("message lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestParseTemplate(t *testing.T) {
	t.Parallel()
	tm, err := tenant.ParseTemplate("t.yaml", []byte("kind: rescue_station\ncategories:\n  - code: policy\n    name: 救助政策\n"))
	if err != nil || tm.Kind != tenant.RescueStation || tm.File != "t.yaml" || len(tm.Categories) != 1 {
		t.Fatalf("ParseTemplate = %+v, %v", tm, err)
	}
}
