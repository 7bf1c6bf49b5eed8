package export

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// workbookOf writes the fixture's releases 1.0 and 2.0 as a workbook and
// opens it again; raw holds each table's rows as the tables produce them.
func workbookOf(t *testing.T, f *fixture) (x *excelize.File, raw map[string][][]string) {
	t.Helper()
	tables := DataTables(context.Background(), f.s, f.secret, []int64{f.r1, f.r1b})
	raw = map[string][][]string{}
	for _, table := range append(tables, CodebookTable()) {
		raw[table.Name] = collect(t, table)
	}
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, fixtureMeta(), tables); err != nil {
		t.Fatalf("WriteXLSX: %v", err)
	}
	x, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatalf("workbook does not open: %v", err)
	}
	t.Cleanup(func() { x.Close() })
	return x, raw
}

// xlsxCell is one cell read back from a workbook.
type xlsxCell struct {
	typ    excelize.CellType
	raw    string // as stored: a number, 1 or 0 for a boolean, the text
	style  int
	quoted bool // the style's quote prefix marks the text as text
	date   bool // the style shows a date and time
}

func readCell(t *testing.T, x *excelize.File, sheet string, col, row int) xlsxCell {
	t.Helper()
	ref, err := excelize.CoordinatesToCellName(col, row)
	must(t, err)
	var c xlsxCell
	c.typ, err = x.GetCellType(sheet, ref)
	must(t, err)
	c.raw, err = x.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
	must(t, err)
	c.style, err = x.GetCellStyle(sheet, ref)
	must(t, err)
	style, err := x.GetStyle(c.style) // also loads x.Styles
	must(t, err)
	c.date = style.CustomNumFmt != nil && *style.CustomNumFmt == xlsxDatetimeFormat
	xf := x.Styles.CellXfs.Xf[c.style]
	c.quoted = xf.QuotePrefix != nil && *xf.QuotePrefix
	return c
}

// instant returns the date-time a date cell holds.
func (c xlsxCell) instant(t *testing.T) time.Time {
	t.Helper()
	serial, err := strconv.ParseFloat(c.raw, 64)
	must(t, err)
	at, err := excelize.ExcelDateToTime(serial, false)
	must(t, err)
	return at.Round(time.Millisecond)
}

// sheetSize returns the rows and columns of sheet.
func sheetSize(t *testing.T, x *excelize.File, sheet string) (rows, cols int) {
	t.Helper()
	all, err := x.GetRows(sheet)
	must(t, err)
	if len(all) == 0 {
		return 0, 0
	}
	return len(all), len(all[0])
}

// formulaLike reports whether a spreadsheet would read text as a formula, or
// drop its leading apostrophe.
func formulaLike(text string) bool {
	return text != "" && strings.ContainsRune("=+-@\t\r'", rune(text[0]))
}

func TestXLSXRoundTrip(t *testing.T) {
	f := newFixture(t)
	x, raw := workbookOf(t, f)
	if got, want := x.GetSheetList(), append([]string{"about"}, TableNames()...); !slices.Equal(got, want) {
		t.Fatalf("sheets %q, want %q", got, want)
	}
	for _, name := range TableNames() {
		t.Run(name, func(t *testing.T) {
			rows, cols := sheetSize(t, x, name)
			header := make([]string, cols)
			for k := range header {
				header[k] = readCell(t, x, name, k+1, 1).raw
			}
			if !slices.Equal(header, Columns(name)) {
				t.Fatalf("header %q, want %q", header, Columns(name))
			}
			if rows-1 != len(raw[name]) {
				t.Fatalf("%d data rows, want %d", rows-1, len(raw[name]))
			}
			types := columnTypes(name)
			for i, row := range raw[name] {
				for k, want := range row {
					col := Columns(name)[k]
					c := readCell(t, x, name, k+1, i+2)
					at := fmt.Sprintf("row %d %s", i+1, col)
					if want == "" {
						if c.typ != excelize.CellTypeUnset || c.raw != "" {
							t.Errorf("%s: %v %q, want an empty cell", at, c.typ, c.raw)
						}
						continue
					}
					switch types[col] {
					case TypeInteger, TypeNumber:
						got, err1 := strconv.ParseFloat(c.raw, 64)
						wantN, err2 := strconv.ParseFloat(want, 64)
						if c.typ != excelize.CellTypeUnset || c.date || err1 != nil || err2 != nil || got != wantN {
							t.Errorf("%s: %v %q, want the number %s", at, c.typ, c.raw, want)
						}
					case TypeBoolean:
						if c.typ != excelize.CellTypeBool || c.raw != map[string]string{"true": "1", "false": "0"}[want] {
							t.Errorf("%s: %v %q, want the boolean %s", at, c.typ, c.raw, want)
						}
					case TypeDatetime:
						wantT, err := time.Parse(time.RFC3339, want)
						must(t, err)
						if !c.date || c.typ != excelize.CellTypeUnset || !c.instant(t).Equal(wantT) {
							t.Errorf("%s: %v %q (date style %v), want the date-time %s", at, c.typ, c.raw, c.date, want)
						}
					default:
						if c.typ != excelize.CellTypeInlineString || c.raw != want {
							t.Errorf("%s: %v %q, want the text %q", at, c.typ, c.raw, want)
						}
					}
				}
			}
		})
	}
	// Every tricky text comes back unchanged: no apostrophe, line breaks kept.
	var texts []string
	rows, _ := sheetSize(t, x, TableReports)
	for r := 2; r <= rows; r++ {
		texts = append(texts, readCell(t, x, TableReports, column(t, TableReports, "text")+1, r).raw)
	}
	for _, text := range trickyTexts {
		if !slices.Contains(texts, text) {
			t.Errorf("text %q did not survive the workbook: %q", text, texts)
		}
	}
	about, err := x.GetRows("about")
	must(t, err)
	if len(about) < 2 || !slices.Equal(about[1], []string{"title", "Prescribing, every release"}) {
		t.Errorf("about sheet %q", about)
	}
	props, err := x.GetDocProps()
	must(t, err)
	if props.Title != "Prescribing, every release" || props.Creator != "Sandpit" || props.Created != "2026-11-03T10:30:00Z" ||
		props.Modified != "2026-11-03T10:30:00Z" {
		t.Errorf("document properties %+v", props)
	}
}

func TestXLSXFormulaSafety(t *testing.T) {
	f := newFixture(t)
	x, _ := workbookOf(t, f)
	quoted := map[string]bool{}
	for _, sheet := range x.GetSheetList() {
		rows, cols := sheetSize(t, x, sheet)
		for r := 1; r <= rows; r++ {
			for col := 1; col <= cols; col++ {
				ref, err := excelize.CoordinatesToCellName(col, r)
				must(t, err)
				if formula, err := x.GetCellFormula(sheet, ref); err != nil || formula != "" {
					t.Errorf("%s!%s has the formula %q (%v)", sheet, ref, formula, err)
				}
				c := readCell(t, x, sheet, col, r)
				if c.typ == excelize.CellTypeInlineString && c.quoted != formulaLike(c.raw) {
					t.Errorf("%s!%s %q: quote prefix %v, want %v", sheet, ref, c.raw, c.quoted, !c.quoted)
				}
				if c.typ != excelize.CellTypeInlineString && c.quoted {
					t.Errorf("%s!%s %v %q has a quote prefix", sheet, ref, c.typ, c.raw)
				}
				if c.quoted {
					quoted[c.raw] = true
				}
			}
		}
	}
	for _, text := range trickyTexts {
		if formulaLike(text) != quoted[text] {
			t.Errorf("text %q: quote prefix %v, want %v", text, quoted[text], formulaLike(text))
		}
	}
	if !quoted["=1+1"] || !quoted["\rcarriage"] || quoted["plain text"] {
		t.Errorf("quoted texts %v", quoted)
	}
}

func TestXLSXHeaderFrozenAndBold(t *testing.T) {
	f := newFixture(t)
	x, _ := workbookOf(t, f)
	for _, sheet := range x.GetSheetList() {
		panes, err := x.GetPanes(sheet)
		must(t, err)
		if !panes.Freeze || panes.YSplit != 1 || panes.XSplit != 0 || panes.TopLeftCell != "A2" {
			t.Errorf("%s panes %+v, want the first row frozen", sheet, panes)
		}
		style, err := x.GetStyle(readCell(t, x, sheet, 1, 1).style)
		must(t, err)
		if style.Font == nil || !style.Font.Bold {
			t.Errorf("%s header not bold", sheet)
		}
		if width, err := x.GetColWidth(sheet, "A"); err != nil || width < 10 {
			t.Errorf("%s column A width %v (%v)", sheet, width, err)
		}
	}
}

// writeCounter counts the bytes written to it.
type writeCounter struct{ n int }

func (w *writeCounter) Write(p []byte) (int, error) {
	w.n += len(p)
	return len(p), nil
}

func TestXLSXTooManyRows(t *testing.T) {
	yielded := 0
	seq := Table{Name: TableClicks, Columns: []string{"seq"}, Rows: func(yield func([]string) error) error {
		cells := []string{"1"}
		for range MaxXLSXRows + 1 {
			yielded++
			if err := yield(cells); err != nil {
				return err
			}
		}
		return nil
	}}
	var w writeCounter
	start := time.Now()
	err := WriteXLSX(&w, fixtureMeta(), []Table{seq})
	t.Logf("%d rows in %v", yielded, time.Since(start))
	if code := sandpit.ErrorCode(err); code != sandpit.ETOOLARGE {
		t.Fatalf("error %v (code %q), want %s", err, code, sandpit.ETOOLARGE)
	}
	if msg := sandpit.ErrorMessage(err); !strings.Contains(msg, "clicks") || !strings.Contains(msg, "CSV") || !strings.Contains(msg, "data package") {
		t.Errorf("message %q: want the table and the formats to use", msg)
	}
	if w.n != 0 {
		t.Errorf("%d bytes written", w.n)
	}
	if yielded != MaxXLSXRows+1 {
		t.Errorf("%d rows read, want %d", yielded, MaxXLSXRows+1)
	}
}

func TestXLSXBadCells(t *testing.T) {
	for _, tc := range []struct {
		name, table, column, cell, want string
	}{
		{"integer", TableClicks, "seq", "1.5", `clicks: row 2, column seq: "1.5" is not an integer`},
		{"number", TableSUS, "score", "NaN", `sus: row 2, column score: "NaN" is not a finite number`},
		{"boolean", TableClicks, "hit", "yes", `clicks: row 2, column hit: "yes" is not true or false`},
		{"datetime", TableParticipants, "started_at", "2026-11-02 09:00", `participants: row 2, column started_at: "2026-11-02 09:00" is not an RFC 3339 date and time`},
		{"long text", TableReports, "text", strings.Repeat("x", excelize.TotalCellChars+1), "reports: row 2, column text: text of more than 32767 characters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			good := map[string]string{"seq": "1", "score": "85", "hit": "true", "started_at": "2026-11-02T09:00:00Z", "text": "ok"}[tc.column]
			table := Table{Name: tc.table, Columns: []string{tc.column}, Rows: func(yield func([]string) error) error {
				if err := yield([]string{good}); err != nil {
					return err
				}
				return yield([]string{tc.cell})
			}}
			var w writeCounter
			err := WriteXLSX(&w, fixtureMeta(), []Table{table})
			if err == nil || !strings.Contains(err.Error(), "export: xlsx: "+tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
			if w.n != 0 {
				t.Errorf("%d bytes written", w.n)
			}
		})
	}
	t.Run("short row", func(t *testing.T) {
		table := Table{Name: TableClicks, Columns: Columns(TableClicks), Rows: func(yield func([]string) error) error {
			return yield([]string{"too few"})
		}}
		if err := WriteXLSX(io.Discard, fixtureMeta(), []Table{table}); err == nil || !strings.Contains(err.Error(), "row 1: 1 cells, want 11") {
			t.Errorf("error %v", err)
		}
	})
	t.Run("unknown column", func(t *testing.T) {
		table := Table{Name: TableClicks, Columns: []string{"nope"}, Rows: func(func([]string) error) error { return nil }}
		if err := WriteXLSX(io.Discard, fixtureMeta(), []Table{table}); err == nil || !strings.Contains(err.Error(), "column nope is not in the codebook") {
			t.Errorf("error %v", err)
		}
	})
}

// dumpXLSX prints a workbook as text: its document properties, then each
// sheet's name, frozen pane and column widths, and each row's cells as
// type:value (s text, s' text with a quote prefix, n number, b boolean, d
// date-time, - empty).
func dumpXLSX(t *testing.T, x *excelize.File) []byte {
	t.Helper()
	var out strings.Builder
	props, err := x.GetDocProps()
	must(t, err)
	fmt.Fprintf(&out, "title=%q creator=%q created=%s modified=%s\n", props.Title, props.Creator, props.Created, props.Modified)
	for _, sheet := range x.GetSheetList() {
		panes, err := x.GetPanes(sheet)
		must(t, err)
		rows, cols := sheetSize(t, x, sheet)
		fmt.Fprintf(&out, "\n== %s (frozen %v at %s)\nwidths:", sheet, panes.Freeze, panes.TopLeftCell)
		for col := 1; col <= cols; col++ {
			name, err := excelize.ColumnNumberToName(col)
			must(t, err)
			width, err := x.GetColWidth(sheet, name)
			must(t, err)
			fmt.Fprintf(&out, " %v", width)
		}
		out.WriteString("\n")
		for r := 1; r <= rows; r++ {
			cells := make([]string, cols)
			for col := 1; col <= cols; col++ {
				c := readCell(t, x, sheet, col, r)
				switch {
				case c.typ == excelize.CellTypeUnset && c.raw == "":
					cells[col-1] = "-"
				case c.date:
					cells[col-1] = "d:" + c.instant(t).UTC().Format(time.RFC3339)
				case c.typ == excelize.CellTypeUnset:
					cells[col-1] = "n:" + c.raw
				case c.typ == excelize.CellTypeBool:
					cells[col-1] = "b:" + c.raw
				case c.typ == excelize.CellTypeInlineString && c.quoted:
					cells[col-1] = "s':" + strconv.Quote(c.raw)
				case c.typ == excelize.CellTypeInlineString:
					cells[col-1] = "s:" + strconv.Quote(c.raw)
				default:
					cells[col-1] = fmt.Sprintf("%v:%q", c.typ, c.raw)
				}
			}
			out.WriteString(strings.Join(cells, " | ") + "\n")
		}
	}
	return []byte(out.String())
}

func TestXLSXGolden(t *testing.T) {
	f := newFixture(t)
	x, _ := workbookOf(t, f)
	golden(t, "xlsx.txt", dumpXLSX(t, x))
}

// BenchmarkXLSX writes a clicks table of 200,000 rows, reporting rows
// written per second and the peak heap in use while writing.
func BenchmarkXLSX(b *testing.B) {
	const rows = 200_000
	clicks := Table{Name: TableClicks, Columns: Columns(TableClicks), Rows: func(yield func([]string) error) error {
		cells := []string{"P-0123456789abcdef", "1.0", "t1", "", "", "", "", "", "", ""}
		for i := range rows {
			cells[3], cells[4] = strconv.Itoa(i%40+1), strconv.Itoa(i*37%600000)
			cells[5], cells[6], cells[7] = "screen-"+strconv.Itoa(i%7), strconv.Itoa(i%400), strconv.Itoa(i*3%400)
			cells[8], cells[9] = strconv.FormatBool(i%3 != 0), ""
			if i%3 != 0 {
				cells[9] = "screen-" + strconv.Itoa(i%5)
			}
			if err := yield(cells); err != nil {
				return err
			}
		}
		return nil
	}}
	var peak atomic.Uint64
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var m runtime.MemStats
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	n := 0
	for b.Loop() {
		if err := WriteXLSX(io.Discard, fixtureMeta(), []Table{clicks}); err != nil {
			b.Fatal(err)
		}
		n++
	}
	close(done)
	<-sampled
	b.ReportMetric(float64(n*rows)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
}
