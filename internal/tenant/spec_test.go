package tenant_test

import (
	"io/fs"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"gopkg.in/yaml.v3"

	"gongkai/internal/fault"
	"gongkai/internal/tenant"
	"gongkai/tenants"
)

// shippedFS copies the shipped tenants/ directory into a MapFS under
// "tenants/", so that tests can change files and messages carry the path.
func shippedFS(t testing.TB) fstest.MapFS {
	t.Helper()
	out := fstest.MapFS{}
	err := fs.WalkDir(tenants.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(tenants.FS, p)
		if err != nil {
			return err
		}
		out["tenants/"+p] = &fstest.MapFile{Data: data}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// edit decodes a YAML file of fsys into a map, lets change modify it and
// writes it back, so that tests change one field of a valid file.
func edit(t testing.TB, fsys fstest.MapFS, file string, change func(m map[string]any)) {
	t.Helper()
	m := map[string]any{}
	if f, ok := fsys[file]; ok {
		if err := yaml.Unmarshal(f.Data, &m); err != nil {
			t.Fatal(err)
		}
	}
	change(m)
	data, err := yaml.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	fsys[file] = &fstest.MapFile{Data: data}
}

// contact returns the contact map of a decoded spec.
func contact(m map[string]any) map[string]any { return m["contact"].(map[string]any) }

func TestLoadDirShipped(t *testing.T) {
	t.Parallel()
	for name, load := range map[string]func() ([]tenant.Spec, error){
		"embedded": func() ([]tenant.Spec, error) { return tenant.LoadDir(tenants.FS, ".") },
		"mapfs":    func() ([]tenant.Spec, error) { return tenant.LoadDir(shippedFS(t), "tenants") },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			specs, err := load()
			if err != nil {
				t.Fatalf("shipped tenants do not load:\n%v", err)
			}
			var slugs []string
			for _, s := range specs {
				slugs = append(slugs, s.Slug)
			}
			want := []string{"civil-affairs", "oversight", "funeral-home", "rescue-station", "veteran-center", "welfare-home"}
			if !reflect.DeepEqual(slugs, want) {
				t.Fatalf("slugs = %v, want parents first %v", slugs, want)
			}
			kinds := map[tenant.Kind]bool{}
			for _, s := range specs {
				kinds[s.Kind] = true
				if s.TimeZone != "Asia/Shanghai" || s.IndexTemplate != tenant.DefaultIndexTemplate {
					t.Errorf("%s: defaults not applied: %+v", s.Slug, s)
				}
				if want := s.Kind.DefaultReportDeadline(); s.ReportDeadline != want {
					t.Errorf("%s: report_deadline = %s, want %s", s.Slug, s.ReportDeadline, want)
				}
				if s.Parent == "" && s.Slug != "civil-affairs" && !s.IsOversight() {
					t.Errorf("%s: an affiliated unit without parent", s.Slug)
				}
			}
			for _, k := range tenant.Kinds() {
				if !kinds[k] {
					t.Errorf("no demo tenant of kind %s", k)
				}
			}
		})
	}
}

func TestLoadDirRejects(t *testing.T) {
	t.Parallel()
	const welfare = "tenants/welfare-home.yaml"
	tests := []struct {
		name   string
		change func(t *testing.T, fsys fstest.MapFS)
		want   []string // lines of the message
	}{
		{
			name: "wrong check character",
			change: func(t *testing.T, fsys fstest.MapFS) {
				edit(t, fsys, welfare, func(m map[string]any) { m["credit_code"] = "122108004625819384" })
			},
			want: []string{"tenants/welfare-home.yaml: credit_code: check character should be T, got 4"},
		},
		{
			name: "credit code of the wrong type",
			change: func(t *testing.T, fsys fstest.MapFS) {
				edit(t, fsys, welfare, func(m map[string]any) { m["credit_code"] = []string{"12210800462581938T"} })
			},
			want: []string{"tenants/welfare-home.yaml: credit_code: cannot unmarshal !!seq into string (line 10)"},
		},
		{
			name: "missing credit code",
			change: func(t *testing.T, fsys fstest.MapFS) {
				edit(t, fsys, welfare, func(m map[string]any) { delete(m, "credit_code") })
			},
			want: []string{"tenants/welfare-home.yaml: credit_code: is required"},
		},
		{
			name: "unknown parent",
			change: func(t *testing.T, fsys fstest.MapFS) {
				edit(t, fsys, welfare, func(m map[string]any) { m["parent"] = "civil-afairs" })
			},
			want: []string{`tenants/welfare-home.yaml: parent: no tenant has slug "civil-afairs"`},
		},
		{
			name: "own parent",
			change: func(t *testing.T, fsys fstest.MapFS) {
				edit(t, fsys, welfare, func(m map[string]any) { m["parent"] = "welfare-home" })
			},
			want: []string{`tenants/welfare-home.yaml: parent: "welfare-home": a tenant cannot be its own parent`},
		},
		{
			name: "parent cycle",
			change: func(t *testing.T, fsys fstest.MapFS) {
				edit(t, fsys, "tenants/civil-affairs.yaml", func(m map[string]any) { m["parent"] = "welfare-home" })
			},
			want: []string{"tenants/civil-affairs.yaml: parent: parents form a cycle: civil-affairs -> welfare-home -> civil-affairs"},
		},
		{
			name: "duplicate slug",
			change: func(t *testing.T, fsys fstest.MapFS) {
				edit(t, fsys, "tenants/copy.yaml", func(m map[string]any) {
					_ = yaml.Unmarshal(fsys[welfare].Data, &m)
					m["credit_code"] = withCheckChar(t, "12210800462582316")
				})
			},
			want: []string{`tenants/welfare-home.yaml: slug: "welfare-home" is already used by tenants/copy.yaml`},
		},
		{
			name: "duplicate credit code",
			change: func(t *testing.T, fsys fstest.MapFS) {
				edit(t, fsys, welfare, func(m map[string]any) { m["credit_code"] = "12210800462582076W" })
			},
			want: []string{"tenants/welfare-home.yaml: credit_code: 12210800462582076W is already used by tenants/funeral-home.yaml"},
		},
		{
			name: "second oversight office",
			change: func(t *testing.T, fsys fstest.MapFS) {
				edit(t, fsys, welfare, func(m map[string]any) { m["kind"] = "oversight_office" })
			},
			want: []string{"tenants/welfare-home.yaml: kind: a city has at most one oversight office; tenants/oversight.yaml is one already"},
		},
		{
			name: "unknown field",
			change: func(t *testing.T, fsys fstest.MapFS) {
				fsys[welfare].Data = append(fsys[welfare].Data, "colour: red\n"...)
			},
			want: []string{"tenants/welfare-home.yaml: colour: unknown field (line 20); known fields: slug, name, name_en, kind, credit_code, parent, contact, time_zone, report_deadline, index_template, reviewer_may_be_author"},
		},
		{
			name: "unknown contact field",
			change: func(t *testing.T, fsys fstest.MapFS) {
				edit(t, fsys, welfare, func(m map[string]any) { contact(m)["emial"] = "x@example.gov.cn" })
			},
			want: []string{"tenants/welfare-home.yaml: contact.emial: unknown field (line 4); known fields: office, address, postcode, hours, phone, fax, email, website"},
		},
		{
			name: "wrong type",
			change: func(t *testing.T, fsys fstest.MapFS) {
				edit(t, fsys, welfare, func(m map[string]any) { m["reviewer_may_be_author"] = "maybe" })
			},
			want: []string{"tenants/welfare-home.yaml: reviewer_may_be_author: cannot unmarshal !!str `maybe` into bool (line 14)"},
		},
		{
			name: "bad slug",
			change: func(t *testing.T, fsys fstest.MapFS) {
				edit(t, fsys, welfare, func(m map[string]any) { m["slug"] = "Welfare_Home" })
			},
			want: []string{`tenants/welfare-home.yaml: slug: "Welfare_Home": use only lower-case letters a-z, digits and hyphens`},
		},
		{
			name: "slug too short",
			change: func(t *testing.T, fsys fstest.MapFS) {
				edit(t, fsys, welfare, func(m map[string]any) { m["slug"] = "w" })
			},
			want: []string{`tenants/welfare-home.yaml: slug: "w": must be 2–40 characters, got 1`},
		},
		{
			name: "slug with trailing hyphen",
			change: func(t *testing.T, fsys fstest.MapFS) {
				edit(t, fsys, welfare, func(m map[string]any) { m["slug"] = "welfare-" })
			},
			want: []string{`tenants/welfare-home.yaml: slug: "welfare-": must start and end with a letter or digit`},
		},
		{
			name: "bad time zone",
			change: func(t *testing.T, fsys fstest.MapFS) {
				edit(t, fsys, welfare, func(m map[string]any) { m["time_zone"] = "Asia/Beijing" })
			},
			want: []string{`tenants/welfare-home.yaml: time_zone: "Asia/Beijing": not an IANA time zone (e.g. Asia/Shanghai)`},
		},
		{
			name: "local time zone",
			change: func(t *testing.T, fsys fstest.MapFS) {
				edit(t, fsys, welfare, func(m map[string]any) { m["time_zone"] = "Local" })
			},
			want: []string{`tenants/welfare-home.yaml: time_zone: "Local": name an IANA time zone such as Asia/Shanghai`},
		},
		{
			name: "unknown index placeholder",
			change: func(t *testing.T, fsys fstest.MapFS) {
				edit(t, fsys, welfare, func(m map[string]any) { m["index_template"] = "{credit_code}/{YY}-{NNNNN}" })
			},
			want: []string{`tenants/welfare-home.yaml: index_template: "{credit_code}/{YY}-{NNNNN}": unknown placeholder {YY}; allowed: {credit_code} {org_code} {YYYY} {MM} {NNNNN}`},
		},
		{
			name: "index template without sequence",
			change: func(t *testing.T, fsys fstest.MapFS) {
				edit(t, fsys, welfare, func(m map[string]any) { m["index_template"] = "{org_code}/{YYYY}" })
			},
			want: []string{`tenants/welfare-home.yaml: index_template: "{org_code}/{YYYY}": needs a sequence placeholder such as {NNNNN}`},
		},
		{
			name: "unquoted index template",
			change: func(t *testing.T, fsys fstest.MapFS) {
				fsys[welfare].Data = append(fsys[welfare].Data, "index_template: {credit_code}\n"...)
			},
			want: []string{"tenants/welfare-home.yaml: index_template: cannot unmarshal !!map into string; quote values that start with \"{\", e.g. '{credit_code}/{YYYY}-{NNNNN}' (line 20)"},
		},
		{
			name: "bad report deadline",
			change: func(t *testing.T, fsys fstest.MapFS) {
				edit(t, fsys, welfare, func(m map[string]any) { m["report_deadline"] = "02-29" })
			},
			want: []string{`tenants/welfare-home.yaml: report_deadline: "02-29": 02-29 does not occur every year`},
		},
		{
			name: "bad kind",
			change: func(t *testing.T, fsys fstest.MapFS) {
				edit(t, fsys, welfare, func(m map[string]any) { m["kind"] = "nursing_home" })
			},
			want: []string{`tenants/welfare-home.yaml: kind: unknown kind "nursing_home"; one of civil_affairs, welfare_home, funeral_service, veteran_center, rescue_station, oversight_office`},
		},
		{
			name: "name not Chinese",
			change: func(t *testing.T, fsys fstest.MapFS) {
				edit(t, fsys, welfare, func(m map[string]any) { m["name"] = "Welfare Home" })
			},
			want: []string{`tenants/welfare-home.yaml: name: "Welfare Home": must be the official Chinese name`},
		},
		{
			name: "contact problems",
			change: func(t *testing.T, fsys fstest.MapFS) {
				edit(t, fsys, welfare, func(m map[string]any) {
					c := contact(m)
					c["postcode"] = "1150"
					c["phone"] = "call us"
					c["email"] = "yly at example.gov.cn"
					c["website"] = "ftp://example.gov.cn"
					delete(c, "office")
				})
			},
			want: []string{
				"tenants/welfare-home.yaml: contact.office: is required",
				`tenants/welfare-home.yaml: contact.postcode: "1150": must be 6 digits`,
				`tenants/welfare-home.yaml: contact.phone: "call us": use digits with - ( ) + and separators, e.g. 0417-2812345`,
				`tenants/welfare-home.yaml: contact.email: "yly at example.gov.cn": not an e-mail address such as xxgk@example.gov.cn`,
				`tenants/welfare-home.yaml: contact.website: "ftp://example.gov.cn": not an http(s) address`,
			},
		},
		{
			name: "no online contact",
			change: func(t *testing.T, fsys fstest.MapFS) {
				edit(t, fsys, welfare, func(m map[string]any) { delete(contact(m), "email") })
			},
			want: []string{"tenants/welfare-home.yaml: contact: needs an email or a website: the guide must give an online contact (Art. 12)"},
		},
		{
			name: "syntax error",
			change: func(t *testing.T, fsys fstest.MapFS) {
				fsys[welfare].Data = []byte("slug: welfare-home\ncontact:\n  office: a\n address: b\n")
			},
			want: []string{"tenants/welfare-home.yaml: line 3: did not find expected key"},
		},
		{
			name: "empty file",
			change: func(t *testing.T, fsys fstest.MapFS) {
				fsys[welfare].Data = nil
			},
			want: []string{"tenants/welfare-home.yaml: empty file: expected one YAML document"},
		},
		{
			name: "two documents",
			change: func(t *testing.T, fsys fstest.MapFS) {
				fsys[welfare].Data = append(fsys[welfare].Data, "---\nslug: other\n"...)
			},
			want: []string{"tenants/welfare-home.yaml: more than one YAML document: one definition per file"},
		},
		{
			name: "duplicate key",
			change: func(t *testing.T, fsys fstest.MapFS) {
				fsys[welfare].Data = append(fsys[welfare].Data, "slug: again\n"...)
			},
			want: []string{`tenants/welfare-home.yaml: slug: mapping key "slug" already defined at line 5 (line 20)`},
		},
		{
			name: "parent in an unreadable file",
			change: func(t *testing.T, fsys fstest.MapFS) {
				fsys["tenants/civil-affairs.yaml"].Data = []byte("slug: civil-affairs\n\tname: x\n")
				for _, f := range []string{"funeral-home", "rescue-station", "veteran-center"} {
					delete(fsys, "tenants/"+f+".yaml")
				}
			},
			want: []string{
				"tenants/civil-affairs.yaml: line 2: found a tab character that violates indentation",
				`tenants/welfare-home.yaml: parent: no tenant has slug "civil-affairs" (unless it is in a file that could not be read)`,
			},
		},
		{
			name: "yml extension",
			change: func(t *testing.T, fsys fstest.MapFS) {
				fsys["tenants/extra.yml"] = &fstest.MapFile{Data: []byte("slug: extra\n")}
			},
			want: []string{"tenants/extra.yml: rename to .yaml: only *.yaml files are read"},
		},
		{
			name: "every problem of every file at once",
			change: func(t *testing.T, fsys fstest.MapFS) {
				edit(t, fsys, welfare, func(m map[string]any) { m["credit_code"] = "122108004625819384" })
				edit(t, fsys, "tenants/funeral-home.yaml", func(m map[string]any) {
					m["time_zone"] = "Mars/Olympus"
					m["parent"] = "nobody"
				})
			},
			want: []string{
				`tenants/funeral-home.yaml: time_zone: "Mars/Olympus": not an IANA time zone (e.g. Asia/Shanghai)`,
				"tenants/welfare-home.yaml: credit_code: check character should be T, got 4",
				`tenants/funeral-home.yaml: parent: no tenant has slug "nobody"`,
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fsys := shippedFS(t)
			tc.change(t, fsys)
			specs, err := tenant.LoadDir(fsys, "tenants")
			if err == nil {
				t.Fatalf("loaded %d specs, want an error", len(specs))
			}
			if specs != nil {
				t.Errorf("got specs with an error")
			}
			if !fault.Is(err, fault.Invalid) {
				t.Errorf("code = %s, want invalid", fault.CodeOf(err))
			}
			got := strings.Split(fault.MessageOf(err), "\n")
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("message lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if fields := fault.FieldsOf(err); len(fields) != len(tc.want) {
				t.Errorf("%d field errors, want %d", len(fields), len(tc.want))
			}
		})
	}
}

func TestLoadDirErrors(t *testing.T) {
	t.Parallel()
	if _, err := tenant.LoadDir(fstest.MapFS{}, "tenants"); err == nil || !strings.Contains(fault.MessageOf(err), "tenants: cannot read directory") {
		t.Errorf("missing directory: %v", err)
	}
	fsys := fstest.MapFS{"tenants/templates/x.yaml": &fstest.MapFile{Data: []byte("kind: civil_affairs\n")}}
	if _, err := tenant.LoadDir(fsys, "tenants"); err == nil || fault.MessageOf(err) != "tenants: no *.yaml files" {
		t.Errorf("directory without files: %v", err)
	}
}

func TestParseSpecDefaults(t *testing.T) {
	t.Parallel()
	data := []byte(`slug: oversight
name: 营口市政务公开办公室
kind: oversight_office
credit_code: "1121080000123604XJ"
contact:
  office: 营口市政务公开办公室
  address: 营口市站前区市府路1号
  postcode: "115000"
  hours: 工作日 8:30—17:00
  phone: 0417-2812001
  website: https://www.yingkou.gov.cn/
`)
	s, err := tenant.ParseSpec("oversight.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	want := tenant.Spec{
		Slug: "oversight", Name: "营口市政务公开办公室", Kind: tenant.OversightOffice,
		CreditCode: "1121080000123604XJ",
		Contact: tenant.Contact{Office: "营口市政务公开办公室", Address: "营口市站前区市府路1号", Postcode: "115000",
			Hours: "工作日 8:30—17:00", Phone: "0417-2812001", Website: "https://www.yingkou.gov.cn/"},
		TimeZone: "Asia/Shanghai", ReportDeadline: "03-31", IndexTemplate: "{credit_code}/{YYYY}-{NNNNN}",
		File: "oversight.yaml",
	}
	if !reflect.DeepEqual(s, want) {
		t.Fatalf("spec =\n%+v\nwant\n%+v", s, want)
	}
	if s.OrganizationCode() != "00123604X" {
		t.Errorf("organisation code = %s", s.OrganizationCode())
	}
	due, err := s.ReportDue(2025)
	if err != nil {
		t.Fatal(err)
	}
	if got := due.Format(time.RFC3339); got != "2026-03-31T00:00:00+08:00" {
		t.Errorf("report for 2025 due %s, want 2026-03-31 in Asia/Shanghai", got)
	}
	no, err := s.IndexNumber(2026, time.May, 79)
	if err != nil || no != "1121080000123604XJ/2026-00079" {
		t.Errorf("index number = %q, %v", no, err)
	}
}

func TestParseSpecError(t *testing.T) {
	t.Parallel()
	_, err := tenant.ParseSpec("x.yaml", []byte("slug: x\n"))
	if err == nil {
		t.Fatal("accepted an incomplete spec")
	}
	msg := fault.MessageOf(err)
	for _, want := range []string{
		`x.yaml: slug: "x": must be 2–40 characters, got 1`,
		"x.yaml: name: is required",
		"x.yaml: kind: is required",
		"x.yaml: credit_code: is required",
		"x.yaml: contact.office: is required",
	} {
		if !strings.Contains(msg, want+"") {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
}

func TestKinds(t *testing.T) {
	t.Parallel()
	want := map[tenant.Kind]string{
		tenant.CivilAffairs: "民政局", tenant.WelfareHome: "养老院", tenant.FuneralService: "殡仪馆",
		tenant.VeteranCenter: "军休中心", tenant.RescueStation: "救助站", tenant.OversightOffice: "政务公开办",
	}
	if len(tenant.Kinds()) != len(want) {
		t.Fatalf("kinds = %v", tenant.Kinds())
	}
	for _, k := range tenant.Kinds() {
		if !k.Valid() || k.Label() != want[k] || k.LabelEN() == string(k) {
			t.Errorf("%s: valid %v, label %q, English %q", k, k.Valid(), k.Label(), k.LabelEN())
		}
	}
	if tenant.Kind("x").Valid() || tenant.Kind("x").Label() != "x" {
		t.Error("unknown kind")
	}
}

func TestParseMonthDay(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"01-31", ""}, {"03-31", ""}, {"12-31", ""}, {"02-28", ""},
		{"1-31", "use MM-DD"}, {"01/31", "use MM-DD"}, {"", "use MM-DD"},
		{"13-01", "month must be 01–12"}, {"00-10", "month must be 01–12"},
		{"04-31", "day must be 01–30 in month 04"}, {"01-00", "day must be 01–31"},
		{"02-29", "02-29 does not occur every year"},
	} {
		md, err := tenant.ParseMonthDay(tc.in)
		switch {
		case tc.want == "" && (err != nil || md.String() != tc.in):
			t.Errorf("ParseMonthDay(%q) = %v, %v", tc.in, md, err)
		case tc.want != "" && (err == nil || !strings.Contains(fault.MessageOf(err), tc.want)):
			t.Errorf("ParseMonthDay(%q) = %v, want %q", tc.in, err, tc.want)
		}
	}
}

func TestIndexTemplate(t *testing.T) {
	t.Parallel()
	const code = "11370900004341590P"
	formats := []struct {
		tmpl  string
		month time.Month
		seq   int
		want  string
	}{
		{"{credit_code}/{YYYY}-{NNNNN}", time.March, 150, "11370900004341590P/2017-00150"},
		{"{org_code}/{YYYY}-{NNNNN}", time.March, 79, "004341590/2017-00079"},
		{"{credit_code}/{YYYY}{MM}-{NNNNN}", time.April, 27, "11370900004341590P/201704-00027"},
		{"{org_code}-{YYYY}-{NNNNNN}", time.January, 153077, "004341590-2017-153077"},
		{"210800-MZJ-{YYYY}-{NNN}", time.January, 7, "210800-MZJ-2017-007"},
	}
	for _, tc := range formats {
		tmpl, err := tenant.ParseIndexTemplate(tc.tmpl)
		if err != nil {
			t.Errorf("ParseIndexTemplate(%q): %v", tc.tmpl, err)
			continue
		}
		got, err := tmpl.Format(code, 2017, tc.month, tc.seq)
		if err != nil || got != tc.want {
			t.Errorf("%s: Format = %q, %v; want %q", tc.tmpl, got, err, tc.want)
		}
		if tmpl.String() != tc.tmpl || tmpl.HasMonth() != strings.Contains(tc.tmpl, "{MM}") {
			t.Errorf("%s: String %q, HasMonth %v", tc.tmpl, tmpl.String(), tmpl.HasMonth())
		}
	}

	bad := []struct{ tmpl, want string }{
		{"", "is empty"},
		{"{credit_code}/{NNNNN}", "needs the year placeholder {YYYY}"},
		{"{credit_code}/{YYYY}", "needs a sequence placeholder"},
		{"{credit_code}/{yyyy}-{NNNNN}", "unknown placeholder {yyyy}"},
		{"{credit_code}/{YYYY}-{}", "unknown placeholder {}"},
		{"{credit_code}/{YYYY}-{NNNNN", "is not closed with }"},
		{"{credit_code}/{YYYY}-NNNNN}", "} at 27 without an opening {"},
		{"{YYYY}-{NNNNN}-{YYYY}", "placeholder {YYYY} appears more than once"},
		{"{YYYY}-{NNN}-{NN}", "placeholder {NN} appears more than once"},
		{"{YYYY} {NNNNN}", "character ' ' is not allowed"},
		{"民政{YYYY}-{NNNNN}", "character '民' is not allowed"},
		{"{YYYY}-{NNNNNNNNNNNNN}", "at most 12 N, got 13"},
		{strings.Repeat("x", 60) + "{YYYY}{N}", "must be at most 64 characters"},
	}
	for _, tc := range bad {
		if _, err := tenant.ParseIndexTemplate(tc.tmpl); err == nil || !strings.Contains(fault.MessageOf(err), tc.want) {
			t.Errorf("ParseIndexTemplate(%q) = %v, want %q", tc.tmpl, err, tc.want)
		}
	}

	tmpl, _ := tenant.ParseIndexTemplate("{credit_code}/{YYYY}{MM}-{NNN}")
	for _, tc := range []struct {
		code  string
		year  int
		month time.Month
		seq   int
		want  string
	}{
		{code, 2017, 1, 1000, "sequence 1000: must be 1–999 to fit 3 digits"},
		{code, 2017, 1, 0, "sequence 0: must be 1–999"},
		{code, 17, 1, 1, "year 17: must have four digits"},
		{code, 2017, 13, 1, "month 13: must be 1–12"},
		{"11370900004341590Q", 2017, 1, 1, "check character should be P, got Q"},
	} {
		if _, err := tmpl.Format(tc.code, tc.year, tc.month, tc.seq); err == nil || !strings.Contains(fault.MessageOf(err), tc.want) {
			t.Errorf("Format(%s, %d, %d, %d) = %v, want %q", tc.code, tc.year, tc.month, tc.seq, err, tc.want)
		}
	}
	if _, err := (tenant.IndexTemplate{}).Format(code, 2017, 1, 1); err == nil {
		t.Error("zero template formatted")
	}
}

func FuzzParseSpec(f *testing.F) {
	files, err := fs.Glob(tenants.FS, "*.yaml")
	if err != nil || len(files) == 0 {
		f.Fatalf("no shipped tenant files: %v", err)
	}
	for _, file := range files {
		data, err := fs.ReadFile(tenants.FS, file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("slug: x\n"))
	f.Add([]byte("[1, 2]"))
	f.Add([]byte("a: &a [*a, *a]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := tenant.ParseSpec("fuzz.yaml", data)
		if err != nil {
			if !fault.Is(err, fault.Invalid) || len(fault.FieldsOf(err)) == 0 {
				t.Fatalf("error without field list: %#v", err)
			}
			for _, f := range fault.FieldsOf(err) {
				if !strings.HasPrefix(f.Field, "fuzz.yaml") || f.Message == "" {
					t.Fatalf("field error without file or reason: %+v", f)
				}
			}
			return
		}
		if tenant.ValidateCreditCode(s.CreditCode) != nil || !s.Kind.Valid() || s.TimeZone == "" || s.File != "fuzz.yaml" {
			t.Fatalf("accepted an invalid spec: %+v", s)
		}
		if _, err := s.ReportDue(2025); err != nil {
			t.Fatalf("accepted spec has no report due date: %v", err)
		}
		if _, err := s.IndexNumber(2025, time.January, 1); err != nil {
			t.Fatalf("accepted spec cannot number items: %v", err)
		}
		// What is accepted survives a round trip through YAML unchanged.
		out, err := yaml.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		again, err := tenant.ParseSpec("fuzz.yaml", out)
		if err != nil {
			t.Fatalf("re-encoded spec refused: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(s, again) {
			t.Fatalf("round trip changed the spec:\n%+v\n%+v", s, again)
		}
	})
}
