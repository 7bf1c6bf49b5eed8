package sandpit

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// APITokenPrefix marks Sandpit API tokens, so that leaked ones are easy to
// find in logs and code.
const APITokenPrefix = "sandpit_"

// MaxTokenLabel is the longest label an API token may have, in characters.
const MaxTokenLabel = 100

// NewAPIToken returns a new API token and the hash stored for it.
func NewAPIToken() (token, hash string) {
	token = APITokenPrefix + strings.ToLower(rand.Text()+rand.Text())
	return token, APITokenHash(token)
}

// APITokenHash is the stored form of token. Tokens carry 260 random bits, so
// a plain SHA-256 is enough; no salt or stretching is needed.
func APITokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
