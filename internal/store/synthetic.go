package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// SyntheticTrial is a made-up clinician's finished trial for demo data.
type SyntheticTrial struct {
	UserID      int64 // an existing clinician's trial; 0 creates a synthetic clinician
	Email, Name string
	Profile     sandpit.Profile
	ResearchUse bool
	ConsentedAt time.Time
	SUS         []int // nil when the questionnaire was not answered
	SUSScore    *float64
	Attempts    []SyntheticAttempt
}

// SyntheticAttempt is a finished attempt with the clicks that led to it.
type SyntheticAttempt struct {
	Attempt sandpit.Attempt
	Clicks  []sandpit.Click
}

// ReleaseTrialCount returns how many trials release releaseID has.
func (s *Store) ReleaseTrialCount(ctx context.Context, releaseID int64) (int64, error) {
	var n int64
	if err := s.read.WithContext(ctx).Model(&trialRow{}).Where("release_id = ?", releaseID).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("store: trials of %d: %w", releaseID, err)
	}
	return n, nil
}

// InsertSyntheticTrials stores trials of release releaseID with their
// clinicians (who cannot sign in), attempts and clicks, in one
// transaction. The trials are left incomplete so reports can still be
// added; CompleteTrials finishes them. It returns the trial and user ids.
func (s *Store) InsertSyntheticTrials(ctx context.Context, releaseID int64, trials []SyntheticTrial) (trialIDs, userIDs []int64, err error) {
	now := s.Now()
	err = s.transact(ctx, func(tx *gorm.DB) error {
		var attempts []attemptRow
		var owners []int // the index in trials of each attempt
		for i, t := range trials {
			p := t.Profile
			u := userRow{ID: t.UserID, Email: t.Email, EmailLower: strings.ToLower(t.Email), Name: t.Name, PasswordHash: "!synthetic: no sign-in",
				Profession: &p.Profession, Setting: &p.Setting, YearsExperience: &p.YearsExperience, LegacyFamiliarity: &p.LegacyFamiliarity,
				CreatedAt: now, UpdatedAt: now}
			if t.UserID == 0 {
				if err := tx.Create(&u).Error; err != nil {
					return err
				}
				if err := tx.Create(&userRoleRow{UserID: u.ID, Role: string(sandpit.RoleClinician), CreatedAt: now}).Error; err != nil {
					return err
				}
			}
			tr := trialRow{ReleaseID: releaseID, UserID: u.ID, ConsentVersion: 1, ResearchUse: t.ResearchUse, ConsentedAt: t.ConsentedAt, SUSScore: t.SUSScore}
			if t.SUS != nil {
				b, _ := json.Marshal(t.SUS)
				sus := string(b)
				tr.SUS = &sus
			}
			if err := tx.Create(&tr).Error; err != nil {
				return err
			}
			trialIDs, userIDs = append(trialIDs, tr.ID), append(userIDs, u.ID)
			for _, sa := range t.Attempts {
				a := sa.Attempt
				path, _ := json.Marshal(a.Path)
				attempts = append(attempts, attemptRow{TrialID: tr.ID, TaskKey: a.TaskKey, StartedAt: a.StartedAt, Screen: a.Screen, Path: string(path),
					LastSeq: a.LastSeq, Clicks: a.Clicks, Misclicks: a.Misclicks, ListClicks: a.ListClicks, LastActiveAt: a.LastActiveAt, Outcome: string(a.Outcome),
					EndedAt: a.EndedAt, DurationMs: a.DurationMs, Ease: a.Ease, Comment: a.Comment})
				owners = append(owners, i)
			}
		}
		if len(attempts) == 0 {
			return nil
		}
		if err := tx.CreateInBatches(&attempts, 200).Error; err != nil {
			return err
		}
		var clicks []clickRow
		next := map[int]int{} // trial index → attempts of it seen so far
		for k, a := range attempts {
			i := owners[k]
			sa := trials[i].Attempts[next[i]]
			next[i]++
			for _, c := range sa.Clicks {
				via := c.Via
				if via == "" {
					via = sandpit.ViaPointer
				}
				clicks = append(clicks, clickRow{AttemptID: a.ID, Seq: c.Seq, Screen: c.Screen, Via: via, X: c.X, Y: c.Y, Hit: c.Hit, Target: c.Target, At: c.At, TMs: c.TMs})
			}
		}
		if len(clicks) == 0 {
			return nil
		}
		return tx.CreateInBatches(&clicks, 500).Error
	})
	if err != nil {
		return nil, nil, fmt.Errorf("store: synthetic trials of %d: %w", releaseID, err)
	}
	return trialIDs, userIDs, nil
}

// CompleteTrials marks each trial of done complete at its time, in one
// transaction.
func (s *Store) CompleteTrials(ctx context.Context, done map[int64]time.Time) error {
	if len(done) == 0 {
		return nil
	}
	if err := s.transact(ctx, func(tx *gorm.DB) error {
		for id, at := range done {
			if err := tx.Model(&trialRow{}).Where("id = ? AND completed_at IS NULL", id).Update("completed_at", at.UTC()).Error; err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return fmt.Errorf("store: complete trials: %w", err)
	}
	return nil
}
