package export

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// writeTestDataPackage writes the fixture's package of releases 1.0 and 2.0 and
// returns the zip.
func writeTestDataPackage(t *testing.T, f *fixture) []byte {
	t.Helper()
	var buf bytes.Buffer
	tables := DataTables(context.Background(), f.s, f.secret, []int64{f.r1, f.r1b})
	if err := WriteDataPackage(&buf, fixtureMeta(), tables); err != nil {
		t.Fatalf("WriteDataPackage: %v", err)
	}
	return buf.Bytes()
}

// packageFile is one file of a zip.
type packageFile struct {
	name string
	data []byte
}

// unzipPackage returns the files of zip archive b in order, checking each
// is dated at the package's generation time.
func unzipPackage(t *testing.T, b []byte) []packageFile {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	var files []packageFile
	for _, zf := range zr.File {
		if !zf.Modified.Equal(fixtureMeta().GeneratedAt) {
			t.Errorf("%s modified %v, want %v", zf.Name, zf.Modified, fixtureMeta().GeneratedAt)
		}
		r, err := zf.Open()
		if err != nil {
			t.Fatalf("%s: %v", zf.Name, err)
		}
		data, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatalf("%s: %v", zf.Name, err)
		}
		files = append(files, packageFile{zf.Name, data})
	}
	return files
}

// filesByName indexes files by name.
func filesByName(files []packageFile) map[string][]byte {
	out := map[string][]byte{}
	for _, f := range files {
		out[f.name] = f.data
	}
	return out
}

// The parts of datapackage.json the validator reads.
type (
	pkgDescriptor struct {
		Profile   string        `json:"profile"`
		Name      string        `json:"name"`
		Title     string        `json:"title"`
		Created   string        `json:"created"`
		Resources []pkgResource `json:"resources"`
	}
	pkgResource struct {
		Profile   string         `json:"profile"`
		Name      string         `json:"name"`
		Path      string         `json:"path"`
		Format    string         `json:"format"`
		Mediatype string         `json:"mediatype"`
		Encoding  string         `json:"encoding"`
		Dialect   map[string]any `json:"dialect"`
		Schema    pkgSchema      `json:"schema"`
	}
	pkgSchema struct {
		Fields        []pkgField `json:"fields"`
		MissingValues []string   `json:"missingValues"`
		PrimaryKey    []string   `json:"primaryKey"`
		ForeignKeys   []struct {
			Fields    []string `json:"fields"`
			Reference struct {
				Resource string   `json:"resource"`
				Fields   []string `json:"fields"`
			} `json:"reference"`
		} `json:"foreignKeys"`
	}
	pkgField struct {
		Name        string   `json:"name"`
		Type        string   `json:"type"`
		Description string   `json:"description"`
		TrueValues  []string `json:"trueValues"`
		FalseValues []string `json:"falseValues"`
		Constraints struct {
			Required bool              `json:"required"`
			Enum     []json.RawMessage `json:"enum"`
			Minimum  *float64          `json:"minimum"`
			Maximum  *float64          `json:"maximum"`
		} `json:"constraints"`
	}
)

// packageName is the pattern of a Frictionless package or resource name.
var packageNamePattern = regexp.MustCompile(`^[-a-z0-9._/]+$`)

// validateDataPackage checks files, a data package, against the rules of
// its own datapackage.json, as a Frictionless validator would, and returns
// every problem: the descriptor's required properties, each CSV's header
// against its schema's fields, every cell cast to its field's type unless
// missing, required, enum, minimum and maximum constraints, primary keys
// present and unique, and every foreign key found in the resource it
// references.
func validateDataPackage(files map[string][]byte) []string {
	var problems []string
	fail := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	var d pkgDescriptor
	if err := json.Unmarshal(files["datapackage.json"], &d); err != nil {
		return []string{"datapackage.json: " + err.Error()}
	}
	if d.Profile != "tabular-data-package" {
		fail("profile %q", d.Profile)
	}
	if !packageNamePattern.MatchString(d.Name) {
		fail("package name %q", d.Name)
	}
	if _, err := time.Parse(time.RFC3339, d.Created); err != nil {
		fail("created %q: %v", d.Created, err)
	}
	if len(d.Resources) == 0 {
		fail("no resources")
	}

	// Parse every resource first: foreign keys look across them.
	rows := map[string][][]string{}
	resources := map[string]pkgResource{}
	for _, r := range d.Resources {
		if _, dup := resources[r.Name]; dup || !packageNamePattern.MatchString(r.Name) {
			fail("resource name %q repeated or invalid", r.Name)
		}
		resources[r.Name] = r
		if r.Profile != "tabular-data-resource" || r.Format != "csv" || r.Mediatype != "text/csv" || r.Encoding != "utf-8" {
			fail("%s: profile %q, format %q, mediatype %q, encoding %q", r.Name, r.Profile, r.Format, r.Mediatype, r.Encoding)
		}
		if r.Dialect["delimiter"] != "," || r.Dialect["lineTerminator"] != "\r\n" || r.Dialect["doubleQuote"] != true || r.Dialect["header"] != true {
			fail("%s: dialect %v", r.Name, r.Dialect)
		}
		data, ok := files[r.Path]
		if !ok {
			fail("%s: no file %q", r.Name, r.Path)
			continue
		}
		recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
		if err != nil || len(recs) == 0 {
			fail("%s: csv: %v", r.Name, err)
			continue
		}
		var names []string
		for _, f := range r.Schema.Fields {
			names = append(names, f.Name)
		}
		if !slices.Equal(recs[0], names) {
			fail("%s: header %q, schema fields %q", r.Name, recs[0], names)
			continue
		}
		rows[r.Name] = recs[1:]
		for i, row := range recs[1:] {
			for k, f := range r.Schema.Fields {
				if msg := checkCell(f, r.Schema.MissingValues, row[k]); msg != "" {
					fail("%s row %d %s: %s", r.Name, i+1, f.Name, msg)
				}
			}
		}
	}

	for _, r := range d.Resources {
		data, ok := rows[r.Name]
		if !ok {
			continue
		}
		if len(r.Schema.PrimaryKey) == 0 {
			fail("%s: no primary key", r.Name)
		}
		seen := map[string]int{}
		for i, row := range data {
			key, missing, err := keyOf(r, row, r.Schema.PrimaryKey)
			switch {
			case err != nil:
				fail("%s primary key: %v", r.Name, err)
			case missing > 0:
				fail("%s row %d: primary key %v has a missing value", r.Name, i+1, r.Schema.PrimaryKey)
			case seen[key] > 0:
				fail("%s row %d: primary key %v %q repeats row %d", r.Name, i+1, r.Schema.PrimaryKey, key, seen[key])
			default:
				seen[key] = i + 1
			}
		}
		for _, fk := range r.Schema.ForeignKeys {
			ref, ok := resources[fk.Reference.Resource]
			if !ok || len(fk.Fields) != len(fk.Reference.Fields) {
				fail("%s: foreign key %v to unknown resource %q or of another length", r.Name, fk.Fields, fk.Reference.Resource)
				continue
			}
			targets := map[string]bool{}
			for _, row := range rows[ref.Name] {
				if key, missing, err := keyOf(ref, row, fk.Reference.Fields); err == nil && missing == 0 {
					targets[key] = true
				}
			}
			for i, row := range data {
				key, missing, err := keyOf(r, row, fk.Fields)
				switch {
				case err != nil:
					fail("%s foreign key: %v", r.Name, err)
				case missing == len(fk.Fields): // a wholly missing reference refers to nothing
				case !targets[key]:
					fail("%s row %d: foreign key %v %q not in %s", r.Name, i+1, fk.Fields, key, ref.Name)
				}
			}
		}
	}
	return problems
}

// keyOf joins the cells of row under fields, counting the missing ones.
func keyOf(r pkgResource, row []string, fields []string) (string, int, error) {
	parts := make([]string, len(fields))
	missing := 0
	for i, name := range fields {
		k := slices.IndexFunc(r.Schema.Fields, func(f pkgField) bool { return f.Name == name })
		if k < 0 {
			return "", 0, fmt.Errorf("%s has no field %s", r.Name, name)
		}
		if slices.Contains(r.Schema.MissingValues, row[k]) {
			missing++
		}
		parts[i] = row[k]
	}
	return strings.Join(parts, "|"), missing, nil
}

// checkCell returns why cell breaks field's rules, or "".
func checkCell(f pkgField, missingValues []string, cell string) string {
	c := f.Constraints
	if slices.Contains(missingValues, cell) {
		if c.Required {
			return "missing but required"
		}
		return ""
	}
	value, num, err := castCell(f, cell)
	if err != nil {
		return err.Error()
	}
	if c.Enum != nil {
		found := false
		for _, raw := range c.Enum {
			text := string(raw)
			if f.Type == TypeString {
				if err := json.Unmarshal(raw, &text); err != nil {
					return "enum: " + err.Error()
				}
			}
			v, _, err := castCell(f, text)
			if err != nil {
				return fmt.Sprintf("enum value %s: %v", raw, err)
			}
			found = found || v == value
		}
		if !found {
			return fmt.Sprintf("%q is not one of the enum", cell)
		}
	}
	if c.Minimum != nil && num < *c.Minimum {
		return fmt.Sprintf("%q is below the minimum %v", cell, *c.Minimum)
	}
	if c.Maximum != nil && num > *c.Maximum {
		return fmt.Sprintf("%q is above the maximum %v", cell, *c.Maximum)
	}
	return ""
}

// castCell casts cell to field's type, returning its logical value as text
// and, for numbers, as a float.
func castCell(f pkgField, cell string) (string, float64, error) {
	switch f.Type {
	case TypeString:
		return cell, 0, nil
	case TypeInteger:
		n, err := strconv.ParseInt(cell, 10, 64)
		if err != nil {
			return "", 0, fmt.Errorf("%q is not an integer", cell)
		}
		return strconv.FormatInt(n, 10), float64(n), nil
	case TypeNumber:
		n, err := strconv.ParseFloat(cell, 64)
		if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
			return "", 0, fmt.Errorf("%q is not a number", cell)
		}
		return strconv.FormatFloat(n, 'g', -1, 64), n, nil
	case TypeBoolean:
		switch {
		case slices.Contains(f.TrueValues, cell):
			return "true", 0, nil
		case slices.Contains(f.FalseValues, cell):
			return "false", 0, nil
		}
		return "", 0, fmt.Errorf("%q is not a boolean", cell)
	case TypeDatetime:
		tm, err := time.Parse(time.RFC3339, cell)
		if err != nil {
			return "", 0, fmt.Errorf("%q is not an RFC 3339 datetime", cell)
		}
		return tm.UTC().Format(time.RFC3339Nano), 0, nil
	}
	return "", 0, fmt.Errorf("unknown type %q", f.Type)
}

func TestDataPackageValidates(t *testing.T) {
	f := newFixture(t)
	files := unzipPackage(t, writeTestDataPackage(t, f))
	var names []string
	for _, file := range files {
		names = append(names, file.name)
	}
	want := []string{"datapackage.json", "participants.csv", "attempts.csv", "clicks.csv", "reports.csv", "sus.csv", "findings.csv", "tasks.csv", "screens.csv", "codebook.csv", "README.txt"}
	if !slices.Equal(names, want) {
		t.Errorf("files %q, want %q", names, want)
	}
	byName := filesByName(files)
	for _, p := range validateDataPackage(byName) {
		t.Error(p)
	}

	var d pkgDescriptor
	must(t, json.Unmarshal(byName["datapackage.json"], &d))
	if d.Name != "prescribing-releases-1.0-2.0" || d.Title != "Prescribing, every release" || d.Created != "2026-11-03T10:30:00Z" {
		t.Errorf("package name %q, title %q, created %q", d.Name, d.Title, d.Created)
	}
	schemas := map[string]pkgSchema{}
	var resources []string
	for _, r := range d.Resources {
		schemas[r.Name] = r.Schema
		resources = append(resources, r.Name)
		if r.Path != r.Name+".csv" {
			t.Errorf("%s path %q", r.Name, r.Path)
		}
	}
	if !slices.Equal(resources, TableNames()) {
		t.Errorf("resources %q, want %q", resources, TableNames())
	}
	t.Run("schemas follow the codebook", func(t *testing.T) {
		for _, c := range Codebook() {
			s := schemas[c.Table]
			k := slices.IndexFunc(s.Fields, func(f pkgField) bool { return f.Name == c.Column })
			if k < 0 {
				t.Errorf("%s.%s not in the schema", c.Table, c.Column)
				continue
			}
			if got := s.Fields[k]; got.Type != c.Type || got.Description != c.Label || got.Constraints.Required != c.Required {
				t.Errorf("%s.%s: field %+v", c.Table, c.Column, got)
			}
		}
	})
	t.Run("constraints", func(t *testing.T) {
		field := func(table, name string) pkgField {
			s := schemas[table]
			return s.Fields[slices.IndexFunc(s.Fields, func(f pkgField) bool { return f.Name == name })]
		}
		enum := func(f pkgField) string {
			var parts []string
			for _, raw := range f.Constraints.Enum {
				parts = append(parts, string(raw))
			}
			return strings.Join(parts, ",")
		}
		for _, tc := range []struct {
			table, field, enum string
			required           bool
			min, max           string
		}{
			{"attempts", "outcome", `"direct","indirect","gave_up"`, false, "", ""},
			{"attempts", "duration_ms", "", false, "1", ""},
			{"attempts", "ease", "", false, "1", "7"},
			{"attempts", "clicks", "", true, "0", ""},
			{"clicks", "hit", "true,false", true, "", ""},
			{"clicks", "t_ms", "", true, "0", ""},
			{"reports", "task", "", false, "", ""},
			{"reports", "severity", "1,2,3,4", true, "1", "4"},
			{"sus", "q10", "1,2,3,4,5", true, "1", "5"},
			{"sus", "score", "", true, "0", "100"},
			{"findings", "frequency", "", true, "0", "1"},
			{"findings", "status", `"new","accepted","planned","fixed","wont_fix","persisting"`, true, "", ""},
			{"participants", "profession", `"doctor","nurse","midwife","pharmacist","allied_health","healthcare_assistant","other"`, false, "", ""},
			{"participants", "legacy_familiarity", "", false, "1", "5"},
		} {
			f := field(tc.table, tc.field)
			c := f.Constraints
			format := func(p *float64) string {
				if p == nil {
					return ""
				}
				return strconv.FormatFloat(*p, 'g', -1, 64)
			}
			if enum(f) != tc.enum || c.Required != tc.required || format(c.Minimum) != tc.min || format(c.Maximum) != tc.max {
				t.Errorf("%s.%s: enum %s, required %v, minimum %s, maximum %s; want %s, %v, %s, %s", tc.table, tc.field,
					enum(f), c.Required, format(c.Minimum), format(c.Maximum), tc.enum, tc.required, tc.min, tc.max)
			}
		}
	})
	t.Run("keys", func(t *testing.T) {
		for table, want := range map[string]string{
			"participants": "participant_id,release", "attempts": "participant_id,release,task", "clicks": "participant_id,release,task,seq",
			"reports": "report_id", "sus": "participant_id,release", "findings": "finding_id,release", "tasks": "release,task", "screens": "release,screen",
			"codebook": "table,column",
		} {
			if got := strings.Join(schemas[table].PrimaryKey, ","); got != want {
				t.Errorf("%s primary key %s, want %s", table, got, want)
			}
		}
		fks := map[string][]string{}
		for table, s := range schemas {
			for _, fk := range s.ForeignKeys {
				fks[table] = append(fks[table], fmt.Sprintf("%s>%s.%s", strings.Join(fk.Fields, ","), fk.Reference.Resource, strings.Join(fk.Reference.Fields, ",")))
			}
		}
		want := map[string][]string{
			"attempts": {"participant_id,release>participants.participant_id,release", "release,task>tasks.release,task"},
			"clicks": {"participant_id,release,task>attempts.participant_id,release,task", "release,task>tasks.release,task",
				"release,screen>screens.release,screen"},
			"reports": {"participant_id,release>participants.participant_id,release", "finding_id,release>findings.finding_id,release",
				"release,screen>screens.release,screen"},
			"sus":   {"participant_id,release>participants.participant_id,release"},
			"tasks": {"release,start_screen>screens.release,screen"},
		}
		if !maps.EqualFunc(fks, want, slices.Equal) {
			t.Errorf("foreign keys %q, want %q", fks, want)
		}
	})
}

func TestDataPackageValidatorFails(t *testing.T) {
	f := newFixture(t)
	good := filesByName(unzipPackage(t, writeTestDataPackage(t, f)))
	if p := validateDataPackage(good); len(p) > 0 {
		t.Fatalf("the package does not validate: %q", p)
	}
	lines := func(name string) []string { return strings.SplitAfter(string(good[name]), "\r\n") }
	// edit returns a copy of the package whose file name is change(lines).
	edit := func(name string, change func(lines []string) []string) map[string][]byte {
		out := maps.Clone(good)
		out[name] = []byte(strings.Join(change(lines(name)), ""))
		return out
	}
	replaceCell := func(table, col, cell string) map[string][]byte {
		out := maps.Clone(good)
		recs, err := csv.NewReader(bytes.NewReader(good[table+".csv"])).ReadAll()
		must(t, err)
		recs[1][column(t, table, col)] = cell
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.UseCRLF = true
		must(t, w.WriteAll(recs))
		out[table+".csv"] = buf.Bytes()
		return out
	}
	for _, tc := range []struct {
		name  string
		files map[string][]byte
		want  string
	}{
		{"a click by an unknown participant", edit("clicks.csv", func(l []string) []string {
			return append(l, "P-0000000000000000,1.0,t1,1,5,a,5,5,true,b,pointer\r\n")
		}), `clicks row 7: foreign key [participant_id release task] "P-0000000000000000|1.0|t1" not in attempts`},
		{"a repeated primary key", edit("participants.csv", func(l []string) []string {
			return append(l, l[1])
		}), "participants row 4: primary key [participant_id release]"},
		{"a value outside the enum", replaceCell("attempts", "outcome", "maybe"), `attempts row 1 outcome: "maybe" is not one of the enum`},
		{"a missing required value", replaceCell("reports", "text", ""), "reports row 1 text: missing but required"},
		{"a number above the maximum", replaceCell("sus", "score", "100.5"), `sus row 1 score: "100.5" is above the maximum 100`},
		{"an integer below the minimum", replaceCell("clicks", "seq", "0"), `clicks row 1 seq: "0" is below the minimum 1`},
		{"text in an integer column", replaceCell("attempts", "clicks", "three"), `attempts row 1 clicks: "three" is not an integer`},
		{"a bad boolean", replaceCell("clicks", "hit", "yes"), `clicks row 1 hit: "yes" is not a boolean`},
		{"a bad datetime", replaceCell("participants", "started_at", "2026-11-02 09:00"), `participants row 1 started_at: "2026-11-02 09:00" is not an RFC 3339 datetime`},
		{"a report of an unknown finding", replaceCell("reports", "finding_id", "999"), `reports row 1: foreign key [finding_id release] "999|1.0" not in findings`},
		{"a header out of order", edit("sus.csv", func(l []string) []string {
			l[0] = strings.Replace(l[0], "q1,q2", "q2,q1", 1)
			return l
		}), "sus: header"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			problems := validateDataPackage(tc.files)
			if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, tc.want) }) {
				t.Errorf("problems %q, want one containing %q", problems, tc.want)
			}
		})
	}
}

func TestDataPackageRoundTrip(t *testing.T) {
	f := newFixture(t)
	files := filesByName(unzipPackage(t, writeTestDataPackage(t, f)))
	tables := append(DataTables(context.Background(), f.s, f.secret, []int64{f.r1, f.r1b}), CodebookTable())
	for _, table := range tables {
		t.Run(table.Name, func(t *testing.T) {
			recs, err := csv.NewReader(bytes.NewReader(files[table.Name+".csv"])).ReadAll()
			must(t, err)
			raw := collect(t, table)
			if len(recs) == 0 || !slices.Equal(recs[0], Columns(table.Name)) || len(recs)-1 != len(raw) {
				t.Fatalf("%d csv rows with header %q; want %d rows", len(recs)-1, recs[0], len(raw))
			}
			types := columnTypes(table.Name)
			for i, row := range raw {
				for k, cell := range row {
					back := recs[i+1][k]
					if types[table.Columns[k]] == TypeString {
						back = Restore(back)
					}
					if want := lineBreaks.Replace(cell); back != want {
						t.Errorf("row %d %s: %q, want %q", i, table.Columns[k], back, want)
					}
				}
			}
		})
	}
	readme := string(files["README.txt"])
	for _, want := range []string{`"Prescribing"`, `"Export team"`, "release 1.0", "release 2.0", "consented to research use",
		"withdrew", "keyed hash", "2026-11-03 10:30:00 UTC", FormulaNote, "attempts.csv (4 rows): One row per attempt", "participants.csv (3 rows)", "frictionless validate"} {
		if !strings.Contains(readme, want) {
			t.Errorf("README.txt does not say %q:\n%s", want, readme)
		}
	}
	for _, secret := range []string{"alice", "@example.nhs.uk", "BOB SECRET", "CAROL SECRET"} {
		for name, data := range files {
			if strings.Contains(string(data), secret) {
				t.Errorf("%s holds %q", name, secret)
			}
		}
	}
}

func TestDataPackageDeterministic(t *testing.T) {
	f := newFixture(t)
	a, b := writeTestDataPackage(t, f), writeTestDataPackage(t, f)
	if !bytes.Equal(a, b) {
		t.Error("two writes of one package differ")
	}
}

func TestDataPackageName(t *testing.T) {
	for _, tc := range []struct {
		meta Metadata
		want string
	}{
		{Metadata{Workflow: "Prescribing", Scope: "release", Releases: []Release{{Version: "1.0"}}}, "prescribing-release-1.0"},
		{Metadata{Workflow: "E-prescribing: Take 2!", Scope: "workflow", Releases: []Release{{Version: "v1"}, {Version: "v2 beta"}}}, "e-prescribing-take-2-releases-v1-v2-beta"},
		{Metadata{Workflow: "Été", Scope: "workflow"}, "t-releases"},
		{Metadata{Workflow: "", Scope: "release", Releases: []Release{{Version: "—"}}}, "release"},
	} {
		if got := packageName(tc.meta); got != tc.want || !packageNamePattern.MatchString(got) {
			t.Errorf("packageName(%q) = %q, want %q", tc.meta.Workflow, got, tc.want)
		}
	}
}

// TestDataPackageFrictionlessJS validates the package with frictionless-js,
// a Frictionless implementation, as well as with validateDataPackage.
func TestDataPackageFrictionlessJS(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: install Node.js, then run npm ci in the repository root")
	}
	root, err := filepath.Abs("../..")
	must(t, err)
	if _, err := os.Stat(filepath.Join(root, "node_modules", "datapackage", "package.json")); err != nil {
		t.Skip("the npm package datapackage is not installed: run npm ci (or make assets) in the repository root")
	}
	f := newFixture(t)
	zipPath := filepath.Join(t.TempDir(), "package.zip")
	must(t, os.WriteFile(zipPath, writeTestDataPackage(t, f), 0o600))
	script, err := filepath.Abs(filepath.Join("testdata", "validate-datapackage.mjs"))
	must(t, err)

	run := func(path string) (string, error) {
		out, err := exec.Command(node, script, path).CombinedOutput()
		return string(out), err
	}
	out, err := run(zipPath)
	if err != nil {
		t.Fatalf("frictionless-js: %v\n%s", err, out)
	}
	t.Log(strings.TrimSpace(out))

	t.Run("fails a broken package", func(t *testing.T) {
		dir := t.TempDir()
		for name, data := range filesByName(unzipPackage(t, writeTestDataPackage(t, f))) {
			if name == "clicks.csv" {
				data = append(data, "P-0000000000000000,1.0,t1,1,5,a,5,5,true,b,pointer\r\n"...)
			}
			if name == "participants.csv" {
				// A consent version below 1 (the profile fields are all
				// withheld in so small a package).
				data = bytes.Replace(data, []byte(",,,,,1,"), []byte(",,,,,0,"), 1)
			}
			must(t, os.WriteFile(filepath.Join(dir, name), data, 0o600))
		}
		out, err := run(filepath.Join(dir, "datapackage.json"))
		if err == nil || !strings.Contains(out, "clicks: Foreign key") || !strings.Contains(out, "participants:") {
			t.Errorf("frictionless-js passed a broken package: %v\n%s", err, out)
		}
		if testing.Verbose() {
			t.Logf("frictionless-js on a broken package:\n%s", out)
		}
	})
}

func TestDataPackageGolden(t *testing.T) {
	f := newFixture(t)
	for _, file := range unzipPackage(t, writeTestDataPackage(t, f)) {
		golden(t, "datapackage/"+file.name, file.data)
	}
}
