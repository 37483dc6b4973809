package apidocs

import "strings"

// labels are the fixed interface strings of the page.
type labels struct {
	Skip, Version, Documents, Servers        string
	Auth, NoSchemes, GlobalAuth, NoAuth      string
	AnonAllowed, Or, Scopes, Flows, Usage    string
	TOC, Schemas, Parameters, RequestBody    string
	Responses, Headers, Name, In, Type       string
	Required, Description, Status, Content   string
	Yes, No, Deprecated, Untagged, AlsoSee   string
	Example, Enum, Default, Format, Const    string
	ReadOnly, WriteOnly, AllOf               string
	OneOf, AnyOf, AdditionalProps, BackToTop string
	BearerFormat, ParamName                  string
	NoContent, PropertiesOf, ParametersOf    string
	ResponsesOf, Permalink, OptionalBody     string
	inPath, inQuery, inHeader, inCookie      string
	schemeHTTP, schemeAPIKey, schemeOAuth2   string
	schemeOIDC, schemeMTLS, Constraints      string
}

var zhLabels = labels{
	Skip:            "跳到主要内容",
	Version:         "版本",
	Documents:       "OpenAPI 文档",
	Servers:         "服务器",
	Auth:            "认证",
	NoSchemes:       "此 API 未声明认证方式。",
	GlobalAuth:      "默认认证要求",
	NoAuth:          "无需认证",
	AnonAllowed:     "也可匿名访问",
	Or:              "或",
	Scopes:          "权限范围",
	Flows:           "授权流程",
	Usage:           "用法",
	TOC:             "目录",
	Schemas:         "数据模型",
	Parameters:      "参数",
	RequestBody:     "请求体",
	Responses:       "响应",
	Headers:         "响应头",
	Name:            "名称",
	In:              "位置",
	Type:            "类型",
	Required:        "必填",
	Description:     "说明",
	Status:          "状态码",
	Content:         "内容",
	Yes:             "是",
	No:              "否",
	Deprecated:      "已弃用",
	Untagged:        "其他接口",
	AlsoSee:         "另见",
	Example:         "示例",
	Enum:            "可选值",
	Default:         "默认值",
	Format:          "格式",
	Const:           "固定值",
	ReadOnly:        "只读",
	WriteOnly:       "只写",
	AllOf:           "组合自",
	OneOf:           "以下之一",
	AnyOf:           "以下任意",
	AdditionalProps: "其他属性",
	BackToTop:       "返回目录",
	BearerFormat:    "令牌格式",
	ParamName:       "参数名",
	NoContent:       "无响应体",
	PropertiesOf:    "%s 的属性",
	ParametersOf:    "%s 的参数",
	ResponsesOf:     "%s 的响应",
	Permalink:       "此接口的链接",
	OptionalBody:    "可选",
	inPath:          "路径",
	inQuery:         "查询",
	inHeader:        "请求头",
	inCookie:        "Cookie",
	schemeHTTP:      "HTTP 认证",
	schemeAPIKey:    "API 密钥",
	schemeOAuth2:    "OAuth 2.0",
	schemeOIDC:      "OpenID Connect",
	schemeMTLS:      "双向 TLS",
	Constraints:     "约束",
}

var enLabels = labels{
	Skip:            "Skip to main content",
	Version:         "Version",
	Documents:       "OpenAPI document",
	Servers:         "Servers",
	Auth:            "Authentication",
	NoSchemes:       "This API declares no authentication schemes.",
	GlobalAuth:      "Default requirement",
	NoAuth:          "No authentication",
	AnonAllowed:     "anonymous access allowed",
	Or:              "or",
	Scopes:          "Scopes",
	Flows:           "Flows",
	Usage:           "Usage",
	TOC:             "Contents",
	Schemas:         "Schemas",
	Parameters:      "Parameters",
	RequestBody:     "Request body",
	Responses:       "Responses",
	Headers:         "Headers",
	Name:            "Name",
	In:              "In",
	Type:            "Type",
	Required:        "Required",
	Description:     "Description",
	Status:          "Status",
	Content:         "Content",
	Yes:             "yes",
	No:              "no",
	Deprecated:      "deprecated",
	Untagged:        "Other operations",
	AlsoSee:         "See also",
	Example:         "Example",
	Enum:            "Allowed values",
	Default:         "Default",
	Format:          "Format",
	Const:           "Constant",
	ReadOnly:        "read-only",
	WriteOnly:       "write-only",
	AllOf:           "Composed of",
	OneOf:           "One of",
	AnyOf:           "Any of",
	AdditionalProps: "Additional properties",
	BackToTop:       "Back to contents",
	BearerFormat:    "Token format",
	ParamName:       "Parameter name",
	NoContent:       "no body",
	PropertiesOf:    "Properties of %s",
	ParametersOf:    "Parameters of %s",
	ResponsesOf:     "Responses of %s",
	Permalink:       "Link to this operation",
	OptionalBody:    "optional",
	inPath:          "path",
	inQuery:         "query",
	inHeader:        "header",
	inCookie:        "cookie",
	schemeHTTP:      "HTTP authentication",
	schemeAPIKey:    "API key",
	schemeOAuth2:    "OAuth 2.0",
	schemeOIDC:      "OpenID Connect",
	schemeMTLS:      "Mutual TLS",
	Constraints:     "Constraints",
}

// labelsFor picks Chinese labels for zh* languages and English otherwise.
func labelsFor(lang string) *labels {
	if l := strings.ToLower(lang); l == "zh" || strings.HasPrefix(l, "zh-") {
		return &zhLabels
	}
	return &enLabels
}

func (l *labels) location(in string) string {
	switch in {
	case "path":
		return l.inPath
	case "query":
		return l.inQuery
	case "header":
		return l.inHeader
	case "cookie":
		return l.inCookie
	}
	return in
}
