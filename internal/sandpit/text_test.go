package sandpit_test

import (
	"strings"
	"testing"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

func TestCheckText(t *testing.T) {
	tests := []struct {
		name, value string
		kind        sandpit.TextKind
		code        string
	}{
		{"plain line", "Find the allergies", sandpit.TextLine, ""},
		{"NUL", "a\x00b", sandpit.TextBlock, sandpit.FieldControl},
		{"escape", "a\x1b[31mb", sandpit.TextLine, sandpit.FieldControl},
		{"C1 control", "a\u0085b", sandpit.TextLine, sandpit.FieldControl},
		{"direction override", "abc\u202edef", sandpit.TextLine, sandpit.FieldControl},
		{"newline in a line", "a\nb", sandpit.TextLine, sandpit.FieldControl},
		{"newline and tab in a block", "a\n\tb\r\n", sandpit.TextBlock, ""},
		{"invalid UTF-8", "a\xffb", sandpit.TextBlock, sandpit.FieldEncoding},
		{"long line", strings.Repeat("é", sandpit.MaxLineRunes+1), sandpit.TextLine, sandpit.FieldTooLong},
		{"long block", strings.Repeat("a", sandpit.MaxBlockRunes+1), sandpit.TextBlock, sandpit.FieldTooLong},
		{"real NHS number", "Mrs Smith 943\u00a0476\u00a05919", sandpit.TextBlock, sandpit.FieldPatientID},
		{"test NHS number", "Mrs Smith 999 777 6666", sandpit.TextBlock, ""},
		{"NHS number as a password", "9434765919", sandpit.TextSecret, ""},
		{"data URI", "data:image/png;base64,AAAA", sandpit.TextData, ""},
		{"data URI with NUL", "data:image/png;base64,AA\x00A", sandpit.TextData, sandpit.FieldControl},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, bad := sandpit.CheckText("f", tt.value, tt.kind)
			if bad != (tt.code != "") || f.Code != tt.code {
				t.Errorf("CheckText = %+v, %v; want code %q", f, bad, tt.code)
			}
			if bad && f.Field != "f" {
				t.Errorf("field = %q", f.Field)
			}
		})
	}
}

func TestCheckJSONText(t *testing.T) {
	tests := []struct {
		name, body string
		want       []string // field: code
	}{
		{"clean", `{"text":"fine","n":1,"tags":["a","b"]}`, nil},
		{"NUL at the top", `{"email":"a\u0000@b"}`, []string{"email:control_character"}},
		{"nested", `{"screens":[{"key":"a","hotspots":[{"x":1,"label":"ok"},{"label":"943 476 5919"}]}],"tasks":[{"scenario":"line\nbreak"}]}`,
			[]string{"screens[0].hotspots[1].label:patient_identifier"}},
		{"line break in a title", `{"tasks":[{"title":"a"},{"title":"b\nc"}]}`, []string{"tasks[1].title:control_character"}},
		{"invalid UTF-8", "{\"a\":\"ok\",\"notes\":\"\xff\"}", []string{"notes:encoding"}},
		{"array of strings", `{"success":["a","9434765919"]}`, []string{"success[1]:patient_identifier"}},
		{"image data", `{"screens":[{"image":"data:image/png;base64,9434765919"}]}`, nil},
		{"a bare string", `"943 476 5919"`, []string{"body:patient_identifier"}},
		{"not JSON", `{"text":`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, f := range sandpit.CheckJSONText([]byte(tt.body)) {
				got = append(got, f.Field+":"+f.Code)
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("CheckJSONText = %v, want %v", got, tt.want)
			}
		})
	}
}
