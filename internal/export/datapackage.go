package export

import (
	"archive/zip"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/template"
	"time"
)

// Files of a data package besides the tables' CSV files.
const (
	descriptorName = "datapackage.json"
	readmeName     = "README.txt"
)

//go:embed datapackage_readme.txt
var readmeText string

// readmeTemplate writes a data package's README.txt from a readme.
var readmeTemplate = template.Must(template.New(readmeName).Parse(readmeText))

// WriteDataPackage writes meta and tables, then the codebook, to w as a
// Frictionless tabular data package (https://specs.frictionlessdata.io/): a
// zip streamed straight to w holding datapackage.json first, one CSV file per
// table written by WriteCSV, codebook.csv and README.txt. Every entry is
// dated meta.GeneratedAt so the same data give the same bytes. The
// descriptor's Table Schemas take types, labels and constraints from the
// codebook, and give each table its primary and foreign keys.
func WriteDataPackage(w io.Writer, meta Metadata, tables []Table) error {
	all := append(append([]Table(nil), tables...), CodebookTable())
	desc, err := descriptor(meta, all)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(w)
	create := func(name string) (io.Writer, error) {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: meta.GeneratedAt})
		if err != nil {
			return nil, fmt.Errorf("export: datapackage: %s: %w", name, err)
		}
		return f, nil
	}

	f, err := create(descriptorName)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(f)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(desc); err != nil {
		return fmt.Errorf("export: datapackage: %s: %w", descriptorName, err)
	}

	files := make([]readmeFile, 0, len(all))
	for _, t := range all {
		f, err := create(t.Name + ".csv")
		if err != nil {
			return err
		}
		n := 0
		counted := func(yield func([]string) error) error {
			return t.Rows(func(cells []string) error {
				n++
				return yield(cells)
			})
		}
		if err := WriteCSV(f, t.Name, counted); err != nil {
			return fmt.Errorf("export: datapackage: %w", err)
		}
		files = append(files, readmeFile{Name: t.Name + ".csv", About: tableDescription(t.Name), Rows: n})
	}

	f, err = create(readmeName)
	if err != nil {
		return err
	}
	if err := readmeTemplate.Execute(f, readme{Meta: meta, Title: meta.Title(), Name: desc.Name, Files: files, FormulaNote: FormulaNote}); err != nil {
		return fmt.Errorf("export: datapackage: %s: %w", readmeName, err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("export: datapackage: %w", err)
	}
	return nil
}

// readme is what README.txt tells.
type readme struct {
	Meta        Metadata
	Title       string
	Name        string // the package's name in datapackage.json
	Files       []readmeFile
	FormulaNote string
}

// readmeFile is one table's CSV file in README.txt.
type readmeFile struct {
	Name  string
	About string
	Rows  int
}

// dataPackage is datapackage.json: a Frictionless tabular data package
// descriptor (Data Package v1).
type dataPackage struct {
	Profile      string        `json:"profile"`
	Name         string        `json:"name"`
	Title        string        `json:"title"`
	Description  string        `json:"description"`
	Created      string        `json:"created"`
	Keywords     []string      `json:"keywords"`
	Contributors []contributor `json:"contributors,omitempty"`
	Sandpit      Metadata      `json:"sandpit"` // the export's metadata, as in the JSON export
	Resources    []resource    `json:"resources"`
}

type contributor struct {
	Title string `json:"title"`
	Role  string `json:"role"`
}

// resource is one tabular data resource: a CSV file and its Table Schema.
type resource struct {
	Profile     string      `json:"profile"`
	Name        string      `json:"name"`
	Path        string      `json:"path"`
	Description string      `json:"description"`
	Format      string      `json:"format"`
	Mediatype   string      `json:"mediatype"`
	Encoding    string      `json:"encoding"`
	Dialect     csvDialect  `json:"dialect"`
	Schema      tableSchema `json:"schema"`
}

// csvDialect describes the CSV WriteCSV writes (CSV Dialect 1.2).
type csvDialect struct {
	CSVDDFVersion    string `json:"csvddfVersion"`
	Delimiter        string `json:"delimiter"`
	LineTerminator   string `json:"lineTerminator"`
	QuoteChar        string `json:"quoteChar"`
	DoubleQuote      bool   `json:"doubleQuote"`
	SkipInitialSpace bool   `json:"skipInitialSpace"`
	Header           bool   `json:"header"`
}

type tableSchema struct {
	Fields        []schemaField `json:"fields"`
	MissingValues []string      `json:"missingValues"`
	PrimaryKey    []string      `json:"primaryKey"`
	ForeignKeys   []foreignKey  `json:"foreignKeys,omitempty"`
}

type schemaField struct {
	Name        string       `json:"name"`
	Type        string       `json:"type"`
	Description string       `json:"description"`
	TrueValues  []string     `json:"trueValues,omitempty"`
	FalseValues []string     `json:"falseValues,omitempty"`
	Constraints *constraints `json:"constraints,omitempty"`
}

type constraints struct {
	Required bool              `json:"required,omitempty"`
	Enum     []json.RawMessage `json:"enum,omitempty"`
	Minimum  *float64          `json:"minimum,omitempty"`
	Maximum  *float64          `json:"maximum,omitempty"`
}

type foreignKey struct {
	Fields    []string  `json:"fields"`
	Reference reference `json:"reference"`
}

type reference struct {
	Resource string   `json:"resource"`
	Fields   []string `json:"fields"`
}

// descriptor builds datapackage.json for meta and tables.
func descriptor(meta Metadata, tables []Table) (dataPackage, error) {
	var versions []string
	for _, r := range meta.Releases {
		versions = append(versions, r.Version)
	}
	d := dataPackage{
		Profile: "tabular-data-package",
		Name:    packageName(meta),
		Title:   meta.Title(),
		Description: fmt.Sprintf("Usability research data from Sandpit for the workflow %q (releases %s): clinicians' attempts at tasks "+
			"in click-through prototypes with synthetic patients, their clicks, problem reports, System Usability Scale answers and "+
			"the findings grouped from the reports. Pseudonymised; consented trials only. See README.txt and codebook.csv.",
			meta.Workflow, strings.Join(versions, ", ")),
		Created:  meta.GeneratedAt.UTC().Format(time.RFC3339),
		Keywords: []string{"usability", "clinical software", "co-design", "prototype testing", "System Usability Scale", "Sandpit"},
		Sandpit:  meta,
	}
	if meta.Team != "" {
		d.Contributors = []contributor{{Title: meta.Team, Role: "author"}}
	}
	for _, t := range tables {
		schema, err := schemaOf(t)
		if err != nil {
			return d, err
		}
		d.Resources = append(d.Resources, resource{
			Profile: "tabular-data-resource", Name: t.Name, Path: t.Name + ".csv", Description: tableDescription(t.Name),
			Format: "csv", Mediatype: "text/csv", Encoding: "utf-8",
			Dialect: csvDialect{CSVDDFVersion: "1.2", Delimiter: ",", LineTerminator: "\r\n", QuoteChar: `"`, DoubleQuote: true, Header: true},
			Schema:  schema,
		})
	}
	return d, nil
}

// schemaOf is table t's Table Schema: its columns as the codebook describes
// them, and its keys.
func schemaOf(t Table) (tableSchema, error) {
	byName := tableColumns(t.Name)
	primary, foreign := tableKeys(t.Name)
	s := tableSchema{MissingValues: []string{""}, PrimaryKey: primary, ForeignKeys: foreign}
	for _, name := range t.Columns {
		c, ok := byName[name]
		if !ok {
			return s, fmt.Errorf("export: datapackage: %s.%s is not in the codebook", t.Name, name)
		}
		f := schemaField{Name: name, Type: c.Type, Description: c.Label}
		if c.Type == TypeBoolean {
			f.TrueValues, f.FalseValues = []string{"true"}, []string{"false"}
		}
		cs := constraints{Required: c.Required, Minimum: c.Minimum, Maximum: c.Maximum}
		if c.ValuesComplete {
			for _, v := range c.Values {
				// The enum holds logical values: numbers and booleans as JSON ones.
				raw, err := jsonValue(c.Type, v.Value)
				if err != nil {
					return s, fmt.Errorf("export: datapackage: %s.%s: %w", t.Name, name, err)
				}
				cs.Enum = append(cs.Enum, raw)
			}
		}
		if cs.Required || cs.Enum != nil || cs.Minimum != nil || cs.Maximum != nil {
			f.Constraints = &cs
		}
		s.Fields = append(s.Fields, f)
	}
	return s, nil
}

// tableKeys returns table's primary key and foreign keys. A participant takes
// a release once, and participant_id is their pseudonym in the workflow, so
// (participant_id, release) names a trial.
func tableKeys(table string) ([]string, []foreignKey) {
	trial := []string{"participant_id", "release"}
	toParticipant := foreignKey{Fields: trial, Reference: reference{Resource: TableParticipants, Fields: trial}}
	// Tasks and screens are named by their key within a release.
	task, screen := []string{"release", "task"}, []string{"release", "screen"}
	toTask := foreignKey{Fields: task, Reference: reference{Resource: TableTasks, Fields: task}}
	toScreen := func(column string) foreignKey {
		return foreignKey{Fields: []string{"release", column}, Reference: reference{Resource: TableScreens, Fields: screen}}
	}
	switch table {
	case TableParticipants:
		return trial, nil
	case TableAttempts:
		return []string{"participant_id", "release", "task"}, []foreignKey{toParticipant, toTask}
	case TableClicks:
		attempt := []string{"participant_id", "release", "task"}
		return append(attempt, "seq"), []foreignKey{{Fields: attempt, Reference: reference{Resource: TableAttempts, Fields: attempt}}, toTask, toScreen("screen")}
	case TableReports:
		finding := []string{"finding_id", "release"}
		// No key to tasks: a report made outside a task has an empty task,
		// and a validator reads (release, "") as a task that is not there.
		return []string{"report_id"}, []foreignKey{toParticipant, {Fields: finding, Reference: reference{Resource: TableFindings, Fields: finding}}, toScreen("screen")}
	case TableSUS:
		return trial, []foreignKey{toParticipant}
	case TableFindings:
		return []string{"finding_id", "release"}, nil
	case TableTasks:
		return task, []foreignKey{toScreen("start_screen")}
	case TableScreens:
		return screen, nil
	case TableCodebook:
		return []string{"table", "column"}, nil
	}
	return nil, nil
}

// tableDescription says in one sentence what a table's rows are.
func tableDescription(table string) string {
	switch table {
	case TableParticipants:
		return "One row per consented trial: the participant's pseudonym and professional profile, the consent version, the release, and when the trial started and finished."
	case TableAttempts:
		return "One row per attempt at a task: its outcome, time, clicks, misclicks, interruptions, the screens shown, the ease rating and comment."
	case TableClicks:
		return "One row per click during an attempt: when, where on which screen, and whether it hit a hotspot."
	case TableReports:
		return "One row per problem report pinned to a screen: its category, severity, safety concern, text and the finding it was grouped into."
	case TableSUS:
		return "One row per trial that answered the System Usability Scale: the ten answers and the score."
	case TableFindings:
		return "One row per finding and release that contributed reports to it: title, category, severity, status, how many participants reported it, and the product team's response."
	case TableTasks:
		return "One row per task of a release, as the product team wrote it: its title, the scenario participants read, where it starts and ends, its best path and how often staff do it."
	case TableScreens:
		return "One row per screen of a release: its title and the size of its image in pixels, the frame of clicks' and reports' x and y."
	case TableCodebook:
		return "Every column of every table: its type, unit, meaning and allowed values."
	}
	return ""
}

// packageName is the data package's name: a lowercase slug of the workflow
// and the releases' versions, such as "prescribing-release-1.0".
func packageName(meta Metadata) string {
	words := []string{meta.Workflow}
	if meta.Scope == "release" && len(meta.Releases) == 1 {
		words = append(words, "release", meta.Releases[0].Version)
	} else {
		words = append(words, "releases")
		for _, r := range meta.Releases {
			words = append(words, r.Version)
		}
	}
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(strings.Join(words, " ")) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '.', r == '_':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
	}
	if b.Len() == 0 {
		return "sandpit-export"
	}
	return b.String()
}
