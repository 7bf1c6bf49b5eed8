package store

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// hotTTL is how long the reads every trial write starts with (the token's
// user, the trial and its release's status) are kept, counted from the
// moment the read began. Every change this server commits empties them at
// once, and a read begun before the change is not kept, so a token
// revoked, a user disabled or a release closed here takes effect on the
// next request, but for those that change none of them: trial ops (a
// start, click, pause, resume, give-up, rating or SUS answers, whose trial
// alone SaveSUS forgets), problem reports and new trials. A change made by
// another replica takes effect here within hotTTL.
const hotTTL = time.Second

// hotSize is how many tokens, and how many trials, are kept at most.
const hotSize = 50_000

type authHit struct {
	user    sandpit.User
	tokenID int64
	at      time.Time // when the read began
}

type trialHit struct {
	trial sandpit.Trial
	meta  ReleaseMeta
	at    time.Time // when the read began
}

type trialKey struct{ id, user int64 }

// hot holds the reads kept for ttl. Copies share what they hold.
type hot struct {
	ttl    time.Duration // hotTTL but in tests
	auth   *expirable.LRU[string, authHit]
	trials *expirable.LRU[trialKey, trialHit]
	// gen moves, under mu, whenever something kept may have changed; a
	// read is kept only if gen has not moved since it began.
	mu  *sync.Mutex
	gen *atomic.Uint64
}

// newHot returns an empty hot keeping reads for ttl.
func newHot(ttl time.Duration) hot {
	return hot{ttl: ttl, auth: expirable.NewLRU[string, authHit](hotSize, nil, ttl),
		trials: expirable.NewLRU[trialKey, trialHit](hotSize, nil, ttl),
		mu:     &sync.Mutex{}, gen: &atomic.Uint64{}}
}

// hotRead is a read about to begin, for keeping its answer.
type hotRead struct {
	at  time.Time
	gen uint64
}

// begin notes that a read is about to begin.
func (h hot) begin() hotRead { return hotRead{time.Now(), h.gen.Load()} }

// user returns the token's user kept from a read begun less than ttl ago.
func (h hot) user(hash string) (authHit, bool) {
	hit, ok := h.auth.Get(hash)
	return hit, ok && time.Since(hit.at) < h.ttl
}

// trial returns the trial kept from a read begun less than ttl ago.
func (h hot) trial(k trialKey) (trialHit, bool) {
	hit, ok := h.trials.Get(k)
	return hit, ok && time.Since(hit.at) < h.ttl
}

// keepUser keeps the answer of read r about a token, unless something
// changed since r began.
func (h hot) keepUser(r hotRead, hash string, hit authHit) {
	hit.at = r.at
	h.keep(r, func() { h.auth.Add(hash, hit) })
}

// keepTrial keeps the answer of read r about a trial, unless something
// changed since r began.
func (h hot) keepTrial(r hotRead, k trialKey, hit trialHit) {
	hit.at = r.at
	h.keep(r, func() { h.trials.Add(k, hit) })
}

func (h hot) keep(r hotRead, add func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.gen.Load() == r.gen {
		add()
	}
}

// purge forgets every read kept, and every read under way: something may
// have changed.
func (h hot) purge() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.gen.Add(1)
	h.auth.Purge()
	h.trials.Purge()
}

// forgetTrial forgets trial k, and every read under way.
func (h hot) forgetTrial(k trialKey) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.gen.Add(1)
	h.trials.Remove(k)
}
