package app

import "github.com/sandpit-nhs/sandpit/internal/store"

// Trials is the use cases of consent, trial writes (start, click, pause, resume, give up, rating), problem reports, SUS, completion, withdrawal and My feedback.
type Trials struct {
	store *store.Store
	cfg   Config
}

func newTrials(st *store.Store, cfg Config) *Trials { return &Trials{store: st, cfg: cfg} }
