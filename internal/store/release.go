package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

type releaseRow struct {
	ID          int64
	WorkflowID  int64
	Version     string
	Notes       string
	Baseline    bool
	Status      string
	CreatedAt   time.Time
	PublishedAt *time.Time
	ClosedAt    *time.Time
}

func (releaseRow) TableName() string { return "releases" }

type screenRow struct {
	ID          int64
	ReleaseID   int64
	Key         string
	Title       string
	Position    int
	ContentType string
	Width       int
	Height      int
	Image       []byte
	ImageHash   string
}

func (screenRow) TableName() string { return "screens" }

type hotspotRow struct {
	ID       int64
	ScreenID int64
	Position int
	X, Y     int
	W, H     int
	Target   string
	Label    string
}

func (hotspotRow) TableName() string { return "hotspots" }

type taskRow struct {
	ID             int64
	ReleaseID      int64
	Key            string
	Title          string
	Scenario       string
	StartKey       string
	SuccessKeys    string // JSON array of screen keys
	OptimalPath    string // JSON array of screen keys
	DailyFrequency float64
	Position       int
}

func (taskRow) TableName() string { return "tasks" }

// Images maps screen keys to their checked images.
type Images = map[string]*sandpit.CheckedImage

// CreateRelease stores a new draft release of workflow id from a validated
// definition whose screens' images are in images, in one transaction. A
// version label the workflow has already is ECONFLICT.
func (s *Store) CreateRelease(ctx context.Context, workflowID int64, def sandpit.Definition, images Images) (int64, error) {
	row := releaseRow{WorkflowID: workflowID, Version: def.Version, Notes: def.Notes, Baseline: def.Baseline,
		Status: string(sandpit.StatusDraft), CreatedAt: s.Now()}
	err := s.transact(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			if isDuplicate(err) {
				return versionTaken(def.Version)
			}
			return err
		}
		return insertContent(tx, row.ID, def, images)
	})
	if err != nil {
		return 0, fmt.Errorf("store: create release: %w", err)
	}
	return row.ID, nil
}

func versionTaken(version string) error {
	return sandpit.Conflict(fmt.Sprintf("This workflow already has a release %q.", version), sandpit.Taken("version"))
}

// ReplaceDefinition replaces everything in draft release id with def, in
// one transaction; a published release is ECONFLICT.
func (s *Store) ReplaceDefinition(ctx context.Context, id int64, def sandpit.Definition, images Images) error {
	err := s.transact(ctx, func(tx *gorm.DB) error {
		if err := lockDraft(tx, s.dialect, id); err != nil {
			return err
		}
		err := tx.Model(&releaseRow{}).Where("id = ?", id).Updates(map[string]any{"version": def.Version, "notes": def.Notes, "baseline": def.Baseline}).Error
		if isDuplicate(err) {
			return versionTaken(def.Version)
		}
		if err != nil {
			return err
		}
		if err := tx.Where("release_id = ?", id).Delete(&taskRow{}).Error; err != nil {
			return err
		}
		if err := tx.Where("release_id = ?", id).Delete(&screenRow{}).Error; err != nil {
			return err
		}
		return insertContent(tx, id, def, images)
	})
	if err != nil {
		return fmt.Errorf("store: replace release %d: %w", id, err)
	}
	return nil
}

// lockDraft holds release id for the rest of the transaction and refuses
// unless it is a draft.
func lockDraft(tx *gorm.DB, dialect string, id int64) error {
	q := "SELECT status FROM releases WHERE id = ?"
	if dialect == Postgres {
		q += " FOR UPDATE"
	}
	var status []string
	if err := tx.Raw(q, id).Scan(&status).Error; err != nil {
		return err
	}
	switch {
	case len(status) == 0:
		return sandpit.Errorf(sandpit.ENOTFOUND, "Release not found.")
	case status[0] != string(sandpit.StatusDraft):
		return errPublished
	}
	return nil
}

var errPublished = sandpit.Errorf(sandpit.ECONFLICT, "This release is published and can no longer change. Start a new release to make changes.")

// insertContent adds def's screens, hotspots and tasks to release id.
func insertContent(tx *gorm.DB, id int64, def sandpit.Definition, images Images) error {
	for i, sc := range def.Screens {
		img := images[sc.Key]
		if img == nil {
			return fmt.Errorf("no image for screen %q", sc.Key)
		}
		row := newScreenRow(id, sc.Key, sc.Title, i, img)
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		if err := insertHotspots(tx, row.ID, sc.Hotspots); err != nil {
			return err
		}
	}
	for i, t := range def.Tasks {
		row := newTaskRow(id, t, i)
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
	}
	return nil
}

func newScreenRow(releaseID int64, key, title string, position int, img *sandpit.CheckedImage) screenRow {
	sum := sha256.Sum256(img.Data)
	return screenRow{ReleaseID: releaseID, Key: key, Title: strings.TrimSpace(title), Position: position, ContentType: img.ContentType,
		Width: img.Width, Height: img.Height, Image: img.Data, ImageHash: hex.EncodeToString(sum[:])}
}

func insertHotspots(tx *gorm.DB, screenID int64, hs []sandpit.Hotspot) error {
	for j, h := range hs {
		if err := tx.Create(&hotspotRow{ScreenID: screenID, Position: j, X: h.X, Y: h.Y, W: h.W, H: h.H, Target: h.Target, Label: h.Label}).Error; err != nil {
			return err
		}
	}
	return nil
}

func newTaskRow(releaseID int64, t sandpit.Task, position int) taskRow {
	success, _ := json.Marshal(nonNil(t.Success))
	path, _ := json.Marshal(nonNil(t.OptimalPath))
	return taskRow{ReleaseID: releaseID, Key: t.Key, Title: strings.TrimSpace(t.Title), Scenario: t.Scenario, StartKey: t.Start,
		SuccessKeys: string(success), OptimalPath: string(path), DailyFrequency: t.DailyFrequency, Position: position}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// ReleaseMeta is what permission checks need of a release.
type ReleaseMeta struct {
	ID         int64
	WorkflowID int64
	TeamID     int64
	Status     sandpit.ReleaseStatus
}

// ReleaseMeta returns release id's workflow, team and status.
func (s *Store) ReleaseMeta(ctx context.Context, id int64) (*ReleaseMeta, error) {
	return s.ReleaseMetaIn(ctx, id, everything)
}

// ReleaseMetaIn returns release id's workflow, team and status, if the
// release is within scope: ENOTFOUND otherwise, as if it did not exist.
func (s *Store) ReleaseMetaIn(ctx context.Context, id int64, scope Scope) (*ReleaseMeta, error) {
	cond, args := scope.condition("w.team_id", "r.status")
	var m []ReleaseMeta
	err := s.read.WithContext(ctx).Raw(`SELECT r.id, r.workflow_id, w.team_id, r.status FROM releases r
		JOIN workflows w ON w.id = r.workflow_id WHERE r.id = ? AND `+cond, append([]any{id}, args...)...).Scan(&m).Error
	if err != nil {
		return nil, fmt.Errorf("store: release %d: %w", id, err)
	}
	if len(m) == 0 {
		return nil, sandpit.Errorf(sandpit.ENOTFOUND, "Release not found.")
	}
	return &m[0], nil
}

// Release returns release id with its screens (without image bytes),
// hotspots and tasks.
func (s *Store) Release(ctx context.Context, id int64) (*sandpit.Release, error) {
	db := s.read.WithContext(ctx)
	var row releaseRow
	if err := db.Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, fmt.Errorf("store: release %d: %w", id, notFound(err, "Release"))
	}
	meta, err := s.ReleaseMeta(ctx, id)
	if err != nil {
		return nil, err
	}
	r := &sandpit.Release{ID: row.ID, WorkflowID: row.WorkflowID, TeamID: meta.TeamID, Status: sandpit.ReleaseStatus(row.Status),
		CreatedAt: row.CreatedAt, PublishedAt: row.PublishedAt, ClosedAt: row.ClosedAt,
		Definition: sandpit.Definition{Version: row.Version, Notes: row.Notes, Baseline: row.Baseline, Screens: []sandpit.Screen{}, Tasks: []sandpit.Task{}}}
	var screens []screenRow
	if err := db.Select("id, key, title, position, content_type, width, height, image_hash").Where("release_id = ?", id).Order("position, id").Find(&screens).Error; err != nil {
		return nil, fmt.Errorf("store: screens of %d: %w", id, err)
	}
	var hotspots []hotspotRow
	err = db.Raw(`SELECT h.* FROM hotspots h JOIN screens sc ON sc.id = h.screen_id WHERE sc.release_id = ? ORDER BY h.screen_id, h.position, h.id`, id).Scan(&hotspots).Error
	if err != nil {
		return nil, fmt.Errorf("store: hotspots of %d: %w", id, err)
	}
	for _, sc := range screens {
		screen := sandpit.Screen{ID: sc.ID, Key: sc.Key, Title: sc.Title, Width: sc.Width, Height: sc.Height, Hotspots: []sandpit.Hotspot{}}
		for _, h := range hotspots {
			if h.ScreenID == sc.ID {
				screen.Hotspots = append(screen.Hotspots, sandpit.Hotspot{X: h.X, Y: h.Y, W: h.W, H: h.H, Target: h.Target, Label: h.Label})
			}
		}
		r.Screens = append(r.Screens, screen)
	}
	var tasks []taskRow
	if err := db.Where("release_id = ?", id).Order("position, id").Find(&tasks).Error; err != nil {
		return nil, fmt.Errorf("store: tasks of %d: %w", id, err)
	}
	for _, t := range tasks {
		task := sandpit.Task{Key: t.Key, Title: t.Title, Scenario: t.Scenario, Start: t.StartKey, DailyFrequency: t.DailyFrequency}
		if err := json.Unmarshal([]byte(t.SuccessKeys), &task.Success); err != nil {
			return nil, fmt.Errorf("store: task %d success keys: %w", t.ID, err)
		}
		if err := json.Unmarshal([]byte(t.OptimalPath), &task.OptimalPath); err != nil {
			return nil, fmt.Errorf("store: task %d path: %w", t.ID, err)
		}
		r.Tasks = append(r.Tasks, task)
	}
	return r, nil
}

// Definition returns release id's whole definition, images included as
// data URIs, for export.
func (s *Store) Definition(ctx context.Context, id int64) (*sandpit.Definition, error) {
	r, err := s.Release(ctx, id)
	if err != nil {
		return nil, err
	}
	def := r.Definition
	for i := range def.Screens {
		img, err := s.ScreenImage(ctx, def.Screens[i].ID)
		if err != nil {
			return nil, err
		}
		def.Screens[i].Image = sandpit.DataURI(img.ContentType, img.Data)
	}
	return &def, nil
}

// ScreenImage is a screen's image with what serving it needs.
type ScreenImage struct {
	ScreenID    int64
	ReleaseID   int64
	ContentType string
	Data        []byte
	Hash        string
}

// ScreenImage returns screen id's image.
func (s *Store) ScreenImage(ctx context.Context, id int64) (*ScreenImage, error) {
	var row screenRow
	if err := s.read.WithContext(ctx).Select("id, release_id, content_type, image, image_hash").Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, fmt.Errorf("store: screen %d: %w", id, notFound(err, "Screen"))
	}
	return &ScreenImage{ScreenID: row.ID, ReleaseID: row.ReleaseID, ContentType: row.ContentType, Data: row.Image, Hash: row.ImageHash}, nil
}

// ScreenHasSafetyConcern reports whether a report flagged as a safety
// concern is pinned to screen id.
func (s *Store) ScreenHasSafetyConcern(ctx context.Context, id int64) (bool, error) {
	var n int64
	err := s.read.WithContext(ctx).Raw(`SELECT COUNT(*) FROM reports r JOIN trials t ON t.id = r.trial_id JOIN screens sc ON sc.release_id = t.release_id AND sc.key = r.screen
		WHERE sc.id = ? AND r.safety_concern`, id).Scan(&n).Error
	if err != nil {
		return false, fmt.Errorf("store: safety concerns on screen %d: %w", id, err)
	}
	return n > 0, nil
}

// SetReleaseStatus moves release id from one status to another, stamping
// the time, recording entry; a release not in from is ECONFLICT.
func (s *Store) SetReleaseStatus(ctx context.Context, id int64, from, to sandpit.ReleaseStatus, entry sandpit.AuditEntry) error {
	values := map[string]any{"status": string(to)}
	switch to {
	case sandpit.StatusOpen:
		values["published_at"] = s.Now()
	case sandpit.StatusClosed:
		values["closed_at"] = s.Now()
	}
	err := s.transact(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&releaseRow{}).Where("id = ? AND status = ?", id, string(from)).Updates(values)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return sandpit.Errorf(sandpit.ECONFLICT, "Only a %s release can become %s.", from, to)
		}
		entry.Detail = fmt.Sprintf("release %d", id)
		return s.audit(tx, entry)
	})
	if err != nil {
		return fmt.Errorf("store: release %d to %s: %w", id, to, err)
	}
	return nil
}

// CopyRelease starts a new draft of release from's workflow labelled
// version, with copies of from's screens, hotspots and tasks.
func (s *Store) CopyRelease(ctx context.Context, from int64, version, notes string) (int64, error) {
	src, err := s.Release(ctx, from)
	if err != nil {
		return 0, err
	}
	var newID int64
	err = s.transact(ctx, func(tx *gorm.DB) error {
		row := releaseRow{WorkflowID: src.WorkflowID, Version: version, Notes: notes, Status: string(sandpit.StatusDraft), CreatedAt: s.Now()}
		if err := tx.Create(&row).Error; err != nil {
			if isDuplicate(err) {
				return versionTaken(version)
			}
			return err
		}
		newID = row.ID
		for _, sc := range src.Screens {
			var old screenRow
			if err := tx.Where("id = ?", sc.ID).Take(&old).Error; err != nil {
				return err
			}
			old.ID, old.ReleaseID = 0, newID
			if err := tx.Create(&old).Error; err != nil {
				return err
			}
			if err := insertHotspots(tx, old.ID, sc.Hotspots); err != nil {
				return err
			}
		}
		for i, t := range src.Tasks {
			row := newTaskRow(newID, t, i)
			if err := tx.Create(&row).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: copy release %d: %w", from, err)
	}
	return newID, nil
}

// LatestRelease returns the id of workflow id's newest release, or 0.
func (s *Store) LatestRelease(ctx context.Context, workflowID int64) (int64, error) {
	var ids []int64
	if err := s.read.WithContext(ctx).Model(&releaseRow{}).Where("workflow_id = ?", workflowID).Order("id DESC").Limit(1).Pluck("id", &ids).Error; err != nil {
		return 0, fmt.Errorf("store: latest release of %d: %w", workflowID, err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	return ids[0], nil
}

// AddScreen appends a screen to draft release id.
func (s *Store) AddScreen(ctx context.Context, id int64, key, title string, img *sandpit.CheckedImage) error {
	err := s.transact(ctx, func(tx *gorm.DB) error {
		if err := lockDraft(tx, s.dialect, id); err != nil {
			return err
		}
		var n int64
		if err := tx.Model(&screenRow{}).Where("release_id = ?", id).Count(&n).Error; err != nil {
			return err
		}
		if n >= sandpit.MaxScreens {
			return sandpit.Invalid("This release has as many screens as it may.", sandpit.TooMany("image", sandpit.MaxScreens))
		}
		row := newScreenRow(id, key, title, int(n), img)
		if err := tx.Create(&row).Error; err != nil {
			if isDuplicate(err) {
				return sandpit.Invalid("Another screen has this key.", sandpit.Taken("key"))
			}
			return err
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: add screen to %d: %w", id, err)
	}
	return nil
}

// UpdateScreen renames screen key of draft release id and, when img is not
// nil, replaces its image.
func (s *Store) UpdateScreen(ctx context.Context, id int64, key, title string, img *sandpit.CheckedImage) error {
	err := s.transact(ctx, func(tx *gorm.DB) error {
		if err := lockDraft(tx, s.dialect, id); err != nil {
			return err
		}
		values := map[string]any{"title": strings.TrimSpace(title)}
		if img != nil {
			row := newScreenRow(id, key, title, 0, img)
			values["content_type"], values["width"], values["height"] = row.ContentType, row.Width, row.Height
			values["image"], values["image_hash"] = row.Image, row.ImageHash
		}
		res := tx.Model(&screenRow{}).Where("release_id = ? AND key = ?", id, key).Updates(values)
		if res.Error == nil && res.RowsAffected == 0 {
			return sandpit.Errorf(sandpit.ENOTFOUND, "Screen not found.")
		}
		return res.Error
	})
	if err != nil {
		return fmt.Errorf("store: update screen %s of %d: %w", key, id, err)
	}
	return nil
}

// MoveScreen moves screen key of draft release id one place earlier (-1) or
// later (+1).
func (s *Store) MoveScreen(ctx context.Context, id int64, key string, delta int) error {
	err := s.transact(ctx, func(tx *gorm.DB) error {
		if err := lockDraft(tx, s.dialect, id); err != nil {
			return err
		}
		var keys []string
		if err := tx.Model(&screenRow{}).Where("release_id = ?", id).Order("position, id").Pluck("key", &keys).Error; err != nil {
			return err
		}
		i := slices.Index(keys, key)
		if i < 0 {
			return sandpit.Errorf(sandpit.ENOTFOUND, "Screen not found.")
		}
		j := i + delta
		if j < 0 || j >= len(keys) {
			return nil
		}
		keys[i], keys[j] = keys[j], keys[i]
		for pos, k := range keys {
			if err := tx.Model(&screenRow{}).Where("release_id = ? AND key = ?", id, k).Update("position", pos).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: move screen %s of %d: %w", key, id, err)
	}
	return nil
}

// DeleteScreen removes screen key from draft release id, unless hotspots
// or tasks use it: then it is ECONFLICT naming every user.
func (s *Store) DeleteScreen(ctx context.Context, id int64, key string) error {
	err := s.transact(ctx, func(tx *gorm.DB) error {
		if err := lockDraft(tx, s.dialect, id); err != nil {
			return err
		}
		r, err := s.releaseIn(tx, id)
		if err != nil {
			return err
		}
		if users := screenUsers(&r.Definition, key); len(users) > 0 {
			return sandpit.Errorf(sandpit.ECONFLICT, "This screen is used by %s. Change those first.", strings.Join(users, "; "))
		}
		res := tx.Where("release_id = ? AND key = ?", id, key).Delete(&screenRow{})
		if res.Error == nil && res.RowsAffected == 0 {
			return sandpit.Errorf(sandpit.ENOTFOUND, "Screen not found.")
		}
		return res.Error
	})
	if err != nil {
		return fmt.Errorf("store: delete screen %s of %d: %w", key, id, err)
	}
	return nil
}

// screenUsers names the hotspots and tasks of def that use screen key.
func screenUsers(def *sandpit.Definition, key string) []string {
	var users []string
	for _, sc := range def.Screens {
		for i, h := range sc.Hotspots {
			if h.Target == key && sc.Key != key {
				users = append(users, fmt.Sprintf("hotspot %d on screen %q", i+1, sc.Title))
			}
		}
	}
	for _, t := range def.Tasks {
		if t.Start == key || slices.Contains(t.Success, key) || slices.Contains(t.OptimalPath, key) {
			users = append(users, fmt.Sprintf("task %q", t.Title))
		}
	}
	return users
}

// releaseIn reads release id inside tx, without images.
func (s *Store) releaseIn(tx *gorm.DB, id int64) (*sandpit.Release, error) {
	inner := &Store{dialect: s.dialect, write: tx, read: tx, now: s.now}
	return inner.Release(tx.Statement.Context, id)
}

// SetHotspots replaces the hotspots of screen key of draft release id.
func (s *Store) SetHotspots(ctx context.Context, id int64, key string, hs []sandpit.Hotspot, entry sandpit.AuditEntry) error {
	err := s.transact(ctx, func(tx *gorm.DB) error {
		if err := lockDraft(tx, s.dialect, id); err != nil {
			return err
		}
		var sc screenRow
		if err := tx.Select("id").Where("release_id = ? AND key = ?", id, key).Take(&sc).Error; err != nil {
			return notFound(err, "Screen")
		}
		if err := tx.Where("screen_id = ?", sc.ID).Delete(&hotspotRow{}).Error; err != nil {
			return err
		}
		if err := insertHotspots(tx, sc.ID, hs); err != nil {
			return err
		}
		return s.audit(tx, entry)
	})
	if err != nil {
		return fmt.Errorf("store: set hotspots of %s in %d: %w", key, id, err)
	}
	return nil
}

// SaveTask stores task in draft release id, replacing the task called
// replacing when it is not empty.
func (s *Store) SaveTask(ctx context.Context, id int64, replacing string, task sandpit.Task) error {
	err := s.transact(ctx, func(tx *gorm.DB) error {
		if err := lockDraft(tx, s.dialect, id); err != nil {
			return err
		}
		position := -1
		if replacing != "" {
			var old taskRow
			if err := tx.Where("release_id = ? AND key = ?", id, replacing).Take(&old).Error; err != nil {
				return notFound(err, "Task")
			}
			position = old.Position
			if err := tx.Delete(&old).Error; err != nil {
				return err
			}
		} else {
			var n int64
			if err := tx.Model(&taskRow{}).Where("release_id = ?", id).Count(&n).Error; err != nil {
				return err
			}
			if n >= sandpit.MaxTasks {
				return sandpit.Invalid("This release has as many tasks as it may.", sandpit.TooMany("key", sandpit.MaxTasks))
			}
			position = int(n)
		}
		row := newTaskRow(id, task, position)
		if err := tx.Create(&row).Error; err != nil {
			if isDuplicate(err) {
				return sandpit.Invalid("Another task has this key.", sandpit.Taken("key"))
			}
			return err
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: save task %s in %d: %w", task.Key, id, err)
	}
	return nil
}

// DeleteTask removes task key from draft release id.
func (s *Store) DeleteTask(ctx context.Context, id int64, key string) error {
	err := s.transact(ctx, func(tx *gorm.DB) error {
		if err := lockDraft(tx, s.dialect, id); err != nil {
			return err
		}
		res := tx.Where("release_id = ? AND key = ?", id, key).Delete(&taskRow{})
		if res.Error == nil && res.RowsAffected == 0 {
			return sandpit.Errorf(sandpit.ENOTFOUND, "Task not found.")
		}
		return res.Error
	})
	if err != nil {
		return fmt.Errorf("store: delete task %s of %d: %w", key, id, err)
	}
	return nil
}

// UpdateReleaseDetails changes draft release id's version label, notes and
// baseline flag.
func (s *Store) UpdateReleaseDetails(ctx context.Context, id int64, version, notes string, baseline bool) error {
	err := s.transact(ctx, func(tx *gorm.DB) error {
		if err := lockDraft(tx, s.dialect, id); err != nil {
			return err
		}
		err := tx.Model(&releaseRow{}).Where("id = ?", id).Updates(map[string]any{"version": version, "notes": notes, "baseline": baseline}).Error
		if isDuplicate(err) {
			return versionTaken(version)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("store: update release %d: %w", id, err)
	}
	return nil
}

// LatestReleases returns the newest release of each of the workflows
// listed, by workflow id; a workflow without releases is absent.
func (s *Store) LatestReleases(ctx context.Context, workflowIDs []int64) (map[int64]sandpit.ReleaseSummary, error) {
	out := map[int64]sandpit.ReleaseSummary{}
	if len(workflowIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		WorkflowID int64
		sandpit.ReleaseSummary
	}
	err := s.read.WithContext(ctx).Raw(`SELECT r.workflow_id, r.id, r.version, r.baseline, r.status, r.created_at, r.published_at
		FROM releases r WHERE r.id IN (SELECT MAX(id) FROM releases WHERE workflow_id IN ? GROUP BY workflow_id)`, workflowIDs).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: latest releases: %w", err)
	}
	for _, r := range rows {
		out[r.WorkflowID] = r.ReleaseSummary
	}
	return out, nil
}
