package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"
)

// seedReports stores, in release release, trials trials (two in three
// consenting to research use) and findings findings of workflow workflowID
// holding reportsPer reports of each trial, spread over the findings, with
// multi-row inserts in one transaction. Every fifth finding has a product
// owner's title, every seventh was marked fixed, every eleventh report is a
// safety concern.
func seedReports(tb testing.TB, s *Store, workflowID, release int64, trials, findings, reportsPer int) {
	tb.Helper()
	t0 := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	err := s.write.Transaction(func(tx *gorm.DB) error {
		users := make([]userRow, trials)
		for i := range users {
			email := fmt.Sprintf("seeded%d@example.nhs.uk", i)
			users[i] = userRow{Email: email, EmailLower: email, Name: "C", PasswordHash: "x", CreatedAt: t0, UpdatedAt: t0}
		}
		if err := tx.CreateInBatches(&users, 500).Error; err != nil {
			return err
		}
		rows := make([]trialRow, trials)
		for i := range rows {
			rows[i] = trialRow{ReleaseID: release, UserID: users[i].ID, ConsentVersion: 1, ResearchUse: i%3 != 0, ConsentedAt: t0}
		}
		if err := tx.CreateInBatches(&rows, 500).Error; err != nil {
			return err
		}
		found := make([]findingRow, findings)
		for i := range found {
			f := findingRow{WorkflowID: workflowID, Status: "new", CreatedAt: t0, UpdatedAt: t0}
			if i%5 == 0 {
				f.Title = fmt.Sprintf("Finding %d as the product owner names it", i)
			}
			if i%7 == 0 {
				fixed := t0.Add(-time.Hour)
				f.Status, f.FixedAt = "fixed", &fixed
			}
			found[i] = f
		}
		if err := tx.CreateInBatches(&found, 500).Error; err != nil {
			return err
		}
		reports := make([]reportRow, 0, trials*reportsPer)
		for i := range trials * reportsPer {
			reports = append(reports, reportRow{TrialID: rows[i/reportsPer].ID, TaskKey: "t0", Screen: "a", X: i % 100, Y: i % 97,
				Category: []string{"layout", "content", "navigation"}[i%3], Severity: 1 + i%4, SafetyConcern: i%11 == 0,
				Text:      fmt.Sprintf("Report %d: the allergy banner covers the dose field on the drug chart. It happens every time I open it.", i),
				CreatedAt: t0.Add(time.Duration(i) * time.Second), FindingID: found[(i*7)%findings].ID})
		}
		return tx.CreateInBatches(&reports, 500).Error
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkReleaseFigures reads the figures of a release of 1,000 trials
// holding 15,000 reports in 200 findings, as GET
// /api/v1/releases/{id}/report does, for everyone and for research use
// only.
//
//	go test -run XXX -bench ReleaseFigures -benchtime 20x ./internal/store
func BenchmarkReleaseFigures(b *testing.B) {
	s := openForTest(b)
	g := generate(b, s, 0, 2, 0)
	var workflowID int64
	if err := s.read.Raw(`SELECT workflow_id FROM releases WHERE id = ?`, g.release).Scan(&workflowID).Error; err != nil {
		b.Fatal(err)
	}
	seedReports(b, s, workflowID, g.release, 1000, 200, 15)
	ctx := context.Background()
	for _, researchOnly := range []bool{false, true} {
		b.Run(fmt.Sprintf("researchOnly=%v", researchOnly), func(b *testing.B) {
			for b.Loop() {
				f, err := s.ReleaseFigures(ctx, g.release, researchOnly)
				if err != nil {
					b.Fatal(err)
				}
				if len(f.Findings) != 200 {
					b.Fatalf("%d findings, want 200", len(f.Findings))
				}
			}
		})
	}
}
