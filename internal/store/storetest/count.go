package storetest

import (
	"context"
	"fmt"

	"github.com/sandpit-nhs/sandpit/internal/store"
)

// Count runs query, which selects one number, with args (placeholders
// written ?) on the pool that sees every write.
func Count(ctx context.Context, s *store.Store, query string, args ...any) (int64, error) {
	pool, q := db(s, query)
	var n int64
	if err := pool.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("storetest: count %q: %w", query, err)
	}
	return n, nil
}
