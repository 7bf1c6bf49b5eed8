package app

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/export"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// exportStore is what Exports needs of the store.
type exportStore interface {
	ReleaseMeta(ctx context.Context, id int64) (*store.ReleaseMeta, error)
	Workflow(ctx context.Context, id int64) (*sandpit.Workflow, error)
	Snapshot(ctx context.Context, fn func(*store.Store) error) error
	Audit(ctx context.Context, entry sandpit.AuditEntry) error
}

// Exports is the use cases of research exports of a release or a workflow.
type Exports struct {
	store exportStore
	cfg   Config
}

func newExports(st *store.Store, cfg Config) *Exports { return &Exports{store: st, cfg: cfg} }

// What an export covers.
const (
	ExportRelease  = "release"  // one release
	ExportWorkflow = "workflow" // every release of a workflow
)

// ExportOf names an export: of a release or of a workflow, by id.
type ExportOf struct {
	Kind string // ExportRelease or ExportWorkflow
	ID   int64
}

// ExportScope is what one export covers, once the actor may download it.
type ExportScope struct {
	Of         ExportOf
	Workflow   *sandpit.Workflow
	ReleaseIDs []int64 // oldest first
	Meta       export.Metadata
}

// Scope returns what export of covers: for the team, its researchers and
// admins (ENOTFOUND for anyone else).
func (e *Exports) Scope(ctx context.Context, a Actor, of ExportOf) (*ExportScope, error) {
	workflowID, keep := of.ID, func(sandpit.ReleaseSummary) bool { return true }
	switch of.Kind {
	case ExportRelease:
		m, err := e.store.ReleaseMeta(ctx, of.ID)
		if err != nil {
			return nil, err
		}
		if err := visible(sandpit.CanExportResearchData(a.User, m.TeamID), "Release"); err != nil {
			return nil, err
		}
		workflowID, keep = m.WorkflowID, func(r sandpit.ReleaseSummary) bool { return r.ID == of.ID }
	case ExportWorkflow:
	default:
		return nil, fmt.Errorf("app: export of %q", of.Kind)
	}
	w, err := e.store.Workflow(ctx, workflowID)
	if err != nil {
		return nil, err
	}
	if err := visible(sandpit.CanExportResearchData(a.User, w.TeamID), "Workflow"); err != nil {
		return nil, err
	}
	sc := &ExportScope{Of: of, Workflow: w, Meta: export.Metadata{Scope: of.Kind, Team: w.TeamName, Workflow: w.Title,
		GeneratedAt: e.cfg.Now().UTC().Truncate(time.Second), Sandpit: e.cfg.Version}}
	for i := len(w.Releases) - 1; i >= 0; i-- {
		r := w.Releases[i]
		if keep(r) {
			sc.ReleaseIDs = append(sc.ReleaseIDs, r.ID)
			sc.Meta.Releases = append(sc.Meta.Releases, export.Release{Version: r.Version, Baseline: r.Baseline,
				Status: string(r.Status), PublishedAt: r.PublishedAt})
		}
	}
	if len(sc.ReleaseIDs) == 0 {
		return nil, sandpit.Errorf(sandpit.ENOTFOUND, "Release not found.")
	}
	return sc, nil
}

// ExportFile is one download an export page offers, measured.
type ExportFile struct {
	Format, Table string
	Bytes         int64
	Problem       string // why this format cannot hold the data, if it cannot
}

// ExportSizes is an export's downloads and the rows of each table.
type ExportSizes struct {
	Scope   *ExportScope
	Formats []ExportFile // every format but CSV
	Tables  []ExportFile // one CSV per table
	Rows    map[string]int
}

// Sizes measures every download of export of by writing it, all from one
// snapshot, without sending or auditing it.
func (e *Exports) Sizes(ctx context.Context, a Actor, of ExportOf) (*ExportSizes, error) {
	sc, err := e.Scope(ctx, a, of)
	if err != nil {
		return nil, err
	}
	out := &ExportSizes{Scope: sc}
	err = e.store.Snapshot(ctx, func(snap *store.Store) error {
		measure := func(format, table string) (ExportFile, map[string]int, error) {
			f := ExportFile{Format: format, Table: table}
			var size countingWriter
			rows, err := export.Write(&size, format, table, sc.Meta, export.DataTables(ctx, snap, e.cfg.PseudonymKey, sc.ReleaseIDs))
			if sandpit.ErrorCode(err) == sandpit.ETOOLARGE {
				f.Problem, err = sandpit.ErrorMessage(err), nil
			}
			f.Bytes = int64(size)
			return f, rows, err
		}
		for _, format := range export.Formats() {
			if format == export.FormatCSV {
				continue
			}
			f, rows, err := measure(format, "")
			if err != nil {
				return err
			}
			out.Formats = append(out.Formats, f)
			if format == export.FormatDataPackage {
				out.Rows = rows
			}
		}
		for _, t := range export.TableNames() {
			f, _, err := measure(export.FormatCSV, t)
			if err != nil {
				return err
			}
			out.Tables = append(out.Tables, f)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Download writes export of in format (and, for CSV, table) from one
// snapshot of the database, and records it in the audit log. open is called
// once the export may go ahead, before the first byte, and returns where to
// write it. An error after writing began means the file is incomplete.
func (e *Exports) Download(ctx context.Context, a Actor, of ExportOf, format, table string, open func(*ExportScope) io.Writer) error {
	sc, err := e.Scope(ctx, a, of)
	if err != nil {
		return err
	}
	if err := export.Check(format, table); err != nil {
		return err
	}
	w := open(sc)
	var rows map[string]int
	err = e.store.Snapshot(ctx, func(snap *store.Store) error {
		var err error
		rows, err = export.Write(w, format, table, sc.Meta, export.DataTables(ctx, snap, e.cfg.PseudonymKey, sc.ReleaseIDs))
		return err
	})
	entry := a.teamEntry(sandpit.AuditExport, sc.Workflow.TeamID)
	entry.Detail = exportDetail(sc, format, table, rows, err)
	if aerr := e.store.Audit(context.WithoutCancel(ctx), entry); aerr != nil {
		return fmt.Errorf("app: audit export (%s): %w", entry.Detail, aerr)
	}
	return err
}

// exportDetail says in the audit log what an export held: its scope, format
// and the rows of each table written.
func exportDetail(sc *ExportScope, format, table string, rows map[string]int, err error) string {
	var b strings.Builder
	fmt.Fprintf(&b, "workflow %d %q", sc.Workflow.ID, sc.Workflow.Title)
	if sc.Of.Kind == ExportRelease {
		fmt.Fprintf(&b, ", release %d %q", sc.Of.ID, sc.Meta.Releases[0].Version)
	} else {
		b.WriteString(", every release")
	}
	fmt.Fprintf(&b, "; format %s", format)
	if table != "" {
		fmt.Fprintf(&b, ", table %s", table)
	}
	b.WriteString("; rows")
	for _, t := range export.TableNames() {
		if n, ok := rows[t]; ok {
			fmt.Fprintf(&b, " %s=%d", t, n)
		}
	}
	if err != nil {
		b.WriteString("; stopped before the end")
	}
	return b.String()
}

// countingWriter counts the bytes written to it.
type countingWriter int64

func (w *countingWriter) Write(p []byte) (int, error) {
	*w += countingWriter(len(p))
	return len(p), nil
}
