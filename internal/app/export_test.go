package app

import "github.com/sandpit-nhs/sandpit/internal/store"

// TrialStore lets tests wrap the store behind Trials, to hold writes in
// flight.
type TrialStore = trialStore

// NewTrialsOver returns Trials over st, for tests that wrap the store.
func NewTrialsOver(st trialStore, cfg Config) *Trials { return &Trials{store: st, cfg: cfg} }

var _ trialStore = (*store.Store)(nil)
