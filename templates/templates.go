// Package templates embeds Sandpit's HTML templates: layouts/, partials/ and
// pages/<resource>/<action>.html.
package templates

import "embed"

// FS holds every template file.
//
//go:embed layouts partials pages
var FS embed.FS
