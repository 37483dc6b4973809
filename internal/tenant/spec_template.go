package tenant

import (
	"fmt"
	"io/fs"
	"regexp"
	"strings"
)

// Template is the catalog template of one bureau kind, read from
// tenants/templates/<kind>.yaml: the category tree (信息类别) of the
// disclosure catalog and the topics (主题分类) items can be filed under.
type Template struct {
	// Kind is the bureau kind the template is for.
	Kind Kind `yaml:"kind" json:"kind"`
	// Categories is the category tree of the catalog, in display order.
	Categories []Category `yaml:"categories" json:"categories"`
	// Topics is the flat topic list; optional.
	Topics []Topic `yaml:"topics,omitempty" json:"topics,omitempty"`
	// File is the path of the file the template was read from; not in the
	// YAML.
	File string `yaml:"-" json:"-"`
}

// Category is one node of a catalog category tree. Its code is stable (items
// and URLs refer to it) and a child's code extends its parent's code with a
// dot: policy -> policy.rules.
type Category struct {
	// Code is the stable identifier, e.g. policy.rules.
	Code string `yaml:"code" json:"code"`
	// Name is the Chinese name shown in the catalog, e.g. 规章.
	Name string `yaml:"name" json:"name"`
	// Children are the sub-categories, in display order.
	Children []Category `yaml:"children,omitempty" json:"children,omitempty"`
}

// Topic is one topic (主题分类) an item can be filed under, across the
// categories.
type Topic struct {
	// Code is the stable identifier, e.g. social_assistance.
	Code string `yaml:"code" json:"code"`
	// Name is the Chinese name, e.g. 社会救助.
	Name string `yaml:"name" json:"name"`
}

// Category returns the category with the given code anywhere in the tree.
func (t Template) Category(code string) (Category, bool) {
	var find func([]Category) (Category, bool)
	find = func(cs []Category) (Category, bool) {
		for _, c := range cs {
			if c.Code == code {
				return c, true
			}
			if strings.HasPrefix(code, c.Code+".") {
				return find(c.Children)
			}
		}
		return Category{}, false
	}
	return find(t.Categories)
}

// Topic returns the topic with the given code.
func (t Template) Topic(code string) (Topic, bool) {
	for _, tp := range t.Topics {
		if tp.Code == code {
			return tp, true
		}
	}
	return Topic{}, false
}

// codeSegment is one dot-separated part of a category code, or a topic code.
var codeSegment = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// maxCategoryDepth bounds the category tree: a catalog navigation deeper
// than this is not usable.
const maxCategoryDepth = 4

// ParseTemplate reads one template file strictly (unknown fields are errors)
// and validates it: a known kind, at least one category, category codes made
// of dot-separated segments of [a-z][a-z0-9_]* where each child extends its
// parent's code, unique codes and Chinese names. Errors are reported like
// ParseSpec's.
func ParseTemplate(file string, data []byte) (Template, error) {
	var p problems
	t, _ := parseTemplate(file, data, &p)
	if err := p.err(); err != nil {
		return Template{}, err
	}
	return t, nil
}

// parseTemplate decodes and validates one template file.
func parseTemplate(file string, data []byte, p *problems) (t Template, decoded bool) {
	if !decodeStrict(file, data, &t, p) {
		return Template{}, false
	}
	t.File = file
	t.validate(p)
	return t, true
}

// validate checks one template.
func (t *Template) validate(p *problems) {
	f := t.File
	switch {
	case t.Kind == "":
		p.add(f, "kind", "is required; one of %s", kindList())
	case !t.Kind.Valid():
		p.add(f, "kind", "unknown kind %q; one of %s", t.Kind, kindList())
	}
	if len(t.Categories) == 0 {
		p.add(f, "categories", "needs at least one category")
	}
	seen := map[string]string{}
	var walk func(cs []Category, parent, prefix string, depth int)
	walk = func(cs []Category, parent, prefix string, depth int) {
		for i, c := range cs {
			field := fmt.Sprintf("%s[%d]", prefix, i)
			checkCategoryCode(p, f, field, c.Code, parent)
			if c.Code != "" {
				if first, dup := seen[c.Code]; dup {
					p.add(f, field+".code", "%q is already used by %s", c.Code, first)
				} else {
					seen[c.Code] = field
				}
			}
			checkText(p, f, field+".name", c.Name, true, 50)
			if c.Name != "" && !hasHan(c.Name) {
				p.add(f, field+".name", "%q: must be a Chinese name", c.Name)
			}
			if len(c.Children) > 0 {
				if depth >= maxCategoryDepth {
					p.add(f, field+".children", "categories may nest at most %d levels", maxCategoryDepth)
					continue
				}
				walk(c.Children, c.Code, field+".children", depth+1)
			}
		}
	}
	walk(t.Categories, "", "categories", 1)

	topics := map[string]string{}
	for i, tp := range t.Topics {
		field := fmt.Sprintf("topics[%d]", i)
		switch {
		case tp.Code == "":
			p.add(f, field+".code", "is required")
		case !codeSegment.MatchString(tp.Code):
			p.add(f, field+".code", "%q: use a-z, 0-9 and _ starting with a letter, at most 40 characters", tp.Code)
		default:
			if first, dup := topics[tp.Code]; dup {
				p.add(f, field+".code", "%q is already used by %s", tp.Code, first)
			} else {
				topics[tp.Code] = field
			}
		}
		checkText(p, f, field+".name", tp.Name, true, 50)
		if tp.Name != "" && !hasHan(tp.Name) {
			p.add(f, field+".name", "%q: must be a Chinese name", tp.Name)
		}
	}
}

// checkCategoryCode checks the code of a category whose parent has the code
// parent ("" at the top).
func checkCategoryCode(p *problems, f, field, code, parent string) {
	field += ".code"
	if code == "" {
		p.add(f, field, "is required")
		return
	}
	rest := code
	if parent != "" {
		var ok bool
		rest, ok = strings.CutPrefix(code, parent+".")
		if !ok {
			p.add(f, field, "%q: must extend its parent's code, e.g. %s.example", code, parent)
			return
		}
	}
	if !codeSegment.MatchString(rest) {
		p.add(f, field, "%q: each dot-separated part uses a-z, 0-9 and _ starting with a letter, at most 40 characters", code)
	}
}

// LoadTemplates reads every template file (*.yaml, not subdirectories) in
// dir of fsys, validates each (see ParseTemplate) and the set: one template
// per kind and one for every kind. Like LoadDir it reports every problem at
// once in one fault.Invalid error.
func LoadTemplates(fsys fs.FS, dir string) (map[Kind]Template, error) {
	var p problems
	files, err := yamlFiles(fsys, dir, &p)
	if err != nil {
		return nil, err
	}
	out := map[Kind]Template{}
	for _, file := range files {
		data, err := fs.ReadFile(fsys, file)
		if err != nil {
			p.add(file, "", "cannot read: %v", err)
			continue
		}
		t, ok := parseTemplate(file, data, &p)
		if !ok || !t.Kind.Valid() {
			continue
		}
		if first, dup := out[t.Kind]; dup {
			p.add(file, "kind", "%s already has a template in %s", t.Kind, first.File)
			continue
		}
		out[t.Kind] = t
	}
	if len(files) > 0 {
		for _, k := range Kinds() {
			if _, ok := out[k]; !ok {
				p.add(dir, "", "no template for kind %s (%s)", k, k.Label())
			}
		}
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	return out, nil
}
