// Package export turns a scope of releases into API.md's research export
// tables: pseudonymised, consented-only rows with a codebook, written as
// CSV (RFC 4180, formula-neutralised) or as one streamed JSON document.
package export

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
)

// Pseudonym is the participant id of user userID in workflow workflowID:
// "P-" and the first 16 hex digits of HMAC-SHA-256 keyed with secret over
// "workflow:<id>:user:<id>". It is stable within a workflow and unlinkable
// across workflows without the secret.
func Pseudonym(secret []byte, workflowID, userID int64) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("workflow:" + strconv.FormatInt(workflowID, 10) + ":user:" + strconv.FormatInt(userID, 10)))
	return "P-" + hex.EncodeToString(mac.Sum(nil))[:16]
}
