package sandpit

import (
	"fmt"

	"golang.org/x/crypto/bcrypt"
)

// DefaultPasswordCost is bcrypt's cost for stored passwords.
const DefaultPasswordCost = 12

// HashPassword hashes password for storage with bcrypt at cost.
func HashPassword(password string, cost int) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	if err != nil {
		return "", fmt.Errorf("sandpit: hash password: %w", err)
	}
	return string(h), nil
}

// PasswordMatches reports whether password is the one hash was made from.
func PasswordMatches(hash, password string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}
