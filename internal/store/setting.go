package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"
)

// setting is a row of the settings table.
type setting struct {
	Key       string `gorm:"primaryKey"`
	Value     string
	CreatedAt time.Time
}

// EnsureSetting stores value under key unless the key already holds one, and
// returns the value stored. Replicas starting together all get the first
// writer's value.
func (s *Store) EnsureSetting(ctx context.Context, key, value string) (string, error) {
	db := s.write.WithContext(ctx)
	row := setting{Key: key, Value: value, CreatedAt: s.Now()}
	if err := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error; err != nil {
		return "", fmt.Errorf("store: ensure setting %s: %w", key, err)
	}
	var stored setting
	if err := db.Where("key = ?", key).Take(&stored).Error; err != nil {
		return "", fmt.Errorf("store: read setting %s: %w", key, err)
	}
	return stored.Value, nil
}
