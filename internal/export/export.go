package export

import (
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// The export formats of API.md.
const (
	FormatCSV         = "csv"         // one table as CSV
	FormatJSON        = "json"        // one document: metadata, codebook, tables
	FormatXLSX        = "xlsx"        // a workbook: a sheet per table and the codebook
	FormatDataPackage = "datapackage" // a Frictionless data package: zip of CSVs, datapackage.json, codebook.csv, README.txt
)

// Formats lists the formats in the order pages offer them.
func Formats() []string {
	return []string{FormatDataPackage, FormatXLSX, FormatJSON, FormatCSV}
}

// Release describes one release an export covers.
type Release struct {
	Version     string     `json:"version"`
	Baseline    bool       `json:"baseline"` // today's legacy system, kept for comparison
	Status      string     `json:"status"`
	PublishedAt *time.Time `json:"published_at"`
}

// Metadata says what an export holds: written into the JSON document, the
// data package's datapackage.json and README.txt, and the workbook.
type Metadata struct {
	Team        string    `json:"team"`
	Workflow    string    `json:"workflow"`
	Scope       string    `json:"scope"` // "release" or "workflow"
	Releases    []Release `json:"releases"`
	GeneratedAt time.Time `json:"generated_at"`
	Sandpit     string    `json:"sandpit_version"`
}

// Title names the export for people: the workflow and, for a release
// export, the release.
func (m Metadata) Title() string {
	if m.Scope == "release" && len(m.Releases) == 1 {
		return fmt.Sprintf("%s, release %s", m.Workflow, m.Releases[0].Version)
	}
	return m.Workflow + ", every release"
}

// Check reports a clear EINVALID error, naming the parameter, when format is
// not one of Formats or, for CSV, table is not one of TableNames. Other
// formats take no table.
func Check(format, table string) error {
	switch {
	case !slices.Contains(Formats(), format):
		return sandpit.Invalid("Choose an export format.", sandpit.OneOf("format", Formats()))
	case format == FormatCSV && !slices.Contains(TableNames(), table):
		return sandpit.Invalid("Choose a table to export as CSV.", sandpit.OneOf("table", TableNames()))
	case format != FormatCSV && table != "":
		return sandpit.Invalid("Only CSV exports take a table.", sandpit.OnlyWith("table", "format=csv"))
	}
	return nil
}

// Write writes the six data tables (or, for CSV, the one named table) in
// format to w and returns how many rows of each table it wrote. A format or
// table that Check refuses writes nothing.
func Write(w io.Writer, format, table string, meta Metadata, tables []Table) (map[string]int, error) {
	if err := Check(format, table); err != nil {
		return nil, err
	}
	rows := map[string]int{}
	all := append(slices.Clone(tables), CodebookTable())
	counted := make([]Table, len(all))
	for i, t := range all {
		counted[i] = t
		counted[i].Rows = func(yield func([]string) error) error {
			return t.Rows(func(cells []string) error {
				rows[t.Name]++
				return yield(cells)
			})
		}
	}
	data := counted[:len(tables)] // the codebook's rows come from Codebook()
	var err error
	switch format {
	case FormatCSV:
		i := slices.IndexFunc(counted, func(t Table) bool { return t.Name == table })
		if i < 0 {
			return nil, fmt.Errorf("export: no table %s among the tables given", table)
		}
		err = WriteCSV(w, table, counted[i].Rows)
	case FormatJSON:
		err = WriteJSON(w, meta, Codebook(), data)
	case FormatXLSX:
		err = WriteXLSX(w, meta, data)
	case FormatDataPackage:
		err = WriteDataPackage(w, meta, data)
	}
	return rows, err
}

// Extension is the file name extension of format.
func Extension(format string) string {
	if format == FormatDataPackage {
		return "zip"
	}
	return format
}
