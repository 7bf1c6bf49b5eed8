package web

import (
	"errors"
	"fmt"
	"math"

	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/app"
)

// retryAfter tells the client, when err is a rate limit, how many seconds
// to wait before trying again, and returns err.
func retryAfter(c echo.Context, err error) error {
	var rl *app.RateLimitError
	if errors.As(err, &rl) {
		c.Response().Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(rl.Wait.Seconds()))))
	}
	return err
}
