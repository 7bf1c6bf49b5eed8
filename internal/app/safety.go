package app

import "github.com/sandpit-nhs/sandpit/internal/store"

// Safety is the use cases of the safety concerns list and their triage.
type Safety struct {
	store *store.Store
	cfg   Config
}

func newSafety(st *store.Store, cfg Config) *Safety { return &Safety{store: st, cfg: cfg} }
