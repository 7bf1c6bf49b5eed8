package main

import (
	"time"

	"github.com/prometheus/procfs"
)

// cpuMeter reads how much CPU the load tool and the servers it started
// have used, from /proc. The two share the machine's cores, so the CPU
// each spends on a request bounds the rates a phase can reach. Where
// /proc can't be read (not Linux), or for servers the tool didn't start,
// it reads nothing and the table leaves those figures out.
type cpuMeter struct{ servers []int }

// cpuUse is the CPU time used so far by the load tool and by the servers,
// each with whether it could be read.
type cpuUse struct {
	load, servers           time.Duration
	loadKnown, serversKnown bool
}

func (m cpuMeter) read() cpuUse {
	var use cpuUse
	if self, err := procfs.Self(); err == nil {
		use.load, use.loadKnown = cpuTime(self)
	}
	use.serversKnown = len(m.servers) > 0
	for _, pid := range m.servers {
		p, err := procfs.NewProc(pid)
		t, ok := cpuTime(p)
		if err != nil || !ok {
			use.serversKnown = false
			break
		}
		use.servers += t
	}
	return use
}

// cpuTime is the user and system time process p has used.
func cpuTime(p procfs.Proc) (time.Duration, bool) {
	st, err := p.Stat()
	if err != nil {
		return 0, false
	}
	return time.Duration(st.CPUTime() * float64(time.Second)), true
}

// since is the CPU used between before and u.
func (u cpuUse) since(before cpuUse) cpuUse {
	return cpuUse{load: u.load - before.load, servers: u.servers - before.servers,
		loadKnown: u.loadKnown && before.loadKnown, serversKnown: u.serversKnown && before.serversKnown}
}
