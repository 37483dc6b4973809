package tenant

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"gongkai/internal/fault"
)

// problems collects every problem found in a set of files, so that all of
// them are reported at once and nothing is applied while any file is bad.
type problems struct {
	list []fault.FieldError
}

// add records one problem; field is the YAML key path (e.g. contact.email)
// and may be empty for a problem with the whole file. Only the first problem
// of a field is kept, so that a value of the wrong type is not also reported
// as missing.
func (p *problems) add(file, field, format string, args ...any) {
	loc := file
	if field != "" {
		if loc != "" {
			loc += ": "
		}
		loc += field
	}
	for _, f := range p.list {
		if f.Field == loc {
			return
		}
	}
	p.list = append(p.list, fault.FieldError{Field: loc, Message: fmt.Sprintf(format, args...)})
}

// err returns nil without problems, else one fault.Invalid error whose
// message has one "<file>: <field>: <reason>" line per problem.
func (p *problems) err() error {
	if len(p.list) == 0 {
		return nil
	}
	lines := make([]string, len(p.list))
	for i, f := range p.list {
		lines[i] = f.Field + ": " + f.Message
	}
	return &fault.Error{Code: fault.Invalid, Message: strings.Join(lines, "\n"), Fields: p.list}
}

// decodeStrict decodes the single YAML document in data into out, refusing
// unknown fields, and reports problems by file, key path and line. It
// returns false when nothing could be decoded (syntax errors, empty file);
// after type errors out is partly filled and it returns true.
func decodeStrict(file string, data []byte, out any, p *problems) bool {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	err := dec.Decode(out)
	if errors.Is(err, io.EOF) {
		p.add(file, "", "empty file: expected one YAML document")
		return false
	}
	if err != nil {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			field, reason := splitYAMLLine(strings.TrimPrefix(err.Error(), "yaml: "))
			p.add(file, field, "%s", reason)
			return false
		}
		var root yaml.Node
		_ = yaml.Unmarshal(data, &root) // it parsed above; only used to name fields
		fatal := false
		for _, msg := range te.Errors {
			field, reason := describeTypeError(&root, msg)
			p.add(file, field, "%s", reason)
			// A duplicate key leaves the whole mapping undecoded.
			fatal = fatal || strings.Contains(msg, "already defined at line")
		}
		if fatal {
			return false
		}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		p.add(file, "", "more than one YAML document: one definition per file")
	}
	return true
}

var yamlLinePrefix = regexp.MustCompile(`^line ([0-9]+): (?s:(.*))$`)

// splitYAMLLine turns "line 3: reason" into ("line 3", "reason").
func splitYAMLLine(msg string) (field, reason string) {
	if m := yamlLinePrefix.FindStringSubmatch(msg); m != nil {
		return "line " + m[1], m[2]
	}
	return "", msg
}

var unknownFieldMsg = regexp.MustCompile(`^field (.+) not found in type (\S+)$`)

// describeTypeError names the key path of a yaml.v3 type error message such
// as "line 5: field tiem_zone not found in type tenant.Spec".
func describeTypeError(root *yaml.Node, msg string) (field, reason string) {
	m := yamlLinePrefix.FindStringSubmatch(msg)
	if m == nil {
		return "", msg
	}
	line, _ := strconv.Atoi(m[1])
	rest := m[2]
	if u := unknownFieldMsg.FindStringSubmatch(rest); u != nil {
		key := u[1]
		path := findKeyPath(root, line, key)
		if path == "" {
			path = key
		}
		reason = fmt.Sprintf("unknown field (line %d)", line)
		if known := yamlFieldsOf(u[2]); known != "" {
			reason += "; known fields: " + known
		}
		return path, reason
	}
	if strings.HasPrefix(rest, "cannot unmarshal !!map into string") {
		rest += `; quote values that start with "{", e.g. '{credit_code}/{YYYY}-{NNNNN}'`
	}
	path := findValuePath(root, line, nodeKindOf(rest))
	if path == "" {
		return "line " + m[1], rest
	}
	return path, fmt.Sprintf("%s (line %d)", rest, line)
}

// walkPairs calls fn for every key/value pair of every mapping under n with
// the key path of the pair, in document order.
func walkPairs(n *yaml.Node, prefix string, fn func(path string, k, v *yaml.Node)) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			walkPairs(c, prefix, fn)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := k.Value
			if prefix != "" {
				p = prefix + "." + k.Value
			}
			fn(p, k, v)
			walkPairs(v, p, fn)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			walkPairs(c, fmt.Sprintf("%s[%d]", prefix, i), fn)
		}
	}
}

// findKeyPath returns the path of the key named key on the given line.
func findKeyPath(root *yaml.Node, line int, key string) string {
	found := ""
	walkPairs(root, "", func(path string, k, _ *yaml.Node) {
		if found == "" && k.Line == line && k.Value == key {
			found = path
		}
	})
	return found
}

var cannotUnmarshal = regexp.MustCompile(`^cannot unmarshal !!(\w+)`)

// nodeKindOf returns the kind of node a "cannot unmarshal !!tag" message is
// about, or 0 when the message is about something else.
func nodeKindOf(msg string) yaml.Kind {
	m := cannotUnmarshal.FindStringSubmatch(msg)
	switch {
	case m == nil:
		return 0
	case m[1] == "map":
		return yaml.MappingNode
	case m[1] == "seq":
		return yaml.SequenceNode
	}
	return yaml.ScalarNode
}

// findValuePath returns the path of the deepest pair whose value starts on
// the given line and, unless kind is 0, is of that kind.
func findValuePath(root *yaml.Node, line int, kind yaml.Kind) string {
	found := ""
	walkPairs(root, "", func(path string, _, v *yaml.Node) {
		if v.Line == line && (kind == 0 || v.Kind == kind) {
			found = path
		}
	})
	return found
}

// yamlTypes are the types decoded from tenant files, by the name yaml.v3
// uses in its messages, to list their known fields.
var yamlTypes = map[string]reflect.Type{
	"tenant.Spec":     reflect.TypeFor[Spec](),
	"tenant.Contact":  reflect.TypeFor[Contact](),
	"tenant.Template": reflect.TypeFor[Template](),
	"tenant.Category": reflect.TypeFor[Category](),
	"tenant.Topic":    reflect.TypeFor[Topic](),
}

// yamlFieldsOf lists the YAML keys of a decoded type.
func yamlFieldsOf(typeName string) string {
	t, ok := yamlTypes[typeName]
	if !ok {
		return ""
	}
	var keys []string
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			keys = append(keys, name)
		}
	}
	return strings.Join(keys, ", ")
}

// yamlFiles lists the *.yaml files directly in dir (not in subdirectories),
// sorted by name; *.yml files are reported so that none is silently skipped.
func yamlFiles(fsys fs.FS, dir string, p *problems) ([]string, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fault.Wrap(err, fault.Invalid, "%s: cannot read directory: %v", dir, err)
	}
	var files []string
	for _, e := range entries {
		name := path.Join(dir, e.Name())
		switch {
		case e.IsDir():
		case strings.HasSuffix(e.Name(), ".yaml"):
			files = append(files, name)
		case strings.HasSuffix(e.Name(), ".yml"):
			p.add(name, "", "rename to .yaml: only *.yaml files are read")
		}
	}
	if len(files) == 0 {
		p.add(dir, "", "no *.yaml files")
	}
	return files, nil
}

// LoadDir reads every tenant file (*.yaml, not subdirectories) in dir of fsys,
// validates each one (see ParseSpec) and then the set: slugs and credit codes
// are unique, every parent exists, parents form no cycle, and there is at
// most one oversight office. It reports every problem at once, as one
// fault.Invalid error with a "<file>: <field>: <reason>" line each, so that
// nothing is applied while any file is bad. The specs come sorted with
// parents before children (then by slug).
func LoadDir(fsys fs.FS, dir string) ([]Spec, error) {
	var p problems
	files, err := yamlFiles(fsys, dir, &p)
	if err != nil {
		return nil, err
	}
	var specs []Spec
	unread := 0
	for _, file := range files {
		data, err := fs.ReadFile(fsys, file)
		if err != nil {
			p.add(file, "", "cannot read: %v", err)
			unread++
			continue
		}
		if s, ok := parseSpec(file, data, &p); ok {
			specs = append(specs, s)
		} else {
			unread++
		}
	}
	checkSet(specs, unread > 0, &p)
	if err := p.err(); err != nil {
		return nil, err
	}
	sortParentsFirst(specs)
	return specs, nil
}

// checkSet runs the checks across files; someUnread says that some file
// could not be decoded, so a parent may be missing only because of it.
func checkSet(specs []Spec, someUnread bool, p *problems) {
	bySlug := map[string]*Spec{}
	byCode := map[string]*Spec{}
	var oversight *Spec
	for i := range specs {
		s := &specs[i]
		if s.Slug != "" {
			if first, dup := bySlug[s.Slug]; dup {
				p.add(s.File, "slug", "%q is already used by %s", s.Slug, first.File)
			} else {
				bySlug[s.Slug] = s
			}
		}
		if s.CreditCode != "" {
			if first, dup := byCode[s.CreditCode]; dup {
				p.add(s.File, "credit_code", "%s is already used by %s", s.CreditCode, first.File)
			} else {
				byCode[s.CreditCode] = s
			}
		}
		if s.Kind == OversightOffice {
			if oversight != nil {
				p.add(s.File, "kind", "a city has at most one oversight office; %s is one already", oversight.File)
			} else {
				oversight = s
			}
		}
	}
	for i := range specs {
		s := &specs[i]
		if s.Parent == "" || s.Parent == s.Slug || validateSlug(s.Parent) != "" {
			continue // no parent, or already reported
		}
		if _, ok := bySlug[s.Parent]; !ok {
			hint := ""
			if someUnread {
				hint = " (unless it is in a file that could not be read)"
			}
			p.add(s.File, "parent", "no tenant has slug %q%s", s.Parent, hint)
			continue
		}
		if bySlug[s.Slug] != s {
			continue // a duplicate: its cycle, if any, is reported on the first
		}
		if cycle := parentCycle(s, bySlug); cycle != nil {
			p.add(s.File, "parent", "parents form a cycle: %s", strings.Join(cycle, " -> "))
		}
	}
}

// parentCycle returns the cycle of slugs starting and ending at s when s is
// on a parent cycle and has the smallest slug in it (so each cycle is
// reported once), else nil.
func parentCycle(s *Spec, bySlug map[string]*Spec) []string {
	chain := []string{s.Slug}
	cur := s
	for range len(bySlug) {
		next, ok := bySlug[cur.Parent]
		if cur.Parent == "" || !ok {
			return nil
		}
		if next == s {
			for _, slug := range chain {
				if slug < s.Slug {
					return nil
				}
			}
			return append(chain, s.Slug)
		}
		chain = append(chain, next.Slug)
		cur = next
	}
	return nil // s leads into a cycle it is not part of
}

// sortParentsFirst orders specs by depth in the parent tree, then by slug.
// The set must have passed checkSet.
func sortParentsFirst(specs []Spec) {
	parent := map[string]string{}
	for _, s := range specs {
		parent[s.Slug] = s.Parent
	}
	depth := func(slug string) int {
		d := 0
		for p := parent[slug]; p != "" && d <= len(specs); p = parent[p] {
			d++
		}
		return d
	}
	sort.SliceStable(specs, func(i, j int) bool {
		di, dj := depth(specs[i].Slug), depth(specs[j].Slug)
		if di != dj {
			return di < dj
		}
		return specs[i].Slug < specs[j].Slug
	})
}
