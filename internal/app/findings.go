package app

import "github.com/sandpit-nhs/sandpit/internal/store"

// Findings is the use cases of the findings board, a finding, and its curation: update, merge, move a report.
type Findings struct {
	store *store.Store
	cfg   Config
}

func newFindings(st *store.Store, cfg Config) *Findings { return &Findings{store: st, cfg: cfg} }
