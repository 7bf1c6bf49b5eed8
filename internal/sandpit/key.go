package sandpit

import (
	"strconv"
	"strings"

	"github.com/gosimple/slug"
)

// maxKeyLength is the longest a screen or task key may be.
const maxKeyLength = 64

// KeyFromTitle returns a screen or task key made from title: its words in
// lower-case ASCII joined by hyphens (letters of other scripts
// transliterated), cut to fit, and made unique with "-2", "-3"… when taken
// reports the key in use. fallback ("screen", "task") is used when the
// title has nothing to make a key from.
func KeyFromTitle(title, fallback string, taken func(string) bool) string {
	base := truncateKey(slug.Make(title), maxKeyLength)
	if !ValidKey(base) {
		base = fallback
	}
	key := base
	for n := 2; taken(key); n++ {
		suffix := "-" + strconv.Itoa(n)
		key = truncateKey(base, maxKeyLength-len(suffix)) + suffix
	}
	return key
}

// truncateKey cuts key, which is ASCII, to at most n bytes without leaving
// a hyphen at its end.
func truncateKey(key string, n int) string {
	if len(key) > n {
		key = key[:n]
	}
	return strings.TrimRight(key, "-")
}
