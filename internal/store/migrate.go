package store

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// migration is one schema change, written once for both dialects: {{id}},
// {{time}}, {{blob}} and {{real}} stand for the column types that differ,
// {{strpos}} for the function finding a string in another, and
// {{on_sqlite}} for a condition true on SQLite only.
type migration struct {
	version    string
	statements []string
}

// migrations is every schema change Sandpit has made, oldest first. Append
// only: an applied migration never changes.
var migrations = []migration{
	{"0001_settings", []string{
		`CREATE TABLE settings (
			key        TEXT PRIMARY KEY,
			value      TEXT NOT NULL,
			created_at {{time}} NOT NULL
		)`,
	}},
	{"0002_identity", []string{
		`CREATE TABLE users (
			id                 {{id}},
			email              TEXT NOT NULL,
			email_lower        TEXT NOT NULL UNIQUE,
			name               TEXT NOT NULL,
			password_hash      TEXT NOT NULL,
			profession         TEXT,
			setting            TEXT,
			years_experience   INTEGER,
			legacy_familiarity INTEGER,
			session_epoch      BIGINT NOT NULL DEFAULT 0,
			disabled_at        {{time}},
			created_at         {{time}} NOT NULL,
			updated_at         {{time}} NOT NULL
		)`,
		`CREATE TABLE user_roles (
			user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
			role       TEXT NOT NULL,
			created_at {{time}} NOT NULL,
			PRIMARY KEY (user_id, role)
		)`,
		`CREATE TABLE teams (
			id         {{id}},
			name       TEXT NOT NULL,
			name_lower TEXT NOT NULL UNIQUE,
			created_at {{time}} NOT NULL
		)`,
		`CREATE TABLE team_members (
			team_id    BIGINT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
			user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
			role       TEXT NOT NULL,
			created_at {{time}} NOT NULL,
			PRIMARY KEY (team_id, user_id, role)
		)`,
		`CREATE INDEX team_members_user ON team_members (user_id)`,
		`CREATE TABLE api_tokens (
			id           {{id}},
			user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
			label        TEXT NOT NULL,
			token_hash   TEXT NOT NULL UNIQUE,
			created_at   {{time}} NOT NULL,
			last_used_at {{time}},
			revoked_at   {{time}}
		)`,
		`CREATE INDEX api_tokens_user ON api_tokens (user_id)`,
		`CREATE TABLE audit_events (
			id         {{id}},
			created_at {{time}} NOT NULL,
			actor_id   BIGINT REFERENCES users (id) ON DELETE SET NULL,
			action     TEXT NOT NULL,
			subject_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
			team_id    BIGINT REFERENCES teams (id) ON DELETE SET NULL,
			ip         TEXT NOT NULL DEFAULT '',
			detail     TEXT NOT NULL DEFAULT ''
		)`,
		`CREATE INDEX audit_events_actor ON audit_events (actor_id, id)`,
		`CREATE INDEX audit_events_subject ON audit_events (subject_id, id)`,
		`CREATE INDEX audit_events_action ON audit_events (action, id)`,
		`CREATE TABLE rate_events (
			id         {{id}},
			kind       TEXT NOT NULL,
			key        TEXT NOT NULL,
			created_at {{time}} NOT NULL
		)`,
		`CREATE INDEX rate_events_lookup ON rate_events (kind, key, created_at)`,
	}},
	{"0003_idempotency", []string{
		`CREATE TABLE idempotency_keys (
			caller       TEXT NOT NULL,
			key          TEXT NOT NULL,
			request_hash TEXT NOT NULL,
			status       INTEGER NOT NULL DEFAULT 0,
			content_type TEXT NOT NULL DEFAULT '',
			body         {{blob}},
			created_at   {{time}} NOT NULL,
			PRIMARY KEY (caller, key)
		)`,
		`CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at)`,
	}},
	{"0004_authoring", []string{
		`CREATE TABLE workflows (
			id          {{id}},
			team_id     BIGINT NOT NULL REFERENCES teams (id),
			title       TEXT NOT NULL,
			description TEXT NOT NULL DEFAULT '',
			created_at  {{time}} NOT NULL,
			updated_at  {{time}} NOT NULL
		)`,
		`CREATE INDEX workflows_team ON workflows (team_id)`,
		`CREATE TABLE consent_versions (
			id          {{id}},
			workflow_id BIGINT NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
			version     INTEGER NOT NULL,
			text        TEXT NOT NULL,
			created_at  {{time}} NOT NULL,
			UNIQUE (workflow_id, version)
		)`,
		`CREATE TABLE releases (
			id           {{id}},
			workflow_id  BIGINT NOT NULL REFERENCES workflows (id),
			version      TEXT NOT NULL,
			notes        TEXT NOT NULL DEFAULT '',
			baseline     BOOLEAN NOT NULL DEFAULT FALSE,
			status       TEXT NOT NULL DEFAULT 'draft',
			created_at   {{time}} NOT NULL,
			published_at {{time}},
			closed_at    {{time}},
			UNIQUE (workflow_id, version)
		)`,
		`CREATE TABLE screens (
			id           {{id}},
			release_id   BIGINT NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
			key          TEXT NOT NULL,
			title        TEXT NOT NULL,
			position     INTEGER NOT NULL,
			content_type TEXT NOT NULL,
			width        INTEGER NOT NULL,
			height       INTEGER NOT NULL,
			image        {{blob}} NOT NULL,
			image_hash   TEXT NOT NULL,
			UNIQUE (release_id, key)
		)`,
		`CREATE TABLE hotspots (
			id        {{id}},
			screen_id BIGINT NOT NULL REFERENCES screens (id) ON DELETE CASCADE,
			position  INTEGER NOT NULL,
			x         INTEGER NOT NULL,
			y         INTEGER NOT NULL,
			w         INTEGER NOT NULL,
			h         INTEGER NOT NULL,
			target    TEXT NOT NULL,
			label     TEXT NOT NULL DEFAULT ''
		)`,
		`CREATE INDEX hotspots_screen ON hotspots (screen_id, position)`,
		`CREATE TABLE tasks (
			id              {{id}},
			release_id      BIGINT NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
			key             TEXT NOT NULL,
			title           TEXT NOT NULL,
			scenario        TEXT NOT NULL DEFAULT '',
			start_key       TEXT NOT NULL,
			success_keys    TEXT NOT NULL,
			optimal_path    TEXT NOT NULL,
			daily_frequency {{real}} NOT NULL DEFAULT 0,
			position        INTEGER NOT NULL,
			UNIQUE (release_id, key)
		)`,
	}},
	{"0005_trials", []string{
		`CREATE TABLE trials (
			id              {{id}},
			release_id      BIGINT NOT NULL REFERENCES releases (id),
			user_id         BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
			consent_version INTEGER NOT NULL,
			research_use    BOOLEAN NOT NULL,
			consented_at    {{time}} NOT NULL,
			completed_at    {{time}},
			sus             TEXT,
			sus_score       {{real}},
			UNIQUE (release_id, user_id)
		)`,
		`CREATE INDEX trials_user ON trials (user_id)`,
		`CREATE TABLE attempts (
			id             {{id}},
			trial_id       BIGINT NOT NULL REFERENCES trials (id) ON DELETE CASCADE,
			task_key       TEXT NOT NULL,
			started_at     {{time}} NOT NULL,
			screen         TEXT NOT NULL,
			path           TEXT NOT NULL,
			last_seq       INTEGER NOT NULL DEFAULT 0,
			clicks         INTEGER NOT NULL DEFAULT 0,
			misclicks      INTEGER NOT NULL DEFAULT 0,
			interruptions  INTEGER NOT NULL DEFAULT 0,
			paused_at      {{time}},
			paused_ms      BIGINT NOT NULL DEFAULT 0,
			last_active_at {{time}} NOT NULL,
			outcome        TEXT NOT NULL DEFAULT '',
			ended_at       {{time}},
			duration_ms    BIGINT,
			ease           INTEGER,
			comment        TEXT NOT NULL DEFAULT '',
			UNIQUE (trial_id, task_key)
		)`,
		`CREATE TABLE clicks (
			attempt_id BIGINT NOT NULL REFERENCES attempts (id) ON DELETE CASCADE,
			seq        INTEGER NOT NULL,
			screen     TEXT NOT NULL,
			x          INTEGER NOT NULL,
			y          INTEGER NOT NULL,
			hit        BOOLEAN NOT NULL,
			target     TEXT NOT NULL DEFAULT '',
			at         {{time}} NOT NULL,
			t_ms       BIGINT NOT NULL,
			PRIMARY KEY (attempt_id, seq)
		)`,
		`CREATE TABLE findings (
			id          {{id}},
			workflow_id BIGINT NOT NULL REFERENCES workflows (id),
			title       TEXT NOT NULL DEFAULT '',
			severity    INTEGER,
			status      TEXT NOT NULL DEFAULT 'new',
			response    TEXT NOT NULL DEFAULT '',
			created_at  {{time}} NOT NULL,
			updated_at  {{time}} NOT NULL,
			fixed_at    {{time}}
		)`,
		`CREATE INDEX findings_workflow ON findings (workflow_id)`,
		`CREATE TABLE reports (
			id             {{id}},
			trial_id       BIGINT NOT NULL REFERENCES trials (id) ON DELETE CASCADE,
			task_key       TEXT NOT NULL DEFAULT '',
			screen         TEXT NOT NULL,
			x              INTEGER NOT NULL,
			y              INTEGER NOT NULL,
			category       TEXT NOT NULL,
			severity       INTEGER NOT NULL,
			safety_concern BOOLEAN NOT NULL,
			text           TEXT NOT NULL,
			created_at     {{time}} NOT NULL,
			finding_id     BIGINT NOT NULL REFERENCES findings (id)
		)`,
		`CREATE INDEX reports_trial ON reports (trial_id)`,
		`CREATE INDEX reports_finding ON reports (finding_id)`,
	}},
	{"0006_curation", []string{
		`ALTER TABLE findings ADD COLUMN status_reason TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE reports ADD COLUMN triage TEXT NOT NULL DEFAULT 'open'`,
		`ALTER TABLE reports ADD COLUMN triage_note TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE reports ADD COLUMN triaged_at {{time}}`,
	}},
	// A click from the list of a screen's links (via "list") has no point
	// of its own and makes its attempt assisted (METRICS.md).
	{"0007_list_clicks", []string{
		`ALTER TABLE clicks ADD COLUMN via TEXT NOT NULL DEFAULT 'pointer'`,
		`ALTER TABLE attempts ADD COLUMN list_clicks INTEGER NOT NULL DEFAULT 0`,
	}},
	// An account an admin makes gets a one-time link to set its password,
	// instead of a password the admin typed (issue 14).
	{"0008_password_links", []string{
		`CREATE TABLE password_links (
			id         {{id}},
			user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
			token_hash TEXT NOT NULL UNIQUE,
			created_at {{time}} NOT NULL,
			expires_at {{time}} NOT NULL,
			used_at    {{time}}
		)`,
		`CREATE INDEX password_links_user ON password_links (user_id)`,
	}},
	// A report keeps its word set (findings.WordList), so grouping a new
	// report neither tokenises every other report again nor reads those
	// that share no word and are pinned far away (issue 16). Reports
	// stored before have none and are tokenised as before.
	{"0009_write_path", []string{
		`ALTER TABLE reports ADD COLUMN words TEXT`,
		`CREATE INDEX reports_screen_category ON reports (screen, category)`,
	}},
	// Accounts at an organisation's identity provider (NHS CIS2, Entra ID)
	// linked to users by issuer and subject, never by email (issue 17); a
	// one-time sign-in link is the admins' way in when password sign-in is
	// off and the provider is down.
	{"0010_oidc", []string{
		`CREATE TABLE external_identities (
			id         {{id}},
			user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
			provider   TEXT NOT NULL,
			issuer     TEXT NOT NULL,
			subject    TEXT NOT NULL,
			email      TEXT NOT NULL,
			created_at {{time}} NOT NULL,
			UNIQUE (issuer, subject)
		)`,
		`CREATE INDEX external_identities_user ON external_identities (user_id)`,
		`CREATE TABLE sign_in_links (
			id         {{id}},
			user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
			token_hash TEXT NOT NULL UNIQUE,
			created_at {{time}} NOT NULL,
			expires_at {{time}} NOT NULL,
			used_at    {{time}}
		)`,
	}},
	// Email (issue 18): an outbox written in the transaction of the event
	// that causes each message, invitations, recruitment targets by
	// profession, and who left which kind of email.
	{"0011_mail", []string{
		`CREATE TABLE mail_messages (
			id            {{id}},
			kind          TEXT NOT NULL,
			to_addr       TEXT NOT NULL,
			user_id       BIGINT REFERENCES users (id) ON DELETE CASCADE,
			release_id    BIGINT REFERENCES releases (id) ON DELETE CASCADE,
			trial_id      BIGINT,
			reminder_seq  INTEGER,
			created_at    {{time}} NOT NULL,
			send_after    {{time}} NOT NULL,
			claimed_until {{time}},
			tries         INTEGER NOT NULL DEFAULT 0,
			last_error    TEXT NOT NULL DEFAULT '',
			sent_at       {{time}},
			outcome       TEXT NOT NULL DEFAULT '',
			UNIQUE (trial_id, reminder_seq)
		)`,
		`CREATE INDEX mail_messages_due ON mail_messages (send_after) WHERE sent_at IS NULL`,
		`CREATE INDEX mail_messages_user ON mail_messages (user_id, kind)`,
		`CREATE TABLE mail_digest_items (
			message_id BIGINT NOT NULL REFERENCES mail_messages (id) ON DELETE CASCADE,
			report_id  BIGINT NOT NULL,
			PRIMARY KEY (message_id, report_id)
		)`,
		`CREATE TABLE mail_unsubscribes (
			email_lower TEXT NOT NULL,
			kind        TEXT NOT NULL,
			created_at  {{time}} NOT NULL,
			PRIMARY KEY (email_lower, kind)
		)`,
		`CREATE TABLE invitations (
			release_id  BIGINT NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
			email       TEXT NOT NULL,
			email_lower TEXT NOT NULL,
			invited_by  BIGINT REFERENCES users (id) ON DELETE SET NULL,
			created_at  {{time}} NOT NULL,
			PRIMARY KEY (release_id, email_lower)
		)`,
		`CREATE TABLE recruitment_targets (
			release_id BIGINT NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
			profession TEXT NOT NULL,
			target     INTEGER NOT NULL,
			PRIMARY KEY (release_id, profession)
		)`,
	}},
	// The benefits case needs how many staff do each workflow's job, with
	// where that number comes from; a team records each month's
	// show-and-tell it held (issue 19).
	{"0012_benefits", []string{
		`ALTER TABLE workflows ADD COLUMN staff_count INTEGER`,
		`ALTER TABLE workflows ADD COLUMN staff_count_source TEXT NOT NULL DEFAULT ''`,
		`CREATE TABLE show_and_tells (
			team_id     BIGINT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
			month       TEXT NOT NULL,
			held_on     TEXT NOT NULL,
			attendees   INTEGER NOT NULL,
			recorded_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
			recorded_at {{time}} NOT NULL,
			PRIMARY KEY (team_id, month)
		)`,
	}},
	// Reports at speed (issue 16): each word of a report's word set is a
	// row keyed by workflow, screen, category and word, so the reports that
	// share a new report's words are found by index rather than by reading
	// every report of its screen; pins are found by their own index; the
	// reports stored before 0009_write_path, without a word set, keep their
	// own small index. The word rows of the reports stored since 0009 are
	// made here, splitting each word list " a b c " at its spaces.
	{"0013_report_words", []string{
		`CREATE TABLE report_words (
			workflow_id BIGINT NOT NULL,
			screen      TEXT NOT NULL,
			category    TEXT NOT NULL,
			word        TEXT NOT NULL,
			report_id   BIGINT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
			PRIMARY KEY (workflow_id, screen, category, word, report_id)
		)`,
		`CREATE INDEX report_words_report ON report_words (report_id)`,
		`INSERT INTO report_words (workflow_id, screen, category, word, report_id)
		WITH RECURSIVE split (report_id, workflow_id, screen, category, word, rest) AS (
			SELECT r.id, rel.workflow_id, r.screen, r.category, CAST('' AS TEXT), ltrim(r.words)
			FROM reports r JOIN trials t ON t.id = r.trial_id JOIN releases rel ON rel.id = t.release_id
			WHERE r.words IS NOT NULL
			UNION ALL
			SELECT report_id, workflow_id, screen, category, substr(rest, 1, {{strpos}}(rest, ' ') - 1), substr(rest, {{strpos}}(rest, ' ') + 1)
			FROM split WHERE rest <> ''
		)
		SELECT workflow_id, screen, category, word, report_id FROM split WHERE word <> ''`,
		`CREATE INDEX reports_pin ON reports (screen, category, x, y)`,
		`DROP INDEX reports_screen_category`,
		`CREATE INDEX reports_without_words ON reports (screen, category) WHERE words IS NULL`,
	}},
	// Report reads that read no report rows (issue 16): a finding's
	// reports in the order of the finding rule with what it adds up, and a
	// trial's reports with their finding, each read from its index alone.
	// Both replace the single-column indexes they extend.
	{"0014_report_reads", []string{
		`DROP INDEX reports_finding`,
		`CREATE INDEX reports_finding ON reports (finding_id, created_at, id, trial_id, severity, safety_concern)`,
		`DROP INDEX reports_trial`,
		`CREATE INDEX reports_trial ON reports (trial_id, finding_id)`,
	}},
	// On SQLite the writer groups reports from an index it keeps in memory
	// (memo), so the word rows are kept on PostgreSQL only.
	{"0015_report_words_postgres", []string{
		`DELETE FROM report_words WHERE {{on_sqlite}}`,
	}},
	// The one-time links to set a password (issue 14) and to sign in
	// (issue 17) are one kind of row, told apart by what they are for.
	{"0016_one_time_links", []string{
		`CREATE TABLE one_time_links (
			id         {{id}},
			purpose    TEXT NOT NULL,
			user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
			token_hash TEXT NOT NULL UNIQUE,
			created_at {{time}} NOT NULL,
			expires_at {{time}} NOT NULL,
			used_at    {{time}}
		)`,
		`CREATE INDEX one_time_links_user ON one_time_links (user_id)`,
		`INSERT INTO one_time_links (purpose, user_id, token_hash, created_at, expires_at, used_at)
			SELECT 'password', user_id, token_hash, created_at, expires_at, used_at FROM password_links ORDER BY id`,
		`INSERT INTO one_time_links (purpose, user_id, token_hash, created_at, expires_at, used_at)
			SELECT 'sign_in', user_id, token_hash, created_at, expires_at, used_at FROM sign_in_links ORDER BY id`,
		`DROP TABLE password_links`,
		`DROP TABLE sign_in_links`,
	}},
}

// dialectTypes maps the placeholders of migrations to each dialect's types.
func dialectTypes(dialect string) *strings.Replacer {
	if dialect == Postgres {
		return strings.NewReplacer("{{id}}", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
			"{{time}}", "TIMESTAMPTZ", "{{blob}}", "BYTEA", "{{real}}", "DOUBLE PRECISION", "{{strpos}}", "strpos",
			"{{on_sqlite}}", "FALSE")
	}
	return strings.NewReplacer("{{id}}", "INTEGER PRIMARY KEY AUTOINCREMENT",
		"{{time}}", "DATETIME", "{{blob}}", "BLOB", "{{real}}", "REAL", "{{strpos}}", "instr", "{{on_sqlite}}", "TRUE")
}

// Migrate applies, in one transaction, every migration the database has not
// had yet. It is safe to run again and, on PostgreSQL, from several replicas
// starting at once: an advisory lock lets one apply while the others wait.
func (s *Store) Migrate(ctx context.Context) error { return s.migrate(ctx, migrations) }

// migrate applies those of list the database has not had yet; tests give
// it the migrations up to one, to check the next one on data.
func (s *Store) migrate(ctx context.Context, list []migration) error {
	types := dialectTypes(s.dialect)
	err := s.transact(ctx, func(tx *gorm.DB) error {
		if s.dialect == Postgres {
			// Replicas migrating one schema take turns; other schemas of the
			// same database (tests run one each, in parallel) need not wait.
			if err := tx.Exec("SELECT pg_advisory_xact_lock(hashtext('sandpit migrate ' || current_schema()))").Error; err != nil {
				return err
			}
		}
		if err := tx.Exec(types.Replace(`CREATE TABLE IF NOT EXISTS schema_migrations (
			version    TEXT PRIMARY KEY,
			applied_at {{time}} NOT NULL
		)`)).Error; err != nil {
			return err
		}
		var applied []string
		if err := tx.Raw("SELECT version FROM schema_migrations").Scan(&applied).Error; err != nil {
			return err
		}
		done := make(map[string]bool, len(applied))
		for _, v := range applied {
			done[v] = true
		}
		for _, m := range list {
			if done[m.version] {
				continue
			}
			for _, stmt := range m.statements {
				if err := tx.Exec(types.Replace(stmt)).Error; err != nil {
					return fmt.Errorf("%s: %w", m.version, err)
				}
			}
			if err := tx.Exec("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)", m.version, s.Now()).Error; err != nil {
				return fmt.Errorf("%s: %w", m.version, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	return nil
}

// AppliedMigrations lists the versions recorded in schema_migrations, in
// order.
func (s *Store) AppliedMigrations(ctx context.Context) ([]string, error) {
	var versions []string
	if err := s.read.WithContext(ctx).Raw("SELECT version FROM schema_migrations ORDER BY version").Scan(&versions).Error; err != nil {
		return nil, fmt.Errorf("store: applied migrations: %w", err)
	}
	return versions, nil
}
