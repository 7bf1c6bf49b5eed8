package export

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
)

// Neutralise returns cell with a leading apostrophe when it starts with =,
// +, -, @, a tab or a carriage return, so a spreadsheet opening the CSV does
// not run it as a formula (FormulaNote in the codebook tells researchers).
func Neutralise(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}

// lineBreaks turns every line break into a line feed, which the CSV writer
// writes as CRLF; encoding/csv would otherwise drop a lone carriage return.
var lineBreaks = strings.NewReplacer("\r\n", "\n", "\r", "\n")

// WriteCSV writes table's header and rows to w as RFC 4180 CSV (CRLF line
// ends, also for line breaks inside text; cells holding commas, quotes or line
// breaks quoted), neutralising formula-like cells. Rows stream: only one row is held at a time.
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
	out := make([]string, len(header))
	err := rows(func(cells []string) error {
		if len(cells) != len(header) {
			return fmt.Errorf("export: csv %s: row of %d cells, want %d", table, len(cells), len(header))
		}
		for i, c := range cells {
			out[i] = lineBreaks.Replace(Neutralise(c))
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
