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

// I18n holds the console's message catalogs, one JSON file a locale
// (zh-CN.json, en.json), key -> text.
//
//go:embed i18n/*.json
var I18n embed.FS
