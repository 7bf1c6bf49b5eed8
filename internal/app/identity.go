package app

import "github.com/sandpit-nhs/sandpit/internal/store"

// Identity is the use cases of signing in, registration, accounts, API tokens, users, roles, teams, grants and the audit log.
type Identity struct {
	store *store.Store
	cfg   Config
}

func newIdentity(st *store.Store, cfg Config) *Identity { return &Identity{store: st, cfg: cfg} }
