package export

// MinGroup is the fewest exported participants who may share one
// combination of quasi-identifiers (API.md, "Quasi-identifiers").
const MinGroup = 5

// The quasi-identifiers of a participant, in the order of the participants
// table; "" is blank.
const (
	quasiProfession = iota
	quasiSetting
	quasiYears
	quasiFamiliarity
	quasiColumns
)

// QuasiIDs are one participant's profession, setting, band of years of
// experience and familiarity with the legacy system, as exported.
type QuasiIDs [quasiColumns]string

// blankOrder is the order in which a small group's columns are blanked.
var blankOrder = [quasiColumns]int{quasiFamiliarity, quasiYears, quasiSetting, quasiProfession}

// Suppress blanks quasi-identifiers until no combination is held by fewer
// than MinGroup participants or the small groups have all four blank
// (API.md): while some participants' combination is held by fewer than
// MinGroup, each of them loses its next column, in the order familiarity,
// years, setting, profession, and the groups are counted again. It returns
// the participants' values, by the same keys, and how many cells it
// blanked.
func Suppress[K comparable](ids map[K]QuasiIDs) (map[K]QuasiIDs, int) {
	out := make(map[K]QuasiIDs, len(ids))
	level := make(map[K]int, len(ids)) // how many columns of blankOrder are blanked
	for k, v := range ids {
		out[k] = v
	}
	blanked := 0
	for {
		groups := map[QuasiIDs]int{}
		for _, v := range out {
			groups[v]++
		}
		changed := false
		for k, v := range out {
			if groups[v] >= MinGroup || level[k] == quasiColumns {
				continue
			}
			// Blank the next column that still holds something.
			for level[k] < quasiColumns {
				col := blankOrder[level[k]]
				level[k]++
				if v[col] != "" {
					v[col] = ""
					blanked++
					break
				}
			}
			out[k] = v
			changed = true
		}
		if !changed {
			return out, blanked
		}
	}
}

// YearsBand is years of experience as exported: 0-2, 3-5, 6-10, 11-20 or
// 21+; "" when missing.
func YearsBand(years *int) string {
	switch {
	case years == nil:
		return ""
	case *years <= 2:
		return "0-2"
	case *years <= 5:
		return "3-5"
	case *years <= 10:
		return "6-10"
	case *years <= 20:
		return "11-20"
	}
	return "21+"
}

// YearsBands lists the bands of YearsBand.
func YearsBands() []string { return []string{"0-2", "3-5", "6-10", "11-20", "21+"} }
