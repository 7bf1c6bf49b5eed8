package app

import "github.com/sandpit-nhs/sandpit/internal/store"

// Reports is the use cases of release reports, comparisons, click maps and show-and-tell.
type Reports struct {
	store *store.Store
	cfg   Config
}

func newReports(st *store.Store, cfg Config) *Reports { return &Reports{store: st, cfg: cfg} }
