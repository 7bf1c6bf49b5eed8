package sandpit

import (
	"time"
	_ "time/tzdata" // the zone database inside the binary, so Europe/London resolves on any machine
)

// London is the time zone of the people Sandpit serves: every time shown to a
// person and every calendar month (a monthly show-and-tell, a benefits period)
// is in it. Stored times stay in UTC.
var London = mustLoadLocation("Europe/London")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic("sandpit: time zone " + name + ": " + err.Error())
	}
	return loc
}
