package store

import (
	"testing"
	"time"
)

// TestHotKeepsNoReadBegunBeforeAChange checks that a read begun before a
// change this server commits is not kept, so that the change takes effect
// on the next request, and that a read is kept hotTTL from when it began,
// not from when it ended.
func TestHotKeepsNoReadBegunBeforeAChange(t *testing.T) {
	h := newHot(hotTTL)
	k := trialKey{1, 2}

	r := h.begin()
	h.keepUser(r, "token", authHit{tokenID: 7})
	h.keepTrial(r, k, trialHit{})
	if hit, ok := h.user("token"); !ok || hit.tokenID != 7 {
		t.Fatalf("a read with no change since it began: kept %v, %+v; want kept", ok, hit)
	}
	if _, ok := h.trial(k); !ok {
		t.Fatal("a trial read with no change since it began is not kept")
	}

	r = h.begin()
	h.purge() // a change commits while the read is under way
	h.keepUser(r, "token", authHit{tokenID: 8})
	h.keepTrial(r, k, trialHit{})
	if _, ok := h.user("token"); ok {
		t.Error("a token read begun before a change is kept")
	}
	if _, ok := h.trial(k); ok {
		t.Error("a trial read begun before a change is kept")
	}

	h.keepTrial(h.begin(), k, trialHit{})
	r = h.begin()
	h.forgetTrial(k) // SUS answered while the read is under way
	h.keepTrial(r, k, trialHit{})
	if _, ok := h.trial(k); ok {
		t.Error("a trial read begun before its SUS was saved is kept")
	}

	old := hotRead{at: time.Now().Add(-hotTTL), gen: h.gen.Load()}
	h.keepUser(old, "token", authHit{})
	if _, ok := h.user("token"); ok {
		t.Error("a read begun hotTTL ago is kept")
	}
}
