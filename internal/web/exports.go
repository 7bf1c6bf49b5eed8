package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/export"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// Research exports: pseudonymised, consented-only data sets of a release or
// of a whole workflow, for the team and its researchers, as a page, page
// downloads and the API.

// exportScope is what one export covers, once the caller may read it.
type exportScope struct {
	Workflow   *sandpit.Workflow
	ReleaseID  int64 // 0 for a workflow export
	ReleaseIDs []int64
	Meta       export.Metadata
	Path       string // the export page's path, which downloads extend
	Back       string // the page the export page goes back to
	BackLabel  string // the back link's words
	Title      string // the export page's heading
	FileName   string // the download's name before its extension
}

// releaseExportScope is the export of release id, if u may download it.
func releaseExportScope(s *Server, c echo.Context, u *sandpit.User, id int64) (*exportScope, error) {
	m, err := s.releaseFor(c, u, id, accessRead)
	if err != nil {
		return nil, err
	}
	sc, err := s.exportScopeOf(c, u, m.WorkflowID, func(r sandpit.ReleaseSummary) bool { return r.ID == id })
	if err != nil {
		return nil, err
	}
	sc.ReleaseID = id
	sc.Meta.Scope = "release"
	sc.Path = fmt.Sprintf("/releases/%d/export", id)
	sc.Back = fmt.Sprintf("/releases/%d", id)
	sc.BackLabel = "Back to release " + sc.Meta.Releases[0].Version
	sc.Title = fmt.Sprintf("Export research data: %s release %s", sc.Workflow.Title, sc.Meta.Releases[0].Version)
	sc.FileName = fileName("sandpit", sc.Workflow.Title, sc.Meta.Releases[0].Version, sc.Meta.GeneratedAt.Format(time.DateOnly))
	return sc, nil
}

// workflowExportScope is the export of every release of workflow id, if u
// may download it.
func workflowExportScope(s *Server, c echo.Context, u *sandpit.User, id int64) (*exportScope, error) {
	sc, err := s.exportScopeOf(c, u, id, func(sandpit.ReleaseSummary) bool { return true })
	if err != nil {
		return nil, err
	}
	sc.Meta.Scope = "workflow"
	sc.Path = fmt.Sprintf("/workflows/%d/export", id)
	sc.Back = fmt.Sprintf("/workflows/%d", id)
	sc.BackLabel = "Back to " + sc.Workflow.Title
	sc.Title = fmt.Sprintf("Export research data: %s, every release", sc.Workflow.Title)
	sc.FileName = fileName("sandpit", sc.Workflow.Title, "all-releases", sc.Meta.GeneratedAt.Format(time.DateOnly))
	return sc, nil
}

// exportScopeOf is the export of the releases of workflow id that keep
// holds, oldest first.
func (s *Server) exportScopeOf(c echo.Context, u *sandpit.User, id int64, keep func(sandpit.ReleaseSummary) bool) (*exportScope, error) {
	w, err := s.workflowFor(c, u, id, false)
	if err != nil {
		return nil, err
	}
	if err := allow(sandpit.CanExportResearchData(u, w.TeamID)); err != nil {
		return nil, err
	}
	sc := &exportScope{Workflow: w, Meta: export.Metadata{Team: w.TeamName, Workflow: w.Title,
		GeneratedAt: s.store.Now().UTC().Truncate(time.Second), Sandpit: s.cfg.Version}}
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

// fileName joins the slugs of parts with hyphens.
func fileName(parts ...string) string {
	var slugs []string
	for _, p := range parts {
		if p = slug(p); p != "" {
			slugs = append(slugs, p)
		}
	}
	return strings.Join(slugs, "-")
}

// exportContentTypes is each format's media type.
var exportContentTypes = map[string]string{
	export.FormatCSV:         "text/csv; charset=utf-8",
	export.FormatJSON:        echo.MIMEApplicationJSON,
	export.FormatXLSX:        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	export.FormatDataPackage: "application/zip",
}

// writeExport streams sc in format (and, for CSV, table) to the response,
// from one snapshot of the database, and records it in the audit log. An
// error before the first byte is answered as usual; one after it aborts the
// connection, so a truncated file is never taken for a whole one.
func (s *Server) writeExport(c echo.Context, sc *exportScope, format, table string) error {
	if err := export.Check(format, table); err != nil {
		return err
	}
	res := c.Response()
	name := sc.FileName
	if format == export.FormatCSV {
		name += "-" + table
	}
	res.Header().Set(echo.HeaderContentType, exportContentTypes[format])
	res.Header().Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s.%s"`, name, export.Extension(format)))
	res.Header().Set(echo.HeaderCacheControl, "private, no-store")
	ctx := c.Request().Context()
	var rows map[string]int
	err := s.store.Snapshot(ctx, func(snap *store.Store) error {
		var err error
		rows, err = export.Write(res, format, table, sc.Meta, export.DataTables(ctx, snap, s.cfg.PseudonymKey, sc.ReleaseIDs))
		return err
	})
	if err != nil && !res.Committed {
		res.Header().Del(echo.HeaderContentDisposition)
		return err
	}
	entry := auditEntry(c, sandpit.AuditExport)
	entry.TeamID = &sc.Workflow.TeamID
	entry.Detail = exportDetail(sc, format, table, rows, err)
	if aerr := s.store.Audit(context.WithoutCancel(ctx), entry); aerr != nil {
		s.log.Error("export not audited", "detail", entry.Detail, "err", aerr)
	}
	if err != nil {
		s.log.Error("export failed after it started", "detail", entry.Detail, "err", err)
		panic(http.ErrAbortHandler)
	}
	return nil
}

// exportDetail says in the audit log what an export held: its scope, format
// and the rows of each table written.
func exportDetail(sc *exportScope, format, table string, rows map[string]int, err error) string {
	var b strings.Builder
	fmt.Fprintf(&b, "workflow %d %q", sc.Workflow.ID, sc.Workflow.Title)
	if sc.ReleaseID != 0 {
		fmt.Fprintf(&b, ", release %d %q", sc.ReleaseID, sc.Meta.Releases[0].Version)
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

// exportScopeFunc picks the export of object id for u, checking that u may
// download it.
type exportScopeFunc func(s *Server, c echo.Context, u *sandpit.User, id int64) (*exportScope, error)

// exportCaller is who asks for an export of which object: apiUserAndID for
// the API, pageUserAndID for the pages.
type exportCaller func(c echo.Context) (*sandpit.User, int64, error)

// pageUserAndID returns the signed-in user and the path's id.
func pageUserAndID(c echo.Context) (*sandpit.User, int64, error) {
	id, err := pathID(c, "id")
	return currentUser(c), id, err
}

// exportDownload is the handler downloading the export scope picks, in the
// format (and table) the query names.
func (s *Server) exportDownload(scope exportScopeFunc, caller exportCaller) echo.HandlerFunc {
	return func(c echo.Context) error {
		u, id, err := caller(c)
		if err != nil {
			return err
		}
		sc, err := scope(s, c, u, id)
		if err != nil {
			return err
		}
		return s.writeExport(c, sc, c.QueryParam("format"), c.QueryParam("table"))
	}
}

// exportFormatView is one format offered on the export page.
type exportFormatView struct {
	Format, Name, About string
	Href, Size          string
	Problem             string // why this format cannot hold the data, if it cannot
}

// exportPageView is the export page of a release or a workflow.
type exportPageView struct {
	Layout
	Scope   *exportScope
	Formats []exportFormatView
	Tables  []exportFormatView // one CSV per table
	Rows    []countRow
	APIPath string // the API's URL of the export
}

// exportFormats names and explains each format for the export page.
var exportFormats = map[string][2]string{
	export.FormatDataPackage: {"Frictionless data package (ZIP)",
		"A CSV file per table with datapackage.json describing every column's type, allowed values and the keys joining the tables, the codebook and a README. Opens in R, Python and frictionless tools."},
	export.FormatXLSX: {"Excel workbook (XLSX)",
		"A sheet per table with typed cells and a frozen header row, the codebook and a sheet about the data. For Excel, SPSS and Stata."},
	export.FormatJSON: {"JSON",
		"One document holding the metadata, the codebook and every table, for scripts."},
}

// exportPage builds the export page of sc, measuring each download by
// writing it, all from one snapshot, without sending or auditing it.
func (s *Server) exportPage(c echo.Context, sc *exportScope) (*exportPageView, error) {
	v := &exportPageView{Layout: s.layout(c, sc.Title), Scope: sc, APIPath: s.cfg.BaseURL.String() + "/api/v1" + sc.Path}
	ctx := c.Request().Context()
	err := s.store.Snapshot(ctx, func(snap *store.Store) error {
		measure := func(format, table string) (exportFormatView, map[string]int, error) {
			f := exportFormatView{Format: format, Name: exportFormats[format][0], About: exportFormats[format][1],
				Href: sc.Path + "/download?format=" + format}
			if table != "" {
				f.Name, f.Href = table, f.Href+"&table="+table
			}
			var size countingWriter
			rows, err := export.Write(&size, format, table, sc.Meta, export.DataTables(ctx, snap, s.cfg.PseudonymKey, sc.ReleaseIDs))
			if sandpit.ErrorCode(err) == sandpit.ETOOLARGE {
				f.Problem, err = sandpit.ErrorMessage(err), nil
			}
			f.Size = byteSize(int64(size))
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
			v.Formats = append(v.Formats, f)
			if format == export.FormatDataPackage {
				for _, t := range export.DataTableNames() {
					v.Rows = append(v.Rows, countRow{Label: t, N: rows[t]})
				}
			}
		}
		for _, t := range export.TableNames() {
			f, _, err := measure(export.FormatCSV, t)
			if err != nil {
				return err
			}
			v.Tables = append(v.Tables, f)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// countingWriter counts the bytes written to it.
type countingWriter int64

func (w *countingWriter) Write(p []byte) (int, error) {
	*w += countingWriter(len(p))
	return len(p), nil
}

// byteSize is n bytes for people: "812 bytes", "14 KB", "3.2 MB".
func byteSize(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d bytes", n)
	case n < 1000*1000:
		return fmt.Sprintf("%d KB", (n+500)/1000)
	default:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
}

// exportPageOf builds the export page of what scope picks, for showPage.
func (s *Server) exportPageOf(scope exportScopeFunc) func(echo.Context, *sandpit.User, int64) (*exportPageView, error) {
	return func(c echo.Context, u *sandpit.User, id int64) (*exportPageView, error) {
		sc, err := scope(s, c, u, id)
		if err != nil {
			return nil, err
		}
		return s.exportPage(c, sc)
	}
}
