package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// maxIdempotencyKey is the longest Idempotency-Key accepted.
const maxIdempotencyKey = 255

// idempotent makes a creating POST honour an Idempotency-Key header: the
// same key from the same caller within 24 hours returns the first answer and
// creates nothing new. Answers of 5xx are not kept, so the request can be
// tried again.
func (s *Server) idempotent(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		key := c.Request().Header.Get("Idempotency-Key")
		if key == "" {
			return next(c)
		}
		if len(key) > maxIdempotencyKey {
			return sandpit.Invalid("The Idempotency-Key is too long.", sandpit.TooLong("Idempotency-Key", maxIdempotencyKey))
		}
		body, err := readBody(c)
		if err != nil {
			return bodyError(err, "The request body could not be read.")
		}
		h := sha256.New()
		io.WriteString(h, c.Request().Method+" "+c.Request().URL.Path+"\n")
		h.Write(body)
		hash := hex.EncodeToString(h.Sum(nil))

		ctx := c.Request().Context()
		caller := idempotencyCaller(c)
		stored, err := s.store.ClaimIdempotencyKey(ctx, caller, key, hash)
		if err != nil {
			return err
		}
		if stored != nil {
			c.Response().Header().Set("Idempotent-Replayed", "true")
			return c.Blob(stored.Status, stored.ContentType, stored.Body)
		}

		rec := &recorder{ResponseWriter: c.Response().Writer}
		c.Response().Writer = rec
		err = next(c)
		if err != nil {
			c.Error(err) // settle the answer now, so it can be kept
		}
		// The client's request may be gone; the bookkeeping must still finish.
		bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		status := c.Response().Status
		if status >= 500 {
			return s.store.ReleaseIdempotencyKey(bg, caller, key)
		}
		return s.store.SaveIdempotentAnswer(bg, caller, key, store.StoredAnswer{
			Status: status, ContentType: c.Response().Header().Get(echo.HeaderContentType), Body: rec.body.Bytes()})
	}
}

// idempotencyCaller names who sent the request: the token's user, or for
// anonymous requests (registration) the client's address.
func idempotencyCaller(c echo.Context) string {
	if u := currentUser(c); u != nil {
		return fmt.Sprintf("user:%d", u.ID)
	}
	return "ip:" + c.RealIP()
}

// recorder copies what a handler writes, to keep it.
type recorder struct {
	http.ResponseWriter
	body bytes.Buffer
}

func (r *recorder) Write(p []byte) (int, error) {
	r.body.Write(p)
	return r.ResponseWriter.Write(p)
}
