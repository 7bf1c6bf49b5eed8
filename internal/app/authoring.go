package app

import "github.com/sandpit-nhs/sandpit/internal/store"

// Authoring is the use cases of workflows, releases, screens, hotspots, tasks, publishing, previews and release definitions.
type Authoring struct {
	store *store.Store
	cfg   Config
}

func newAuthoring(st *store.Store, cfg Config) *Authoring { return &Authoring{store: st, cfg: cfg} }
