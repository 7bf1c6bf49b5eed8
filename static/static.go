// Package static embeds Sandpit's own stylesheets and scripts, and the
// NHS.UK frontend that the build copies into vendor/.
package static

import "embed"

// FS holds css/, js/ and vendor/.
//
//go:embed css js vendor
var FS embed.FS
