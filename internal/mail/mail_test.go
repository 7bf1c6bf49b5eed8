package mail

import (
	"testing"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

func TestParseSMTPURL(t *testing.T) {
	for _, tt := range []struct {
		raw  string
		want SMTP
	}{
		{"smtp://relay.nhs.net", SMTP{Host: "relay.nhs.net", Port: 587, TLS: "starttls"}},
		{"smtp://user%40trust:p%3Ass@relay.nhs.net:2525?starttls=required", SMTP{Host: "relay.nhs.net", Port: 2525, Username: "user@trust", Password: "p:ss", TLS: "starttls"}},
		{"smtp://relay:25?starttls=opportunistic", SMTP{Host: "relay", Port: 25, TLS: "opportunistic"}},
		{"smtp://127.0.0.1:1025?starttls=none", SMTP{Host: "127.0.0.1", Port: 1025, TLS: "none"}},
		{"smtps://u:p@relay.nhs.net", SMTP{Host: "relay.nhs.net", Port: 465, Username: "u", Password: "p", TLS: "tls"}},
	} {
		got, err := ParseSMTPURL(tt.raw)
		if err != nil || got != tt.want {
			t.Errorf("ParseSMTPURL(%q) = %+v, %v; want %+v", tt.raw, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "relay.nhs.net:587", "http://relay", "smtp://", "smtp://relay:0", "smtp://relay:99999",
		"smtp://relay?starttls=maybe", "smtps://relay?starttls=none", "smtp://relay?tls=yes"} {
		if _, err := ParseSMTPURL(bad); err == nil {
			t.Errorf("ParseSMTPURL(%q) accepted", bad)
		}
	}
}

func TestRetryDelayDoublesToThirtySeconds(t *testing.T) {
	// Worked by hand: 1, 2, 4, 8, 16, then 30 s for ever.
	want := []time.Duration{1, 2, 4, 8, 16, 30, 30, 30}
	for i, w := range want {
		if got := sandpit.MailRetryDelay(i + 1); got != w*time.Second {
			t.Errorf("after %d tries: %v, want %v", i+1, got, w*time.Second)
		}
	}
	if got := sandpit.MailRetryDelay(1000); got != 30*time.Second {
		t.Errorf("after 1000 tries: %v", got)
	}
}
