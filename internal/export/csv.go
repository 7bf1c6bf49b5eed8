package export

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
)

// formulaPrefixes start the text cells Neutralise changes: the characters
// that make a spreadsheet read a cell as a formula, and the apostrophe
// itself, so that Restore can always undo Neutralise.
const formulaPrefixes = "=+-@\t\r'"

// Neutralise returns text cell with a leading apostrophe when it starts with
// =, +, -, @, a tab, a carriage return or an apostrophe, so a spreadsheet
// opening the file does not run it as a formula (FormulaNote in the codebook
// tells researchers).
func Neutralise(cell string) string {
	if cell != "" && strings.ContainsRune(formulaPrefixes, rune(cell[0])) {
		return "'" + cell
	}
	return cell
}

// Restore undoes Neutralise: it drops the leading apostrophe of a cell that
// starts with one.
func Restore(cell string) string { return strings.TrimPrefix(cell, "'") }

// columnTypes returns the codebook type of each of table's columns.
func columnTypes(table string) map[string]string {
	types := map[string]string{}
	for name, c := range tableColumns(table) {
		types[name] = c.Type
	}
	return types
}

// lineBreaks turns every line break into a line feed, which the CSV writer
// writes as CRLF; encoding/csv would otherwise drop a lone carriage return.
var lineBreaks = strings.NewReplacer("\r\n", "\n", "\r", "\n")

// WriteCSV writes table's header and rows to w as RFC 4180 CSV (CRLF line
// ends, also for line breaks inside text; cells holding commas, quotes or line
// breaks quoted), neutralising the formula-like cells of text columns
// (numbers such as -1 stay numbers). Rows stream: only one row is held at a
// time.
func WriteCSV(w io.Writer, table string, rows RowFunc) error {
	header := Columns(table)
	if header == nil {
		return fmt.Errorf("export: csv: unknown table %q", table)
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("export: csv %s: header: %w", table, err)
	}
	types := columnTypes(table)
	out := make([]string, len(header))
	err := rows(func(cells []string) error {
		if len(cells) != len(header) {
			return fmt.Errorf("export: csv %s: row of %d cells, want %d", table, len(cells), len(header))
		}
		for i, c := range cells {
			if types[header[i]] == TypeString {
				c = Neutralise(c)
			}
			if strings.ContainsRune(c, '\r') {
				c = lineBreaks.Replace(c)
			}
			out[i] = c
		}
		return cw.Write(out)
	})
	if err != nil {
		return fmt.Errorf("export: csv %s: %w", table, err)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("export: csv %s: %w", table, err)
	}
	return nil
}
