package apidocs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
)

// The types below are the view model handed to the template. Everything that
// comes from the specification is a plain string, so html/template escapes it;
// nothing from the document is ever marked as trusted HTML.

type pageView struct {
	L           *labels
	Lang        string
	Title       string
	Version     string
	OpenAPI     string
	Summary     string
	Description []string
	SpecURL     string
	YAMLURL     string
	Servers     []serverView
	Schemes     []schemeView
	GlobalSec   *secView
	Groups      []groupView
	Schemas     []schemaView
}

type serverView struct {
	URL         string
	Description []string
}

type schemeView struct {
	Name        string
	Anchor      string
	Kind        string
	Description []string
	Facts       []fact
}

// fact is one labelled line of details; Values are rendered as code.
type fact struct {
	Label  string
	Values []string
}

type secView struct {
	L         *labels
	None      bool
	Anonymous bool
	Alts      [][]secItem
}

type secItem struct {
	Name   string
	Anchor string
	Scopes []string
}

type groupView struct {
	Name        string
	Anchor      string
	Description []string
	TOC         []opRef
	Ops         []*opView
	Also        []opRef
}

type opRef struct {
	Anchor      string
	Method      string
	MethodClass string
	Path        string
	Summary     string
	Deprecated  bool
}

type opView struct {
	opRef
	L           *labels
	OperationID string
	Description []string
	Security    *secView
	Params      []paramView
	ParamsCap   string
	Body        *bodyView
	Responses   []respView
	RespCap     string
}

type paramView struct {
	Name        string
	In          string
	Required    bool
	Deprecated  bool
	Type        []typePart
	Description []string
	Facts       []fact
}

type bodyView struct {
	Required    bool
	Description []string
	Contents    []contentView
}

type contentView struct {
	L         *labels
	MediaType string
	Type      []typePart
	Props     *propTable
	Example   string
}

type respView struct {
	Status      string
	Class       string
	Description []string
	Contents    []contentView
	Headers     []headerView
}

type headerView struct {
	Name        string
	Required    bool
	Type        []typePart
	Description []string
}

type propTable struct {
	L       *labels
	Caption string
	Rows    []propView
}

type propView struct {
	Name        string
	Depth       int
	Required    bool
	Type        []typePart
	Description []string
	Facts       []fact
	Badges      []string
}

type schemaView struct {
	Name         string
	Anchor       string
	Type         []typePart
	Description  []string
	Facts        []fact
	Badges       []string
	Compositions []composition
	Props        *propTable
	Example      string
}

type composition struct {
	Label string
	Items [][]typePart
}

// typePart is a fragment of a type expression; Href links to a schema.
type typePart struct {
	Text string
	Href string
}

type builder struct {
	doc     *document
	l       *labels
	used    map[string]bool
	schemas map[string]string // component schema name -> anchor
	schemes map[string]string // security scheme name -> anchor
}

// build turns the decoded document into the page view model.
func build(doc *document, opts Options) *pageView {
	lang := opts.Lang
	if lang == "" {
		lang = "zh-CN"
	}
	b := &builder{
		doc:     doc,
		l:       labelsFor(lang),
		used:    map[string]bool{},
		schemas: map[string]string{},
		schemes: map[string]string{},
	}
	title := opts.Title
	if title == "" {
		title = doc.Info.Title
	}
	if title == "" {
		title = "API"
	}
	p := &pageView{
		L:           b.l,
		Lang:        lang,
		Title:       title,
		Version:     doc.Info.Version,
		OpenAPI:     doc.OpenAPI,
		Summary:     doc.Info.Summary,
		Description: paragraphs(doc.Info.Description),
		SpecURL:     opts.SpecURL,
		YAMLURL:     opts.YAMLURL,
	}
	for _, s := range doc.Servers {
		p.Servers = append(p.Servers, serverView{URL: s.URL, Description: paragraphs(s.Description)})
	}
	// Anchors first, so that references can link regardless of order.
	for _, name := range doc.Components.Schemas.keys {
		b.schemas[name] = b.id("schema-", name)
	}
	for _, name := range doc.Components.SecuritySchemes.keys {
		b.schemes[name] = b.id("sec-", name)
	}
	for _, name := range doc.Components.SecuritySchemes.keys {
		s, _ := doc.Components.SecuritySchemes.get(name)
		s = resolve(s, func(v *securityScheme) string { return v.Ref }, "securitySchemes", doc.Components.SecuritySchemes)
		p.Schemes = append(p.Schemes, b.scheme(name, s))
	}
	if len(doc.Security) > 0 {
		p.GlobalSec = b.security(doc.Security)
	}
	p.Groups = b.groups()
	for _, name := range doc.Components.Schemas.keys {
		s, _ := doc.Components.Schemas.get(name)
		p.Schemas = append(p.Schemas, b.schemaView(name, s))
	}
	return p
}

// id returns a unique, attribute-safe element id.
func (b *builder) id(prefix, raw string) string {
	base := prefix + sanitizeID(raw)
	id := base
	for n := 2; b.used[id]; n++ {
		id = fmt.Sprintf("%s-%d", base, n)
	}
	b.used[id] = true
	return id
}

// sanitizeID keeps letters, digits, '-', '_' and '.'; anything else becomes '-'.
func sanitizeID(s string) string {
	var sb strings.Builder
	for _, r := range s {
		switch {
		case unicode.IsLetter(r), unicode.IsDigit(r), r == '-', r == '_', r == '.':
			sb.WriteRune(r)
		default:
			sb.WriteByte('-')
		}
	}
	if sb.Len() == 0 {
		return "x"
	}
	return sb.String()
}

func (b *builder) scheme(name string, s *securityScheme) schemeView {
	v := schemeView{Name: name, Anchor: b.schemes[name]}
	if s == nil {
		return v
	}
	v.Description = paragraphs(s.Description)
	add := func(label string, values ...string) {
		var vs []string
		for _, x := range values {
			if x != "" {
				vs = append(vs, x)
			}
		}
		if len(vs) > 0 {
			v.Facts = append(v.Facts, fact{Label: label, Values: vs})
		}
	}
	switch s.Type {
	case "http":
		scheme := strings.ToLower(s.Scheme)
		v.Kind = b.l.schemeHTTP + " (" + s.Scheme + ")"
		switch scheme {
		case "bearer":
			v.Kind = b.l.schemeHTTP + " (Bearer)"
			add(b.l.Usage, "Authorization: Bearer <token>")
			add(b.l.BearerFormat, s.BearerFormat)
		case "basic":
			v.Kind = b.l.schemeHTTP + " (Basic)"
			add(b.l.Usage, "Authorization: Basic <base64(user:password)>")
		default:
			add(b.l.Usage, "Authorization: "+s.Scheme+" …")
		}
	case "apiKey":
		v.Kind = b.l.schemeAPIKey + " (" + b.l.location(s.In) + ")"
		switch s.In {
		case "cookie":
			add(b.l.Usage, "Cookie: "+s.Name+"=<value>")
		case "header":
			add(b.l.Usage, s.Name+": <value>")
		case "query":
			add(b.l.Usage, "?"+s.Name+"=<value>")
		default:
			add(b.l.ParamName, s.Name)
		}
	case "oauth2":
		v.Kind = b.l.schemeOAuth2
		for _, flow := range s.Flows.keys {
			f, _ := s.Flows.get(flow)
			if f == nil {
				continue
			}
			add(b.l.Flows+": "+flow, f.AuthorizationURL, f.TokenURL, f.RefreshURL)
			var scopes []string
			for _, sc := range f.Scopes.keys {
				d, _ := f.Scopes.get(sc)
				if d != "" {
					sc += " — " + d
				}
				scopes = append(scopes, sc)
			}
			add(b.l.Scopes+": "+flow, scopes...)
		}
	case "openIdConnect":
		v.Kind = b.l.schemeOIDC
		add("openIdConnectUrl", s.OpenIDConnectURL)
	case "mutualTLS":
		v.Kind = b.l.schemeMTLS
	default:
		v.Kind = s.Type
	}
	return v
}

func (b *builder) security(reqs []secRequirement) *secView {
	v := &secView{L: b.l}
	if len(reqs) == 0 {
		v.None = true
		return v
	}
	for _, r := range reqs {
		if r.len() == 0 {
			v.Anonymous = true
			continue
		}
		var alt []secItem
		for _, name := range r.keys {
			scopes, _ := r.get(name)
			alt = append(alt, secItem{Name: name, Anchor: b.schemes[name], Scopes: scopes})
		}
		v.Alts = append(v.Alts, alt)
	}
	if len(v.Alts) == 0 {
		v.None = true
		v.Anonymous = false
	}
	return v
}

// groups builds one group per tag: declared tags first, then tags only used
// by operations, then untagged operations. An operation is rendered in the
// group of its first tag and listed in the table of contents of every tag.
func (b *builder) groups() []groupView {
	type group struct {
		name, desc string
		toc        []opRef
		ops        []*opView
		also       []opRef
	}
	var order []*group
	byName := map[string]*group{}
	get := func(name string) *group {
		if g, ok := byName[name]; ok {
			return g
		}
		g := &group{name: name}
		byName[name] = g
		order = append(order, g)
		return g
	}
	for _, t := range b.doc.Tags {
		if _, dup := byName[t.Name]; dup {
			continue
		}
		get(t.Name).desc = t.Description
	}
	var untagged group
	for _, path := range b.doc.Paths.keys {
		item, _ := b.doc.Paths.get(path)
		if item == nil {
			continue
		}
		for _, mo := range item.operations() {
			op := b.operation(path, mo.method, item, mo.op)
			if len(mo.op.Tags) == 0 {
				untagged.toc = append(untagged.toc, op.opRef)
				untagged.ops = append(untagged.ops, op)
				continue
			}
			seen := map[string]bool{}
			for i, t := range mo.op.Tags {
				if seen[t] {
					continue
				}
				seen[t] = true
				g := get(t)
				g.toc = append(g.toc, op.opRef)
				if i == 0 {
					g.ops = append(g.ops, op)
				} else {
					g.also = append(g.also, op.opRef)
				}
			}
		}
	}
	if len(untagged.ops) > 0 {
		untagged.name = b.l.Untagged
		order = append(order, &untagged)
	}
	var out []groupView
	for _, g := range order {
		if len(g.toc) == 0 {
			continue
		}
		out = append(out, groupView{
			Name:        g.name,
			Anchor:      b.id("tag-", g.name),
			Description: paragraphs(g.desc),
			TOC:         g.toc,
			Ops:         g.ops,
			Also:        g.also,
		})
	}
	return out
}

func (b *builder) operation(path, method string, item *pathItem, op *operation) *opView {
	anchorSrc := op.OperationID
	if anchorSrc == "" {
		anchorSrc = method + "-" + strings.Trim(path, "/")
	}
	v := &opView{
		L: b.l,
		opRef: opRef{
			Anchor:      b.id("op-", anchorSrc),
			Method:      strings.ToUpper(method),
			Path:        path,
			Summary:     firstNonEmpty(op.Summary, item.Summary),
			Deprecated:  op.Deprecated,
			MethodClass: "m-" + method,
		},
		OperationID: op.OperationID,
		Description: paragraphs(firstNonEmpty(op.Description, item.Description)),
	}
	name := v.Method + " " + path
	v.ParamsCap = fmt.Sprintf(b.l.ParametersOf, name)
	v.RespCap = fmt.Sprintf(b.l.ResponsesOf, name)
	if op.Security != nil {
		v.Security = b.security(*op.Security)
	} else if len(b.doc.Security) > 0 {
		v.Security = b.security(b.doc.Security)
	}
	for _, p := range b.parameters(item.Parameters, op.Parameters) {
		pv := paramView{
			Name:        p.Name,
			In:          b.l.location(p.In),
			Required:    p.Required || p.In == "path",
			Deprecated:  p.Deprecated,
			Description: paragraphs(p.Description),
		}
		if p.Name == "" && p.Ref != "" {
			pv.Name = p.Ref
		}
		s := p.Schema
		if s == nil {
			for _, mt := range p.Content.keys {
				m, _ := p.Content.get(mt)
				if m != nil {
					s = m.Schema
					break
				}
			}
		}
		pv.Type = b.typeExpr(s)
		pv.Facts = b.facts(s, true)
		if len(p.Example) > 0 {
			pv.Facts = append(pv.Facts, fact{Label: b.l.Example, Values: []string{compactJSON(p.Example)}})
		}
		v.Params = append(v.Params, pv)
	}
	if op.RequestBody != nil {
		rb := resolve(op.RequestBody, func(r *requestBody) string { return r.Ref }, "requestBodies", b.doc.Components.RequestBodies)
		v.Body = &bodyView{
			Required:    rb.Required,
			Description: paragraphs(rb.Description),
			Contents:    b.contents(rb.Content, name),
		}
	}
	for _, status := range op.Responses.keys {
		r, _ := op.Responses.get(status)
		r = resolve(r, func(r *response) string { return r.Ref }, "responses", b.doc.Components.Responses)
		if r == nil {
			continue
		}
		rv := respView{
			Status:      status,
			Class:       statusClass(status),
			Description: paragraphs(r.Description),
			Contents:    b.contents(r.Content, name+" "+status),
		}
		for _, hn := range r.Headers.keys {
			h, _ := r.Headers.get(hn)
			h = resolve(h, func(h *header) string { return h.Ref }, "headers", b.doc.Components.Headers)
			if h == nil {
				continue
			}
			rv.Headers = append(rv.Headers, headerView{
				Name:        hn,
				Required:    h.Required,
				Type:        b.typeExpr(h.Schema),
				Description: paragraphs(h.Description),
			})
		}
		v.Responses = append(v.Responses, rv)
	}
	return v
}

// parameters merges path-level and operation-level parameters; the latter
// override the former when name and location match.
func (b *builder) parameters(pathLevel, opLevel []parameter) []*parameter {
	var out []*parameter
	index := map[string]int{}
	add := func(list []parameter) {
		for i := range list {
			p := resolve(&list[i], func(p *parameter) string { return p.Ref }, "parameters", b.doc.Components.Parameters)
			key := p.In + "\x00" + p.Name
			if j, ok := index[key]; ok && p.Name != "" {
				out[j] = p
				continue
			}
			index[key] = len(out)
			out = append(out, p)
		}
	}
	add(pathLevel)
	add(opLevel)
	return out
}

func (b *builder) contents(content ordered[*mediaType], caption string) []contentView {
	var out []contentView
	for _, mt := range content.keys {
		m, _ := content.get(mt)
		cv := contentView{L: b.l, MediaType: mt}
		if m == nil {
			out = append(out, cv)
			continue
		}
		cv.Type = b.typeExpr(m.Schema)
		if rows := b.inlineRows(m.Schema); len(rows) > 0 {
			cv.Props = &propTable{L: b.l, Caption: fmt.Sprintf(b.l.PropertiesOf, caption+" "+mt), Rows: rows}
		}
		switch {
		case len(m.Example) > 0:
			cv.Example = prettyJSON(m.Example)
		case m.Examples.len() > 0:
			ex, _ := m.Examples.get(m.Examples.keys[0])
			ex = resolve(ex, func(e *example) string { return e.Ref }, "examples", b.doc.Components.Examples)
			if ex != nil && len(ex.Value) > 0 {
				cv.Example = prettyJSON(ex.Value)
			}
		}
		out = append(out, cv)
	}
	return out
}

// inlineRows returns property rows for inline object schemas (or arrays of
// them); referenced schemas are only linked, they are described below.
func (b *builder) inlineRows(s *schema) []propView {
	if s == nil || s.Ref != "" {
		return nil
	}
	if rows := b.rows(s, "", 0); len(rows) > 0 {
		return rows
	}
	if s.Items != nil && s.Items.Ref == "" {
		return b.rows(s.Items, "[].", 0)
	}
	return nil
}

type namedProp struct {
	name     string
	schema   *schema
	required bool
}

// collectProps lists the properties of s including those of inline allOf
// members; referenced members are shown as compositions instead.
func collectProps(s *schema) []namedProp {
	if s == nil || s.Ref != "" {
		return nil
	}
	var out []namedProp
	index := map[string]int{}
	var walk func(s *schema, depth int)
	walk = func(s *schema, depth int) {
		if s == nil || s.Ref != "" || depth > 8 {
			return
		}
		req := map[string]bool{}
		for _, r := range s.Required {
			req[r] = true
		}
		for _, name := range s.Properties.keys {
			ps, _ := s.Properties.get(name)
			if i, ok := index[name]; ok {
				out[i].schema = ps
				out[i].required = out[i].required || req[name]
				continue
			}
			index[name] = len(out)
			out = append(out, namedProp{name: name, schema: ps, required: req[name]})
		}
		for _, m := range s.AllOf {
			walk(m, depth+1)
		}
		// required may name properties declared in another allOf member.
		for i := range out {
			if req[out[i].name] {
				out[i].required = true
			}
		}
	}
	walk(s, 0)
	return out
}

func (b *builder) rows(s *schema, prefix string, depth int) []propView {
	var out []propView
	for _, np := range collectProps(s) {
		name := prefix + np.name
		out = append(out, propView{
			Name:        name,
			Depth:       depth,
			Required:    np.required,
			Type:        b.typeExpr(np.schema),
			Description: paragraphs(schemaDescription(np.schema)),
			Facts:       b.facts(np.schema, true),
			Badges:      b.badges(np.schema),
		})
		c := np.schema
		if c == nil || c.Ref != "" || depth >= 4 {
			continue
		}
		if len(collectProps(c)) > 0 {
			out = append(out, b.rows(c, name+".", depth+1)...)
		} else if c.Items != nil && c.Items.Ref == "" && len(collectProps(c.Items)) > 0 {
			out = append(out, b.rows(c.Items, name+"[].", depth+1)...)
		}
	}
	return out
}

func schemaDescription(s *schema) string {
	if s == nil {
		return ""
	}
	return firstNonEmpty(s.Description, s.Title)
}

func (b *builder) badges(s *schema) []string {
	if s == nil {
		return nil
	}
	var out []string
	if s.Deprecated {
		out = append(out, b.l.Deprecated)
	}
	if s.ReadOnly {
		out = append(out, b.l.ReadOnly)
	}
	if s.WriteOnly {
		out = append(out, b.l.WriteOnly)
	}
	return out
}

// facts lists format, enum, const, default, constraints and (optionally)
// examples of a schema. For arrays the item facts are reported.
func (b *builder) facts(s *schema, withExamples bool) []fact {
	if s == nil || s.Ref != "" {
		return nil
	}
	var out []fact
	add := func(label string, values ...string) {
		if len(values) > 0 {
			out = append(out, fact{Label: label, Values: values})
		}
	}
	format := s.Format
	enum := s.Enum
	if s.Items != nil && s.Items.Ref == "" {
		if format == "" {
			format = s.Items.Format
		}
		if len(enum) == 0 {
			enum = s.Items.Enum
		}
	}
	if format != "" {
		add(b.l.Format, format)
	}
	var ev []string
	for _, e := range enum {
		ev = append(ev, compactJSON(e))
	}
	add(b.l.Enum, ev...)
	if len(s.Const) > 0 {
		add(b.l.Const, compactJSON(s.Const))
	}
	if len(s.Default) > 0 {
		add(b.l.Default, compactJSON(s.Default))
	}
	var cs []string
	for _, c := range []struct {
		k string
		v json.RawMessage
	}{
		{"minLength", s.MinLength}, {"maxLength", s.MaxLength},
		{"minimum", s.Minimum}, {"maximum", s.Maximum},
		{"exclusiveMinimum", s.ExclusiveMinimum}, {"exclusiveMaximum", s.ExclusiveMaximum},
		{"multipleOf", s.MultipleOf}, {"minItems", s.MinItems}, {"maxItems", s.MaxItems},
	} {
		if len(c.v) > 0 {
			cs = append(cs, c.k+": "+compactJSON(c.v))
		}
	}
	if s.Pattern != "" {
		cs = append(cs, "pattern: "+s.Pattern)
	}
	if s.UniqueItems {
		cs = append(cs, "uniqueItems")
	}
	add(b.l.Constraints, cs...)
	if withExamples {
		add(b.l.Example, examples(s)...)
	}
	return out
}

// examples returns the schema's example values as compact JSON.
func examples(s *schema) []string {
	var out []string
	if len(s.Example) > 0 {
		out = append(out, compactJSON(s.Example))
	}
	if len(s.Examples) > 0 {
		var list []json.RawMessage
		if err := json.Unmarshal(s.Examples, &list); err == nil {
			for _, e := range list {
				out = append(out, compactJSON(e))
			}
		} else {
			out = append(out, compactJSON(s.Examples))
		}
	}
	return out
}

func (b *builder) schemaView(name string, s *schema) schemaView {
	v := schemaView{Name: name, Anchor: b.schemas[name]}
	if s == nil {
		return v
	}
	v.Description = paragraphs(s.Description)
	if s.Title != "" && s.Title != name && s.Description == "" {
		v.Description = paragraphs(s.Title)
	}
	v.Badges = b.badges(s)
	v.Facts = b.facts(s, false)
	if ex := examples(s); len(ex) > 0 {
		if len(s.Example) > 0 {
			v.Example = prettyJSON(s.Example)
		} else {
			v.Example = prettyFirst(s.Examples)
		}
	}
	props := collectProps(s)
	// A plain object with properties needs no type line; its table says it.
	if len(props) == 0 || len(s.Type) > 1 {
		v.Type = b.typeExpr(s)
	}
	var refs [][]typePart
	for _, m := range s.AllOf {
		if m == nil {
			continue
		}
		if m.Ref != "" || len(collectProps(m)) == 0 {
			refs = append(refs, b.typeExpr(m))
		}
	}
	if len(refs) > 0 {
		v.Compositions = append(v.Compositions, composition{Label: b.l.AllOf, Items: refs})
	}
	for _, c := range []struct {
		label string
		list  []*schema
	}{{b.l.OneOf, s.OneOf}, {b.l.AnyOf, s.AnyOf}} {
		if len(c.list) == 0 {
			continue
		}
		comp := composition{Label: c.label}
		for _, m := range c.list {
			comp.Items = append(comp.Items, b.typeExpr(m))
		}
		v.Compositions = append(v.Compositions, comp)
	}
	if ap := s.AdditionalProperties; ap != nil && (ap.Bool == nil || *ap.Bool) && len(props) > 0 {
		v.Compositions = append(v.Compositions, composition{Label: b.l.AdditionalProps, Items: [][]typePart{b.typeExpr(ap)}})
	}
	if rows := b.rows(s, "", 0); len(rows) > 0 {
		v.Props = &propTable{L: b.l, Caption: fmt.Sprintf(b.l.PropertiesOf, name), Rows: rows}
	}
	return v
}

func prettyFirst(raw json.RawMessage) string {
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err == nil {
		if len(list) == 0 {
			return ""
		}
		return prettyJSON(list[0])
	}
	return prettyJSON(raw)
}

// typeExpr renders a schema's type as text fragments, linking references to
// component schemas.
func (b *builder) typeExpr(s *schema) []typePart {
	return mergeText(b.typeParts(s, 0))
}

func (b *builder) typeParts(s *schema, depth int) []typePart {
	text := func(t string) []typePart { return []typePart{{Text: t}} }
	if s == nil {
		return text("any")
	}
	if depth > 6 {
		return text("…")
	}
	if s.Bool != nil {
		if *s.Bool {
			return text("any")
		}
		return text("never")
	}
	if s.Ref != "" {
		if name, ok := componentName(s.Ref, "schemas"); ok {
			if anchor, ok := b.schemas[name]; ok {
				return []typePart{{Text: name, Href: "#" + anchor}}
			}
			return text(name)
		}
		return text(s.Ref)
	}
	join := func(list []*schema, sep string) []typePart {
		var out []typePart
		for i, m := range list {
			if i > 0 {
				out = append(out, typePart{Text: sep})
			}
			out = append(out, b.typeParts(m, depth+1)...)
		}
		return out
	}
	array := func() []typePart {
		if s.Items == nil {
			if len(s.PrefixItems) > 0 {
				out := text("[")
				out = append(out, join(s.PrefixItems, ", ")...)
				return append(out, typePart{Text: "]"})
			}
			return text("array")
		}
		out := text("array<")
		out = append(out, b.typeParts(s.Items, depth+1)...)
		return append(out, typePart{Text: ">"})
	}
	object := func() []typePart {
		ap := s.AdditionalProperties
		if s.Properties.len() == 0 && ap != nil && (ap.Bool == nil || *ap.Bool) {
			out := text("map<string, ")
			out = append(out, b.typeParts(ap, depth+1)...)
			return append(out, typePart{Text: ">"})
		}
		return text("object")
	}
	var alts [][]typePart
	for _, t := range s.Type {
		switch t {
		case "array":
			alts = append(alts, array())
		case "object":
			alts = append(alts, object())
		default:
			alts = append(alts, text(t))
		}
	}
	if len(alts) == 0 {
		switch {
		case len(s.AllOf) == 1:
			alts = append(alts, b.typeParts(s.AllOf[0], depth+1))
		case len(s.AllOf) > 1:
			alts = append(alts, join(s.AllOf, " & "))
		case len(s.OneOf) > 0:
			alts = append(alts, join(s.OneOf, " | "))
		case len(s.AnyOf) > 0:
			alts = append(alts, join(s.AnyOf, " | "))
		case s.Properties.len() > 0 || s.AdditionalProperties != nil:
			alts = append(alts, object())
		case s.Items != nil || len(s.PrefixItems) > 0:
			alts = append(alts, array())
		case len(s.Const) > 0:
			alts = append(alts, text("const "+compactJSON(s.Const)))
		case len(s.Enum) > 0:
			alts = append(alts, text("enum"))
		default:
			alts = append(alts, text("any"))
		}
	}
	if s.Nullable && !s.Type.has("null") {
		alts = append(alts, text("null"))
	}
	var out []typePart
	for i, a := range alts {
		if i > 0 {
			out = append(out, typePart{Text: " | "})
		}
		out = append(out, a...)
	}
	return out
}

// mergeText joins adjacent unlinked fragments.
func mergeText(parts []typePart) []typePart {
	var out []typePart
	for _, p := range parts {
		if n := len(out); n > 0 && p.Href == "" && out[n-1].Href == "" {
			out[n-1].Text += p.Text
			continue
		}
		out = append(out, p)
	}
	return out
}

// paragraphs splits text (typically Markdown) into paragraphs on blank
// lines. The text is not interpreted; the template escapes it.
func paragraphs(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	var out []string
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.Join(cur, "\n"))
			cur = nil
		}
	}
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimRight(line, " \t")
		if strings.TrimSpace(line) == "" {
			flush()
			continue
		}
		cur = append(cur, line)
	}
	flush()
	return out
}

func compactJSON(raw json.RawMessage) string {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return string(raw)
	}
	return buf.String()
}

func prettyJSON(raw json.RawMessage) string {
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		return string(raw)
	}
	return buf.String()
}

// statusClass groups status codes (2XX, 404, default) for styling.
func statusClass(status string) string {
	if status != "" && status[0] >= '1' && status[0] <= '5' {
		return "s" + status[:1]
	}
	return "s0"
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
