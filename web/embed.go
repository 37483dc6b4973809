// Package web embeds the server-rendered templates and static assets of the
// console and the public portal.
package web

import "embed"

// Templates holds templates/*.html, parsed once at start-up.
//
//go:embed templates/*.html
var Templates embed.FS

// Static holds static/*, served under /static/.
//
//go:embed static/*
var Static embed.FS

// I18n holds the console's message catalogs, key -> text: zh-CN.json and
// en.json, with an area's keys optionally in zh-CN.<area>.json and
// en.<area>.json.
//
//go:embed i18n/*.json
var I18n embed.FS
