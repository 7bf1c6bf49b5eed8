package web

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/app"
	"github.com/sandpit-nhs/sandpit/internal/export"
)

// Research exports: pseudonymised, consented-only data sets of a release or
// of a whole workflow, for the team and its researchers, as a page, page
// downloads and the API.

// exportPlace is where an export's page is and what it is called.
type exportPlace struct {
	*app.ExportScope
	Path      string // the export page's path, which downloads extend
	Back      string // the page the export page goes back to
	BackLabel string // the back link's words
	Title     string // the export page's heading
	FileName  string // the download's name before its extension
}

// placeOf names the export page and files of sc.
func placeOf(sc *app.ExportScope) exportPlace {
	p := exportPlace{ExportScope: sc}
	date := sc.Meta.GeneratedAt.Format(time.DateOnly)
	if sc.Of.Kind == app.ExportRelease {
		version := sc.Meta.Releases[0].Version
		p.Path = fmt.Sprintf("/releases/%d/export", sc.Of.ID)
		p.Back, p.BackLabel = fmt.Sprintf("/releases/%d", sc.Of.ID), "Back to release "+version
		p.Title = fmt.Sprintf("Export research data: %s release %s", sc.Workflow.Title, version)
		p.FileName = fileName("sandpit", sc.Workflow.Title, version, date)
		return p
	}
	p.Path = fmt.Sprintf("/workflows/%d/export", sc.Of.ID)
	p.Back, p.BackLabel = fmt.Sprintf("/workflows/%d", sc.Of.ID), "Back to "+sc.Workflow.Title
	p.Title = fmt.Sprintf("Export research data: %s, every release", sc.Workflow.Title)
	p.FileName = fileName("sandpit", sc.Workflow.Title, "all-releases", date)
	return p
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

// handleExportDownload downloads the export of the release or workflow kind
// names, in the format (and table) the query names, for pages and the API
// alike. An error before the first byte is answered as usual; one after it
// aborts the connection, so a truncated file is never taken for a whole one.
func (s *Server) handleExportDownload(kind string) echo.HandlerFunc {
	return func(c echo.Context) error {
		if isAPI(c) {
			if _, err := apiUser(c); err != nil {
				return err
			}
		}
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		format, table := c.QueryParam("format"), c.QueryParam("table")
		res := c.Response()
		err = s.app.Exports.Download(c.Request().Context(), actorOf(c), app.ExportOf{Kind: kind, ID: id}, format, table,
			func(sc *app.ExportScope) io.Writer {
				name := placeOf(sc).FileName
				if format == export.FormatCSV {
					name += "-" + table
				}
				res.Header().Set(echo.HeaderContentType, exportContentTypes[format])
				res.Header().Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s.%s"`, name, export.Extension(format)))
				res.Header().Set(echo.HeaderCacheControl, "private, no-store")
				return res
			})
		if err != nil && !res.Committed {
			res.Header().Del(echo.HeaderContentDisposition)
			return err
		}
		if err != nil {
			s.log.Error("export failed after it started", "path", c.Request().URL.Path, "err", err)
			panic(http.ErrAbortHandler)
		}
		return nil
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
	Scope   exportPlace
	Formats []exportFormatView
	Tables  []exportFormatView // one CSV per table
	Rows    []countRow
	APIPath string // the API's URL of the export
}

// exportFormats names and explains each format for the export page.
var exportFormats = map[string][2]string{
	export.FormatDataPackage: {"Frictionless data package (ZIP)",
		"A CSV file per table with datapackage.json describing every column's type, allowed values and the columns joining the tables, the codebook and a README. Opens in R, Python and frictionless tools."},
	export.FormatXLSX: {"Excel workbook (XLSX)",
		"A sheet per table with typed cells and a frozen header row, the codebook and a sheet about the data. For Excel, SPSS and Stata."},
	export.FormatJSON: {"JSON",
		"One document holding the metadata, the codebook and every table, for scripts."},
}

// handleExportPage shows the export page of the release or workflow kind
// names, with every download measured.
func (s *Server) handleExportPage(kind string) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		sizes, err := s.app.Exports.Sizes(c.Request().Context(), actorOf(c), app.ExportOf{Kind: kind, ID: id})
		if err != nil {
			return err
		}
		place := placeOf(sizes.Scope)
		v := exportPageView{Layout: s.layout(c, place.Title), Scope: place, APIPath: s.cfg.BaseURL.String() + "/api/v1" + place.Path}
		file := func(f app.ExportFile) exportFormatView {
			view := exportFormatView{Format: f.Format, Name: exportFormats[f.Format][0], About: exportFormats[f.Format][1],
				Href: place.Path + "/download?format=" + f.Format, Size: byteSize(f.Bytes), Problem: f.Problem}
			if f.Table != "" {
				view.Name, view.Href = f.Table, view.Href+"&table="+f.Table
			}
			return view
		}
		for _, f := range sizes.Formats {
			v.Formats = append(v.Formats, file(f))
		}
		for _, f := range sizes.Tables {
			v.Tables = append(v.Tables, file(f))
		}
		for _, t := range export.DataTableNames() {
			v.Rows = append(v.Rows, countRow{Label: t, N: sizes.Rows[t]})
		}
		return s.render(c, http.StatusOK, "export/show", v)
	}
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
