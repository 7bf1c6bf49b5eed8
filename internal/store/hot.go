package store

import (
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// hotTTL is how long the reads every trial write starts with (the token's
// user, the trial and its release's status) are kept. Every change this
// server commits empties them at once, so a token revoked, a user disabled
// or a release closed here takes effect on the next request, but for
// those that change none of them: trial ops (a start, click, pause,
// resume, give-up, rating or SUS answers, whose trial alone SaveSUS
// forgets), problem reports and new trials. A change made by another
// replica takes effect here within hotTTL.
const hotTTL = 500 * time.Millisecond

// hotSize is how many tokens, and how many trials, are kept at most.
const hotSize = 50_000

type authHit struct {
	user    sandpit.User
	tokenID int64
}

type trialHit struct {
	trial sandpit.Trial
	meta  ReleaseMeta
}

type trialKey struct{ id, user int64 }

// hot holds the reads kept for hotTTL.
type hot struct {
	auth   *expirable.LRU[string, authHit]
	trials *expirable.LRU[trialKey, trialHit]
}

func newHot() hot {
	return hot{auth: expirable.NewLRU[string, authHit](hotSize, nil, hotTTL),
		trials: expirable.NewLRU[trialKey, trialHit](hotSize, nil, hotTTL)}
}

// purge forgets every read kept: something may have changed.
func (h hot) purge() {
	h.auth.Purge()
	h.trials.Purge()
}
