package store

import "github.com/sandpit-nhs/sandpit/internal/sandpit"

// inScope is the condition, and its arguments, that keeps rows whose team
// id column is in scope: reads of a team's data carry the caller's scope,
// like miniflux's WHERE user_id = $1.
func inScope(column string, scope sandpit.TeamScope) (string, []any) {
	switch {
	case scope.All:
		return "TRUE", nil
	case len(scope.TeamIDs) == 0:
		return "FALSE", nil
	}
	return column + " IN ?", []any{scope.TeamIDs}
}
