package apidocs

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// This file holds the minimal subset of the OpenAPI 3.x object model that the
// reference page needs. Unknown fields are ignored. Objects whose key order is
// meaningful to a reader (paths, properties, responses, …) are decoded into
// ordered so the page follows the order of the document.

type document struct {
	OpenAPI    string             `json:"openapi"`
	Swagger    string             `json:"swagger"`
	Info       info               `json:"info"`
	Servers    []server           `json:"servers"`
	Tags       []tagObject        `json:"tags"`
	Paths      ordered[*pathItem] `json:"paths"`
	Components components         `json:"components"`
	Security   []secRequirement   `json:"security"`
}

type info struct {
	Title       string `json:"title"`
	Summary     string `json:"summary"`
	Description string `json:"description"`
	Version     string `json:"version"`
}

type server struct {
	URL         string `json:"url"`
	Description string `json:"description"`
}

type tagObject struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

type pathItem struct {
	Summary     string      `json:"summary"`
	Description string      `json:"description"`
	Parameters  []parameter `json:"parameters"`
	Get         *operation  `json:"get"`
	Put         *operation  `json:"put"`
	Post        *operation  `json:"post"`
	Delete      *operation  `json:"delete"`
	Options     *operation  `json:"options"`
	Head        *operation  `json:"head"`
	Patch       *operation  `json:"patch"`
	Trace       *operation  `json:"trace"`
}

// operations returns the operations of the path item in the order used by
// the OpenAPI specification itself.
func (p *pathItem) operations() []methodOp {
	all := []methodOp{
		{"get", p.Get}, {"put", p.Put}, {"post", p.Post}, {"delete", p.Delete},
		{"options", p.Options}, {"head", p.Head}, {"patch", p.Patch}, {"trace", p.Trace},
	}
	out := all[:0]
	for _, m := range all {
		if m.op != nil {
			out = append(out, m)
		}
	}
	return out
}

type methodOp struct {
	method string
	op     *operation
}

type operation struct {
	OperationID string             `json:"operationId"`
	Summary     string             `json:"summary"`
	Description string             `json:"description"`
	Tags        []string           `json:"tags"`
	Parameters  []parameter        `json:"parameters"`
	RequestBody *requestBody       `json:"requestBody"`
	Responses   ordered[*response] `json:"responses"`
	Security    *[]secRequirement  `json:"security"`
	Deprecated  bool               `json:"deprecated"`
}

type parameter struct {
	Ref         string              `json:"$ref"`
	Name        string              `json:"name"`
	In          string              `json:"in"`
	Description string              `json:"description"`
	Required    bool                `json:"required"`
	Deprecated  bool                `json:"deprecated"`
	Schema      *schema             `json:"schema"`
	Content     ordered[*mediaType] `json:"content"`
	Example     json.RawMessage     `json:"example"`
}

type requestBody struct {
	Ref         string              `json:"$ref"`
	Description string              `json:"description"`
	Required    bool                `json:"required"`
	Content     ordered[*mediaType] `json:"content"`
}

type mediaType struct {
	Schema   *schema           `json:"schema"`
	Example  json.RawMessage   `json:"example"`
	Examples ordered[*example] `json:"examples"`
}

type example struct {
	Ref     string          `json:"$ref"`
	Summary string          `json:"summary"`
	Value   json.RawMessage `json:"value"`
}

type response struct {
	Ref         string              `json:"$ref"`
	Description string              `json:"description"`
	Content     ordered[*mediaType] `json:"content"`
	Headers     ordered[*header]    `json:"headers"`
}

type header struct {
	Ref         string  `json:"$ref"`
	Description string  `json:"description"`
	Required    bool    `json:"required"`
	Deprecated  bool    `json:"deprecated"`
	Schema      *schema `json:"schema"`
}

type components struct {
	Schemas         ordered[*schema]         `json:"schemas"`
	Responses       ordered[*response]       `json:"responses"`
	Parameters      ordered[*parameter]      `json:"parameters"`
	Examples        ordered[*example]        `json:"examples"`
	RequestBodies   ordered[*requestBody]    `json:"requestBodies"`
	Headers         ordered[*header]         `json:"headers"`
	SecuritySchemes ordered[*securityScheme] `json:"securitySchemes"`
}

type securityScheme struct {
	Ref              string              `json:"$ref"`
	Type             string              `json:"type"`
	Description      string              `json:"description"`
	Name             string              `json:"name"`
	In               string              `json:"in"`
	Scheme           string              `json:"scheme"`
	BearerFormat     string              `json:"bearerFormat"`
	Flows            ordered[*oauthFlow] `json:"flows"`
	OpenIDConnectURL string              `json:"openIdConnectUrl"`
}

type oauthFlow struct {
	AuthorizationURL string          `json:"authorizationUrl"`
	TokenURL         string          `json:"tokenUrl"`
	RefreshURL       string          `json:"refreshUrl"`
	Scopes           ordered[string] `json:"scopes"`
}

// secRequirement maps security scheme names to required scopes. All entries
// of one requirement apply together; a list of requirements are alternatives.
type secRequirement = ordered[[]string]

// schema is a JSON Schema (2020-12 as used by OpenAPI 3.1, with the 3.0
// nullable keyword tolerated).
type schema struct {
	// Bool is set for the boolean schemas true and false.
	Bool *bool `json:"-"`

	Ref                  string            `json:"$ref"`
	Type                 typeList          `json:"type"`
	Format               string            `json:"format"`
	Title                string            `json:"title"`
	Description          string            `json:"description"`
	Enum                 []json.RawMessage `json:"enum"`
	Const                json.RawMessage   `json:"const"`
	Default              json.RawMessage   `json:"default"`
	Example              json.RawMessage   `json:"example"`
	Examples             json.RawMessage   `json:"examples"`
	Items                *schema           `json:"items"`
	PrefixItems          []*schema         `json:"prefixItems"`
	Properties           ordered[*schema]  `json:"properties"`
	AdditionalProperties *schema           `json:"additionalProperties"`
	Required             []string          `json:"required"`
	AllOf                []*schema         `json:"allOf"`
	OneOf                []*schema         `json:"oneOf"`
	AnyOf                []*schema         `json:"anyOf"`
	Nullable             bool              `json:"nullable"`
	ReadOnly             bool              `json:"readOnly"`
	WriteOnly            bool              `json:"writeOnly"`
	Deprecated           bool              `json:"deprecated"`
	Pattern              string            `json:"pattern"`
	MinLength            json.RawMessage   `json:"minLength"`
	MaxLength            json.RawMessage   `json:"maxLength"`
	Minimum              json.RawMessage   `json:"minimum"`
	Maximum              json.RawMessage   `json:"maximum"`
	ExclusiveMinimum     json.RawMessage   `json:"exclusiveMinimum"`
	ExclusiveMaximum     json.RawMessage   `json:"exclusiveMaximum"`
	MultipleOf           json.RawMessage   `json:"multipleOf"`
	MinItems             json.RawMessage   `json:"minItems"`
	MaxItems             json.RawMessage   `json:"maxItems"`
	UniqueItems          bool              `json:"uniqueItems"`
}

// UnmarshalJSON accepts both object schemas and the boolean schemas.
func (s *schema) UnmarshalJSON(b []byte) error {
	switch string(bytes.TrimSpace(b)) {
	case "true", "false":
		v := string(bytes.TrimSpace(b)) == "true"
		*s = schema{Bool: &v}
		return nil
	}
	type plain schema
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*s = schema(p)
	return nil
}

// typeList is the JSON Schema "type" keyword: a string or an array of them.
type typeList []string

// UnmarshalJSON accepts a single type name or an array of type names.
func (t *typeList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*t = typeList{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New("schema type must be a string or an array of strings")
	}
	*t = many
	return nil
}

func (t typeList) has(name string) bool {
	for _, v := range t {
		if v == name {
			return true
		}
	}
	return false
}

// ordered is a JSON object decoded into a map that remembers key order.
type ordered[T any] struct {
	keys []string
	m    map[string]T
}

// UnmarshalJSON decodes a JSON object (or null) keeping its key order.
func (o *ordered[T]) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	*o = ordered[T]{}
	if tok == nil {
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("expected a JSON object, found %v", tok)
	}
	o.m = make(map[string]T)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, ok := tok.(string)
		if !ok {
			return fmt.Errorf("unexpected object key %v", tok)
		}
		var v T
		if err := dec.Decode(&v); err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		if _, dup := o.m[key]; !dup {
			o.keys = append(o.keys, key)
		}
		o.m[key] = v
	}
	_, err = dec.Token()
	return err
}

func (o ordered[T]) get(key string) (T, bool) {
	v, ok := o.m[key]
	return v, ok
}

func (o ordered[T]) len() int { return len(o.keys) }

// componentName extracts the component name from a local reference such as
// "#/components/schemas/Pet". It reports false for any other reference.
func componentName(ref, kind string) (string, bool) {
	prefix := "#/components/" + kind + "/"
	if !strings.HasPrefix(ref, prefix) {
		return "", false
	}
	name := ref[len(prefix):]
	if name == "" || strings.Contains(name, "/") {
		return "", false
	}
	if u, err := url.PathUnescape(name); err == nil {
		name = u
	}
	name = strings.ReplaceAll(name, "~1", "/")
	name = strings.ReplaceAll(name, "~0", "~")
	return name, true
}

// resolve follows local component references of one kind until it reaches
// an object without $ref. Unresolvable references return the last object.
func resolve[T any](v *T, refOf func(*T) string, kind string, pool ordered[*T]) *T {
	for i := 0; v != nil && refOf(v) != "" && i < 16; i++ {
		name, ok := componentName(refOf(v), kind)
		if !ok {
			return v
		}
		next, ok := pool.get(name)
		if !ok || next == nil {
			return v
		}
		v = next
	}
	return v
}
