package app

import "github.com/sandpit-nhs/sandpit/internal/store"

// Exports is the use cases of research exports of a release or a workflow.
type Exports struct {
	store *store.Store
	cfg   Config
}

func newExports(st *store.Store, cfg Config) *Exports { return &Exports{store: st, cfg: cfg} }
