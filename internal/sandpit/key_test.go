package sandpit

import (
	"strings"
	"testing"
)

func TestKeyFromTitle(t *testing.T) {
	long := strings.Repeat("Medicines ", 20)
	tests := []struct {
		name, title string
		taken       []string
		want        string
	}{
		{"words become lower-case and hyphenated", "Ward list", nil, "ward-list"},
		{"punctuation is dropped", "Mrs Patel's record: medicines!", nil, "mrs-patels-record-medicines"},
		{"accented letters lose their accents", "Überprüfung der Medikation", nil, "uberprufung-der-medikation"},
		{"other scripts are transliterated", "Список пациентов", nil, "spisok-patsientov"},
		{"a title with nothing to keep falls back", "✓ ✓", nil, "screen"},
		{"a taken key gets a number", "Ward list", []string{"ward-list"}, "ward-list-2"},
		{"numbers count up past every taken key", "Ward list", []string{"ward-list", "ward-list-2", "ward-list-3"}, "ward-list-4"},
		{"a taken fallback gets a number too", "", []string{"screen"}, "screen-2"},
		{"a long title is cut to 64 characters", long, nil, strings.TrimRight(strings.Repeat("medicines-", 7)[:64], "-")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			taken := map[string]bool{}
			for _, k := range tt.taken {
				taken[k] = true
			}
			got := KeyFromTitle(tt.title, "screen", func(k string) bool { return taken[k] })
			if got != tt.want {
				t.Errorf("KeyFromTitle(%q) = %q, want %q", tt.title, got, tt.want)
			}
			if !ValidKey(got) {
				t.Errorf("KeyFromTitle(%q) = %q, not a valid key", tt.title, got)
			}
		})
	}
	t.Run("a cut key keeps its number within 64 characters", func(t *testing.T) {
		first := KeyFromTitle(long, "task", func(string) bool { return false })
		second := KeyFromTitle(long, "task", func(k string) bool { return k == first })
		if second == first || !ValidKey(second) || !strings.HasSuffix(second, "-2") {
			t.Errorf("second key = %q (first %q), want a valid key ending -2", second, first)
		}
	})
}
