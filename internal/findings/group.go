// Package findings groups clinicians' reports into usability findings, as
// METRICS.md describes.
package findings

import (
	_ "embed"
	"math"
	"sort"
	"strings"
	"sync"
	"unicode"
)

//go:embed stopwords.txt
var stopwordList string

// stopwords returns the words left out when comparing report texts, made
// once.
var stopwords = sync.OnceValue(func() map[string]bool {
	set := map[string]bool{}
	for _, w := range strings.Fields(stopwordList) {
		set[strings.ToLower(w)] = true
	}
	return set
})

// Words returns the set of words of text: maximal runs of letters and
// digits, lower-cased, less the stop words.
func Words(text string) map[string]bool {
	stop := stopwords()
	set := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if !stop[w] {
			set[w] = true
		}
	}
	return set
}

// Jaccard is |a ∩ b| / |a ∪ b|, and 0 for two empty sets.
func Jaccard(a, b map[string]bool) float64 {
	inter := 0
	for w := range a {
		if b[w] {
			inter++
		}
	}
	union := len(a) + len(b) - inter
	if union == 0 {
		return 0
	}
	return float64(inter) / float64(union)
}

// Pinned is a report as grouping sees it.
type Pinned struct {
	FindingID int64
	Screen    string
	Category  string
	X, Y      int
	Text      string
}

// Candidate is an existing report of the workflow, with its finding's age
// for breaking ties (smaller is older). Words is the word set of its Text
// when stored with it (nil: worked out from Text).
type Candidate struct {
	Pinned
	FindingOrder int64
	Words        map[string]bool
}

// WordList is text's word set as one string, " a b c ", sorted, each word
// between spaces so that a word can be looked for with LIKE '% word %'.
func WordList(text string) string {
	words := Words(text)
	list := make([]string, 0, len(words))
	for w := range words {
		list = append(list, w)
	}
	sort.Strings(list)
	return " " + strings.Join(list, " ") + " "
}

// ParseWordList is the word set of a WordList.
func ParseWordList(list string) map[string]bool {
	set := map[string]bool{}
	for _, w := range strings.Fields(list) {
		set[w] = true
	}
	return set
}

// Thresholds of METRICS.md.
const (
	PinShare   = 0.10 // of the screen image's diagonal
	MinJaccard = 0.5
)

// Match returns the finding the new report joins, or 0 to start a new
// finding. width and height are the new report's screen image size.
func Match(report Pinned, width, height int, candidates []Candidate) int64 {
	limit := PinShare * math.Hypot(float64(width), float64(height))
	words := Words(report.Text)
	type score struct {
		finding  int64
		order    int64
		distance float64
		jaccard  float64
	}
	best := map[int64]*score{}
	for _, c := range candidates {
		if c.Screen != report.Screen || c.Category != report.Category {
			continue
		}
		d := math.Hypot(float64(c.X-report.X), float64(c.Y-report.Y))
		cw := c.Words
		if cw == nil {
			cw = Words(c.Text)
		}
		j := Jaccard(words, cw)
		if d > limit && j < MinJaccard {
			continue
		}
		s, ok := best[c.FindingID]
		if !ok {
			s = &score{finding: c.FindingID, order: c.FindingOrder, distance: math.Inf(1)}
			best[c.FindingID] = s
		}
		s.distance = math.Min(s.distance, d)
		s.jaccard = math.Max(s.jaccard, j)
	}
	if len(best) == 0 {
		return 0
	}
	list := make([]*score, 0, len(best))
	for _, s := range best {
		list = append(list, s)
	}
	sort.Slice(list, func(i, k int) bool {
		a, b := list[i], list[k]
		if a.distance != b.distance {
			return a.distance < b.distance
		}
		if a.jaccard != b.jaccard {
			return a.jaccard > b.jaccard
		}
		return a.order < b.order
	})
	return list[0].finding
}
