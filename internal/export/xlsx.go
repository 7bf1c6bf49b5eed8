package export

import (
	"archive/zip"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// sheetAbout is the name of the workbook's first sheet, which says what the
// export holds.
const sheetAbout = "about"

// MaxXLSXRows is the most data rows a table may have in a workbook: an Excel
// sheet holds 1,048,576 rows, one of them the header.
const MaxXLSXRows = excelize.TotalRows - 1

// xlsxDatetimeFormat shows datetime cells, which hold UTC instants.
const xlsxDatetimeFormat = "yyyy-mm-dd hh:mm:ss"

// WriteXLSX writes meta and tables, then the codebook, as an Excel workbook:
// a sheet "about" describing the export, a sheet per table in the given
// order named after it, and a sheet "codebook". Each cell takes its codebook
// column's type (integer, number, boolean, a date-time shown in UTC, or text);
// a missing (empty) cell stays empty. Text is kept unchanged and is never a
// formula; text that a spreadsheet would read as a formula is also marked as
// text (quote prefix) so that editing the cell keeps it.
//
// Rows stream through temporary files, so memory stays bounded however long
// the tables are. A table with more than MaxXLSXRows rows is an ETOOLARGE
// error, returned before anything is written to w.
func WriteXLSX(w io.Writer, meta Metadata, tables []Table) (err error) {
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("export: xlsx: close: %w", cerr)
		}
	}()
	wb, err := newWorkbook(f)
	if err != nil {
		return err
	}
	if err := f.SetSheetName(f.GetSheetName(0), sheetAbout); err != nil {
		return fmt.Errorf("export: xlsx: %w", err)
	}
	about := []sheetColumn{stringColumn("key"), stringColumn("value")}
	if err := wb.writeSheet(sheetAbout, about, aboutRows(meta, tables)); err != nil {
		return err
	}
	for _, t := range append(slices.Clip(tables), CodebookTable()) {
		cols, err := sheetColumns(t)
		if err != nil {
			return err
		}
		if idx, _ := f.GetSheetIndex(t.Name); idx != -1 {
			return fmt.Errorf("export: xlsx: two sheets named %q", t.Name)
		}
		if _, err := f.NewSheet(t.Name); err != nil {
			return fmt.Errorf("export: xlsx: sheet %s: %w", t.Name, err)
		}
		if err := wb.writeSheet(t.Name, cols, t.Rows); err != nil {
			return err
		}
	}
	generated := meta.GeneratedAt.UTC().Format(time.RFC3339)
	if err := f.SetDocProps(&excelize.DocProperties{Title: meta.Title(), Creator: "Sandpit", LastModifiedBy: "Sandpit",
		Created: generated, Modified: generated}); err != nil {
		return fmt.Errorf("export: xlsx: document properties: %w", err)
	}
	// File.Write builds the whole zip in a buffer before copying it to w; a
	// zip writer of our own onto w streams it instead, keeping memory bounded.
	// The buffer excelize passes stays empty, so excelize's fix-up of the
	// headers of parts over 4 GiB, which works on that buffer, is skipped.
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(w) })
	if err := f.Write(w); err != nil {
		return fmt.Errorf("export: xlsx: write: %w", err)
	}
	return nil
}

// aboutRows returns the about sheet's key/value rows.
func aboutRows(meta Metadata, tables []Table) RowFunc {
	return func(yield func([]string) error) error {
		rows := [][]string{
			{"title", meta.Title()},
			{"team", meta.Team},
			{"workflow", meta.Workflow},
			{"scope", meta.Scope},
		}
		for _, r := range meta.Releases {
			rows = append(rows, []string{"release", releaseText(r)})
		}
		sheets := make([]string, 0, len(tables)+1)
		for _, t := range tables {
			sheets = append(sheets, t.Name)
		}
		rows = append(rows,
			[]string{"generated at", datetime(meta.GeneratedAt)},
			[]string{"Sandpit version", meta.Sandpit},
			[]string{"sheets", strings.Join(append(sheets, TableCodebook), ", ")},
			[]string{"about the data", "Participants are pseudonymised: participant_id is a keyed hash, stable within a workflow and " +
				"unlinkable across workflows, and no names or email addresses are included. Only trials whose clinicians consented " +
				"to research use are included, and withdrawn trials are removed. The codebook sheet describes every column: its " +
				"type, unit, meaning and allowed values; times are in UTC."})
		for _, row := range rows {
			if err := yield(row); err != nil {
				return err
			}
		}
		return nil
	}
}

// releaseText describes a release in one about cell: "1.0: open, published
// 2026-11-02T09:00:00Z".
func releaseText(r Release) string {
	var parts []string
	if r.Baseline {
		parts = append(parts, "baseline (today's legacy system)")
	}
	parts = append(parts, r.Status)
	if r.PublishedAt != nil {
		parts = append(parts, "published "+datetime(*r.PublishedAt))
	} else {
		parts = append(parts, "not published")
	}
	return r.Version + ": " + strings.Join(parts, ", ")
}

// sheetColumn is one column of a sheet: its header, its codebook type and its
// width in characters; wide text columns wrap their text.
type sheetColumn struct {
	name  string
	typ   string
	width float64
	wrap  bool
}

// stringColumn returns a text column called name.
func stringColumn(name string) sheetColumn {
	c := sheetColumn{name: name, typ: TypeString, width: float64(max(20, len(name)+2))}
	switch name {
	case "comment", "text", "title", "scenario", "response", "label", "values", "value": // free text
		c.width, c.wrap = 60, true
	}
	return c
}

// sheetColumns returns t's columns with their types from the codebook.
func sheetColumns(t Table) ([]sheetColumn, error) {
	types := columnTypes(t.Name)
	cols := make([]sheetColumn, len(t.Columns))
	for i, name := range t.Columns {
		switch typ := types[name]; typ {
		case "":
			return nil, fmt.Errorf("export: xlsx: %s: column %s is not in the codebook", t.Name, name)
		case TypeString:
			cols[i] = stringColumn(name)
		case TypeDatetime:
			cols[i] = sheetColumn{name: name, typ: typ, width: 20}
		default:
			cols[i] = sheetColumn{name: name, typ: typ, width: float64(max(10, len(name)+2))}
		}
	}
	return cols, nil
}

// workbook is a workbook being written and the cell styles its sheets use.
type workbook struct {
	f          *excelize.File
	header     int // bold
	wrap       int // text wrapped in its column
	quoted     int // text marked as text, not a formula
	quotedWrap int // both
	datetime   int // a date and time, UTC
}

// newWorkbook adds the cell styles to f.
func newWorkbook(f *excelize.File) (*workbook, error) {
	wb := &workbook{f: f}
	wrap := &excelize.Alignment{WrapText: true, Vertical: "top"}
	format := xlsxDatetimeFormat
	// NumFmt 49 ("@", text) keeps the quoted styles apart from the others:
	// NewStyle returns an existing style that looks the same to it, and it does
	// not look at the quote prefix.
	for _, s := range []struct {
		id    *int
		style excelize.Style
		quote bool
	}{
		{&wb.header, excelize.Style{Font: &excelize.Font{Bold: true}}, false},
		{&wb.wrap, excelize.Style{Alignment: wrap}, false},
		{&wb.quoted, excelize.Style{NumFmt: 49}, true},
		{&wb.quotedWrap, excelize.Style{NumFmt: 49, Alignment: wrap}, true},
		{&wb.datetime, excelize.Style{CustomNumFmt: &format}, false},
	} {
		id, err := f.NewStyle(&s.style)
		if err != nil {
			return nil, fmt.Errorf("export: xlsx: style: %w", err)
		}
		if s.quote {
			// excelize's Style has no quote prefix; its style sheet, which
			// File.Styles exposes after NewStyle, does.
			quote := true
			f.Styles.CellXfs.Xf[id].QuotePrefix = &quote
		}
		*s.id = id
	}
	return wb, nil
}

// writeSheet streams a header of cols and rows into the existing sheet name,
// header row bold and frozen.
func (wb *workbook) writeSheet(name string, cols []sheetColumn, rows RowFunc) error {
	sw, err := wb.f.NewStreamWriter(name)
	if err != nil {
		return fmt.Errorf("export: xlsx: %s: %w", name, err)
	}
	for i, c := range cols {
		if err := sw.SetColWidth(i+1, i+1, c.width); err != nil {
			return fmt.Errorf("export: xlsx: %s: column %s: %w", name, c.name, err)
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}); err != nil {
		return fmt.Errorf("export: xlsx: %s: freeze header: %w", name, err)
	}
	values := make([]any, len(cols))
	for i, c := range cols {
		values[i] = excelize.Cell{StyleID: wb.header, Value: c.name}
	}
	if err := sw.SetRow("A1", values); err != nil {
		return fmt.Errorf("export: xlsx: %s: header: %w", name, err)
	}
	n := 0
	err = rows(func(cells []string) error {
		n++
		if n > MaxXLSXRows {
			return sandpit.Errorf(sandpit.ETOOLARGE, "The %s table has more rows than an Excel sheet holds (%d). Export it as CSV or as a data package instead.",
				name, MaxXLSXRows)
		}
		if len(cells) != len(cols) {
			return fmt.Errorf("row %d: %d cells, want %d", n, len(cells), len(cols))
		}
		for i, text := range cells {
			v, err := wb.cell(cols[i], text)
			if err != nil {
				return fmt.Errorf("row %d, column %s: %w", n, cols[i].name, err)
			}
			values[i] = v
		}
		ref, err := excelize.CoordinatesToCellName(1, n+1)
		if err != nil {
			return err
		}
		return sw.SetRow(ref, values)
	})
	if err != nil {
		return fmt.Errorf("export: xlsx: %s: %w", name, err)
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("export: xlsx: %s: %w", name, err)
	}
	return nil
}

// cell returns the cell value of text in column c: nil (no cell) when text
// is empty, a missing value, else text parsed as c's type.
func (wb *workbook) cell(c sheetColumn, text string) (any, error) {
	if text == "" {
		return nil, nil
	}
	switch c.typ {
	case TypeInteger:
		n, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not an integer", text)
		}
		return n, nil
	case TypeNumber:
		x, err := strconv.ParseFloat(text, 64)
		if err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
			return nil, fmt.Errorf("%q is not a finite number", text)
		}
		return x, nil
	case TypeBoolean:
		switch text {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return nil, fmt.Errorf("%q is not true or false", text)
	case TypeDatetime:
		t, err := time.Parse(time.RFC3339, text)
		if err != nil {
			return nil, fmt.Errorf("%q is not an RFC 3339 date and time", text)
		}
		return excelize.Cell{StyleID: wb.datetime, Value: t.UTC()}, nil
	}
	// excelize would silently cut a longer text.
	if len(text) > excelize.TotalCellChars && len(utf16.Encode([]rune(text))) > excelize.TotalCellChars {
		return nil, fmt.Errorf("text of more than %d characters, more than an Excel cell holds", excelize.TotalCellChars)
	}
	quoted := strings.ContainsRune(formulaPrefixes, rune(text[0]))
	switch {
	case quoted && c.wrap:
		return excelize.Cell{StyleID: wb.quotedWrap, Value: text}, nil
	case quoted:
		return excelize.Cell{StyleID: wb.quoted, Value: text}, nil
	case c.wrap:
		return excelize.Cell{StyleID: wb.wrap, Value: text}, nil
	}
	return text, nil
}
