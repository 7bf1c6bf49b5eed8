package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

type teamRow struct {
	ID        int64
	Name      string
	NameLower string
	CreatedAt time.Time
}

func (teamRow) TableName() string { return "teams" }

type teamMemberRow struct {
	TeamID    int64
	UserID    int64
	Role      string
	CreatedAt time.Time
}

func (teamMemberRow) TableName() string { return "team_members" }

// CreateTeam stores a team named name (unique without case), recording
// entry.
func (s *Store) CreateTeam(ctx context.Context, name string, entry sandpit.AuditEntry) (*sandpit.Team, error) {
	row := teamRow{Name: strings.TrimSpace(name), NameLower: strings.ToLower(strings.TrimSpace(name)), CreatedAt: s.Now()}
	err := s.transact(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			if isDuplicate(err) {
				return sandpit.Conflict("A team with this name already exists.", sandpit.Taken("name"))
			}
			return err
		}
		entry.TeamID = &row.ID
		entry.Detail = teamDetail(row.ID, row.Name)
		return s.audit(tx, entry)
	})
	if err != nil {
		return nil, fmt.Errorf("store: create team: %w", err)
	}
	return &sandpit.Team{ID: row.ID, Name: row.Name}, nil
}

// Team returns the team with id.
func (s *Store) Team(ctx context.Context, id int64) (*sandpit.Team, error) {
	var row teamRow
	if err := s.read.WithContext(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, fmt.Errorf("store: team %d: %w", id, notFound(err, "Team"))
	}
	return &sandpit.Team{ID: row.ID, Name: row.Name}, nil
}

// TeamByName returns the team named name, compared without case.
func (s *Store) TeamByName(ctx context.Context, name string) (*sandpit.Team, error) {
	var row teamRow
	if err := s.read.WithContext(ctx).Where("name_lower = ?", strings.ToLower(strings.TrimSpace(name))).Take(&row).Error; err != nil {
		return nil, fmt.Errorf("store: team %q: %w", name, notFound(err, "Team"))
	}
	return &sandpit.Team{ID: row.ID, Name: row.Name}, nil
}

// TeamListItem is a row of the team list.
type TeamListItem struct {
	ID          int64
	Name        string
	Members     int
	Researchers int
}

// Teams lists every team by name.
func (s *Store) Teams(ctx context.Context) ([]TeamListItem, error) {
	var items []TeamListItem
	err := s.read.WithContext(ctx).Raw(`SELECT t.id, t.name,
			(SELECT COUNT(*) FROM team_members m WHERE m.team_id = t.id AND m.role = 'product_owner') AS members,
			(SELECT COUNT(*) FROM team_members m WHERE m.team_id = t.id AND m.role = 'researcher') AS researchers
		FROM teams t ORDER BY t.name_lower`).Scan(&items).Error
	if err != nil {
		return nil, fmt.Errorf("store: teams: %w", err)
	}
	return items, nil
}

// TeamPerson is a member or researcher of a team.
type TeamPerson struct {
	UserID int64
	Email  string
	Name   string
	Role   sandpit.Role
}

// TeamPeople lists team id's members and researchers by name.
func (s *Store) TeamPeople(ctx context.Context, id int64) ([]TeamPerson, error) {
	var people []TeamPerson
	err := s.read.WithContext(ctx).Raw(`SELECT u.id AS user_id, u.email, u.name, m.role FROM team_members m
		JOIN users u ON u.id = m.user_id WHERE m.team_id = ? ORDER BY m.role, lower(u.name)`, id).Scan(&people).Error
	if err != nil {
		return nil, fmt.Errorf("store: people of team %d: %w", id, err)
	}
	return people, nil
}

// teamDetail names a team in an audit entry's detail, so the log reads
// without looking the id up (a team's name can change).
func teamDetail(id int64, name string) string {
	return fmt.Sprintf("team %q (%d)", name, id)
}

// personInTeam is the audit detail naming a person and a team.
func personInTeam(tx *gorm.DB, teamID, userID int64) (string, error) {
	var names struct {
		Team  string
		Email string
	}
	err := tx.Raw(`SELECT t.name AS team, u.email FROM teams t, users u WHERE t.id = ? AND u.id = ?`, teamID, userID).Scan(&names).Error
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s in %s", names.Email, teamDetail(teamID, names.Team)), nil
}

// AddToTeam puts user id in team as role: RoleProductOwner makes them a
// member (and a product owner), RoleResearcher grants them research access
// (and the researcher role). A role the person lacked is granted with an
// audit entry of its own (role_granted, naming the team), so making a
// clinician-only account a product owner is never silent. Adding someone
// already there is ECONFLICT.
func (s *Store) AddToTeam(ctx context.Context, teamID, userID int64, role sandpit.Role, entry sandpit.AuditEntry) error {
	err := s.transact(ctx, func(tx *gorm.DB) error {
		now := s.Now()
		if err := tx.Create(&teamMemberRow{TeamID: teamID, UserID: userID, Role: string(role), CreatedAt: now}).Error; err != nil {
			if isDuplicate(err) {
				return sandpit.Conflict("This person is in the team already.", sandpit.FieldError{Field: "email", Code: sandpit.FieldMember})
			}
			return err
		}
		detail, err := personInTeam(tx, teamID, userID)
		if err != nil {
			return err
		}
		entry.SubjectID, entry.TeamID, entry.Detail = &userID, &teamID, detail
		var n int64
		if err := tx.Model(&userRoleRow{}).Where("user_id = ? AND role = ?", userID, string(role)).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			if err := tx.Create(&userRoleRow{UserID: userID, Role: string(role), CreatedAt: now}).Error; err != nil {
				return err
			}
			granted := entry
			granted.Action, granted.Detail = sandpit.AuditRoleGranted, fmt.Sprintf("%s, with %s", role, detail)
			if err := s.audit(tx, granted); err != nil {
				return err
			}
		}
		return s.audit(tx, entry)
	})
	if err != nil {
		return fmt.Errorf("store: add %d to team %d as %s: %w", userID, teamID, role, err)
	}
	return nil
}

// RemoveFromTeam takes user userID out of team teamID as role: a product
// owner stops being a member, a researcher loses the grant. The person
// keeps their roles (an admin takes those away on the user's page).
// Someone not there as role is ENOTFOUND.
func (s *Store) RemoveFromTeam(ctx context.Context, teamID, userID int64, role sandpit.Role, entry sandpit.AuditEntry) error {
	err := s.transact(ctx, func(tx *gorm.DB) error {
		detail, err := personInTeam(tx, teamID, userID)
		if err != nil {
			return err
		}
		del := tx.Where("team_id = ? AND user_id = ? AND role = ?", teamID, userID, string(role)).Delete(&teamMemberRow{})
		if del.Error != nil {
			return del.Error
		}
		if del.RowsAffected == 0 {
			if role == sandpit.RoleResearcher {
				return sandpit.Errorf(sandpit.ENOTFOUND, "This person has no research access to the team.")
			}
			return sandpit.Errorf(sandpit.ENOTFOUND, "This person is not a product owner of the team.")
		}
		entry.SubjectID, entry.TeamID, entry.Detail = &userID, &teamID, detail
		return s.audit(tx, entry)
	})
	if err != nil {
		return fmt.Errorf("store: remove %d from team %d as %s: %w", userID, teamID, role, err)
	}
	return nil
}
