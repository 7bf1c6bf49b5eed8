package export

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestPseudonym(t *testing.T) {
	secret := []byte("k")
	a := Pseudonym(secret, 1, 42)
	if a != Pseudonym(secret, 1, 42) {
		t.Error("pseudonym not stable")
	}
	if a == Pseudonym(secret, 2, 42) {
		t.Error("same pseudonym across workflows")
	}
	if a == Pseudonym([]byte("other"), 1, 42) {
		t.Error("pseudonym ignores the secret")
	}
	if len(a) != 18 || !strings.HasPrefix(a, "P-") {
		t.Errorf("pseudonym %q: want P- and 16 hex digits", a)
	}
}

func TestColumnsMatchAPI(t *testing.T) {
	want := map[string]string{
		"participants": "participant_id,profession,setting,years_experience,legacy_familiarity,consent_version,release,started_at,completed_at",
		"attempts":     "participant_id,release,task,outcome,duration_ms,clicks,misclicks,interruptions,path,ease,comment,assisted,started_at",
		"clicks":       "participant_id,release,task,seq,t_ms,screen,x,y,hit,target,via",
		"reports":      "report_id,participant_id,release,task,screen,x,y,category,severity,safety_concern,text,finding_id",
		"sus":          "participant_id,release,q1,q2,q3,q4,q5,q6,q7,q8,q9,q10,score",
		"findings":     "finding_id,release,title,category,severity,status,safety_concern,participants,frequency,response",
		"tasks":        "release,task,title,scenario,start_screen,success_screens,optimal_path,daily_frequency",
		"screens":      "release,screen,title,width,height",
		"codebook":     "table,column,type,unit,label,values",
	}
	if got := strings.Join(TableNames(), ","); got != "participants,attempts,clicks,reports,sus,findings,tasks,screens,codebook" {
		t.Errorf("tables %s", got)
	}
	for table, cols := range want {
		if got := strings.Join(Columns(table), ","); got != cols {
			t.Errorf("%s columns\n got %s\nwant %s", table, got, cols)
		}
	}
}

func TestCodebookCoversEveryColumn(t *testing.T) {
	var got []string
	for _, c := range Codebook() {
		got = append(got, c.Table+"."+c.Column)
		if c.Label == "" || c.Type == "" {
			t.Errorf("%s.%s has no label or type", c.Table, c.Column)
		}
		if !slices.Contains([]string{TypeString, TypeInteger, TypeNumber, TypeBoolean, TypeDatetime}, c.Type) {
			t.Errorf("%s.%s has type %q", c.Table, c.Column, c.Type)
		}
	}
	var want []string
	for _, table := range TableNames() {
		for _, col := range Columns(table) {
			want = append(want, table+"."+col)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("codebook columns\n got %v\nwant %v", got, want)
	}
	byName := map[string]Column{}
	for _, c := range Codebook() {
		byName[c.Table+"."+c.Column] = c
	}
	if v := byName["attempts.outcome"].ValuesText(); !strings.Contains(v, "direct = reached a success screen along the optimal path, no other screen shown") {
		t.Errorf("outcome values %q", v)
	}
	if l := byName["sus.q2"].Label; !strings.Contains(l, "I found the system unnecessarily complex.") {
		t.Errorf("q2 label %q", l)
	}
	if v := byName["reports.severity"].ValuesText(); v != "1 = Cosmetic; 2 = Minor; 3 = Major; 4 = Catastrophic" {
		t.Errorf("severity values %q", v)
	}
	if u := byName["attempts.duration_ms"].Unit; u != "ms" {
		t.Errorf("duration unit %q", u)
	}
}

func TestNeutralise(t *testing.T) {
	for in, want := range map[string]string{"=1+1": "'=1+1", "+44": "'+44", "-x": "'-x", "@SUM": "'@SUM", "\tx": "'\tx", "\rx": "'\rx",
		"x=1": "x=1", "": "", "plain": "plain", "'quoted": "''quoted"} {
		if got := Neutralise(in); got != want {
			t.Errorf("Neutralise(%q) = %q, want %q", in, got, want)
		}
		if got := Restore(Neutralise(in)); got != in {
			t.Errorf("Restore(Neutralise(%q)) = %q", in, got)
		}
	}
}

// exported is every table of one export, written as CSV and JSON.
type exported struct {
	raw  map[string][][]string // cells as the tables produce them
	csv  map[string][][]string // read back from the CSV, header first
	json map[string][]map[string]any
}

func export(t *testing.T, f *fixture, releaseIDs ...int64) exported {
	t.Helper()
	ctx := context.Background()
	tables := DataTables(ctx, f.s, f.secret, releaseIDs)
	e := exported{raw: map[string][][]string{}, csv: map[string][][]string{}}
	for _, table := range append(tables, CodebookTable()) {
		e.raw[table.Name] = collect(t, table)
		var buf bytes.Buffer
		if err := WriteCSV(&buf, table.Name, table.Rows); err != nil {
			t.Fatalf("csv %s: %v", table.Name, err)
		}
		r := csv.NewReader(&buf)
		rows, err := r.ReadAll()
		if err != nil {
			t.Fatalf("read csv %s: %v", table.Name, err)
		}
		e.csv[table.Name] = rows
	}
	var buf bytes.Buffer
	meta := map[string]any{"scope": "test", "releases": releaseIDs}
	if err := WriteJSON(&buf, meta, Codebook(), tables); err != nil {
		t.Fatalf("json: %v", err)
	}
	var doc struct {
		Metadata map[string]any              `json:"metadata"`
		Codebook []Column                    `json:"codebook"`
		Tables   map[string][]map[string]any `json:"tables"`
	}
	dec := json.NewDecoder(&buf)
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("json does not parse: %v", err)
	}
	if doc.Metadata["scope"] != "test" || len(doc.Codebook) != len(Codebook()) {
		t.Errorf("json metadata %v, %d codebook columns", doc.Metadata, len(doc.Codebook))
	}
	if len(doc.Tables) != 8 {
		t.Errorf("json has %d tables, want the 8 data tables", len(doc.Tables))
	}
	e.json = doc.Tables
	return e
}

// every calls check with every cell of every table of e, in every format.
func (e exported) every(check func(where, cell string)) {
	for name, rows := range e.raw {
		for _, row := range rows {
			for _, c := range row {
				check(name+" (cells)", c)
			}
		}
	}
	for name, rows := range e.csv {
		for _, row := range rows {
			for _, c := range row {
				check(name+" (csv)", c)
			}
		}
	}
	for name, rows := range e.json {
		for _, row := range rows {
			for _, v := range row {
				if s, ok := v.(string); ok {
					check(name+" (json)", s)
				}
			}
		}
	}
}

func TestExportConsentedOnly(t *testing.T) {
	f := newFixture(t)
	e := export(t, f, f.r1, f.r1b)
	bob, carol := Pseudonym(f.secret, f.wf1, f.bob.ID), Pseudonym(f.secret, f.wf1, f.carol.ID)
	e.every(func(where, cell string) {
		for _, bad := range []string{bob, carol, "BOB SECRET", "CAROL SECRET", "@example.nhs.uk", "Name alice"} {
			if strings.Contains(cell, bad) {
				t.Errorf("%s holds %q: %q", where, bad, cell)
			}
		}
	})
	alice, dave := Pseudonym(f.secret, f.wf1, f.alice.ID), Pseudonym(f.secret, f.wf1, f.dave.ID)
	var ids []string
	for _, row := range e.raw["participants"] {
		ids = append(ids, row[0]+"@"+row[column(t, "participants", "release")])
	}
	if want := []string{alice + "@1.0", dave + "@1.0", alice + "@2.0"}; !slices.Equal(ids, want) {
		t.Errorf("participants %v, want %v", ids, want)
	}
	// SUS: only Alice in release 1.0 (Bob did not consent, Carol withdrew).
	if n := len(e.raw["sus"]); n != 1 {
		t.Errorf("%d sus rows, want 1", n)
	}
	if got := e.raw["sus"][0]; got[0] != alice || got[2] != "4" || got[12] != "85" {
		t.Errorf("sus row %v", got)
	}
	// Reports: Alice's tricky texts in 1.0, one in 2.0.
	if n := len(e.raw["reports"]); n != len(trickyTexts)+1 {
		t.Errorf("%d reports, want %d", n, len(trickyTexts)+1)
	}
	// The finding Bob's report started holds Alice's first report: its
	// title and counts come from consented reports only.
	var first []string
	for _, row := range e.raw["findings"] {
		if row[1] == "1.0" && row[6] == "true" {
			first = row
		}
	}
	if first == nil {
		t.Fatalf("no safety finding for 1.0 in %v", e.raw["findings"])
	}
	if first[2] != "=1+1" || first[7] != "1" || first[8] != "0.5" || first[5] != "new" || first[4] != "3" || first[3] != "navigation" {
		t.Errorf("finding row %q", first)
	}
}

func TestExportAttemptsAndClicks(t *testing.T) {
	f := newFixture(t)
	e := export(t, f, f.r1)
	alice, dave := Pseudonym(f.secret, f.wf1, f.alice.ID), Pseudonym(f.secret, f.wf1, f.dave.ID)
	att := e.raw["attempts"]
	if len(att) != 3 {
		t.Fatalf("attempts %q", att)
	}
	// participant_id, release, task, outcome, duration_ms, clicks, misclicks, interruptions, path, ease, comment
	a1, a2, d1 := att[0], att[1], att[2]
	if a1[0] != alice || a1[2] != "t1" || a1[3] != "direct" && a1[3] != "indirect" || a1[4] == "" || a1[5] != "3" || a1[6] != "1" ||
		a1[8] != "a>b>done" || a1[9] != "6" || !strings.HasPrefix(a1[10], "=HYPERLINK") {
		t.Errorf("alice t1 %q", a1)
	}
	if a2[2] != "t2" || a2[3] != "gave_up" || a2[7] != "1" || a2[8] != "a" || a2[9] != "" {
		t.Errorf("alice t2 %q", a2)
	}
	if d1[0] != dave || d1[3] != "" || d1[4] != "" || d1[9] != "" {
		t.Errorf("dave t1 %q: want no outcome, duration or ease", d1)
	}
	clicks := e.raw["clicks"]
	if len(clicks) != 4 {
		t.Fatalf("clicks %q", clicks)
	}
	if c := clicks[1]; c[3] != "2" || c[5] != "b" || c[6] != "50" || c[8] != "false" || c[9] != "" {
		t.Errorf("misclick %q", c)
	}
	if c := clicks[0]; c[8] != "true" || c[9] != "b" {
		t.Errorf("hit %q", c)
	}
	p := e.raw["participants"]
	// Two participants are fewer than 5, so no profile field is shown
	// (API.md, "Quasi-identifiers"; TestSuppress covers the rule).
	if len(p) != 2 || strings.Join(p[0][1:5], "") != "" || strings.Join(p[1][1:5], "") != "" || !strings.HasSuffix(p[0][7], "Z") || p[0][8] != "" {
		t.Errorf("participants %q", p)
	}
	// JSON types: numbers, booleans and null.
	j := e.json["attempts"][2]
	if j["outcome"] != nil || j["duration_ms"] != nil || j["clicks"] != json.Number("0") {
		t.Errorf("json dave attempt %v", j)
	}
	if v := e.json["clicks"][1]["hit"]; v != false {
		t.Errorf("json hit %#v", v)
	}
}

func TestPseudonymsAcrossWorkflows(t *testing.T) {
	f := newFixture(t)
	w1 := export(t, f, f.r1, f.r1b)
	w2 := export(t, f, f.r2)
	in1 := Pseudonym(f.secret, f.wf1, f.alice.ID)
	in2 := Pseudonym(f.secret, f.wf2, f.alice.ID)
	if in1 == in2 {
		t.Fatal("alice has one pseudonym in two workflows")
	}
	for _, row := range w1.raw["attempts"] {
		if row[0] != in1 && row[0] != Pseudonym(f.secret, f.wf1, f.dave.ID) {
			t.Errorf("workflow 1 attempt by %s", row[0])
		}
	}
	if p := w1.raw["participants"]; p[0][0] != p[2][0] {
		t.Errorf("alice's pseudonym differs between releases of one workflow: %q", p)
	}
	for _, row := range w2.raw["participants"] {
		if row[0] != in2 {
			t.Errorf("workflow 2 participant %s, want %s", row[0], in2)
		}
	}
}

func TestCSVRoundTripAndJSONAgree(t *testing.T) {
	f := newFixture(t)
	e := export(t, f, f.r1, f.r1b)
	for name, raw := range e.raw {
		got := e.csv[name]
		if len(got) == 0 || !slices.Equal(got[0], Columns(name)) {
			t.Errorf("%s csv header %q", name, got)
			continue
		}
		if len(got)-1 != len(raw) {
			t.Errorf("%s: %d csv rows, %d rows", name, len(got)-1, len(raw))
			continue
		}
		types := columnTypes(name)
		for i, row := range raw {
			for k, cell := range row {
				back := got[i+1][k]
				if types[Columns(name)[k]] == TypeString {
					back = Restore(back)
				}
				if want := lineBreaks.Replace(cell); back != want {
					t.Errorf("%s row %d %s: csv %q, want %q", name, i, Columns(name)[k], back, want)
				}
			}
		}
		if name == TableCodebook {
			continue
		}
		js := e.json[name]
		if len(js) != len(raw) {
			t.Errorf("%s: %d json rows, %d rows", name, len(js), len(raw))
			continue
		}
		for i, row := range raw {
			for k, cell := range row {
				col := Columns(name)[k]
				v, ok := js[i][col]
				if !ok {
					t.Errorf("%s row %d has no %s in json", name, i, col)
				}
				var s string
				switch v := v.(type) {
				case nil:
				case json.Number:
					s = v.String()
				case bool:
					s = map[bool]string{true: "true", false: "false"}[v]
				case string:
					s = v
				}
				if s != cell || (cell == "" && v != nil) {
					t.Errorf("%s row %d %s: json %#v, cell %q", name, i, col, v, cell)
				}
			}
		}
	}
	// Free text survives: quotes, commas, line breaks, emoji, right to left;
	// formula-like text gains exactly one apostrophe.
	texts := map[string]bool{}
	for _, row := range e.csv["reports"][1:] {
		texts[row[column(t, "reports", "text")]] = true
	}
	for _, text := range trickyTexts {
		want := strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
		if strings.ContainsAny(text[:1], "=+-@\t\r") {
			want = "'" + want
		}
		if !texts[want] {
			t.Errorf("text %q did not survive the csv: want %q in %v", text, want, texts)
		}
	}
	for _, neutral := range []string{"'=1+1", "'+44 20 7946 0000", "'-x", "'@SUM(A1:A2)", "'\tx"} {
		if !texts[neutral] {
			t.Errorf("%q not neutralised", neutral)
		}
	}
	var jtexts []string
	for _, row := range e.json["reports"] {
		jtexts = append(jtexts, row["text"].(string))
	}
	for _, text := range trickyTexts {
		if !slices.Contains(jtexts, text) {
			t.Errorf("json lost text %q", text)
		}
	}
}

func TestEmptyScope(t *testing.T) {
	f := newFixture(t)
	e := export(t, f)
	for _, name := range DataTableNames() {
		if len(e.raw[name]) != 0 || len(e.csv[name]) != 1 || len(e.json[name]) != 0 {
			t.Errorf("%s not empty for an empty scope", name)
		}
	}
}

func TestRowsStopAtFirstError(t *testing.T) {
	f := newFixture(t)
	stop := errors.New("stop")
	for _, table := range DataTables(context.Background(), f.s, f.secret, []int64{f.r1}) {
		n := 0
		err := table.Rows(func([]string) error { n++; return stop })
		if table.Name == TableSUS || table.Name == TableFindings || n > 0 {
			if !errors.Is(err, stop) || n != 1 {
				t.Errorf("%s: %d rows, err %v; want to stop after the first", table.Name, n, err)
			}
		}
		var buf bytes.Buffer
		if err := WriteCSV(&buf, table.Name, func(yield func([]string) error) error { return yield([]string{"too few"}) }); err == nil {
			t.Errorf("%s: a short row written", table.Name)
		}
	}
}

func TestPrintSample(t *testing.T) {
	if !testing.Verbose() {
		t.Skip("run with -v to see a sample export")
	}
	f := newFixture(t)
	for _, table := range DataTables(context.Background(), f.s, f.secret, []int64{f.r1}) {
		var buf bytes.Buffer
		must(t, WriteCSV(&buf, table.Name, table.Rows))
		t.Logf("%s.csv\n%s", table.Name, buf.String())
	}
}
