package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store/storetest"
)

func TestLoadSSO(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "cis2.pem")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	good := map[string]string{
		"SANDPIT_OIDC_PROVIDERS":              "CIS2, nhsmail",
		"SANDPIT_OIDC_CIS2_ISSUER":            "https://am.nhsidentity.example/realms/Healthcare",
		"SANDPIT_OIDC_CIS2_CLIENT_ID":         "sandpit",
		"SANDPIT_OIDC_CIS2_PRIVATE_KEY_FILE":  keyFile,
		"SANDPIT_OIDC_CIS2_KEY_ID":            "k1",
		"SANDPIT_OIDC_CIS2_LABEL":             "NHS Care Identity",
		"SANDPIT_OIDC_NHSMAIL_ISSUER":         "https://login.microsoftonline.com/tenant/v2.0",
		"SANDPIT_OIDC_NHSMAIL_CLIENT_ID":      "app",
		"SANDPIT_OIDC_NHSMAIL_CLIENT_SECRET":  "secret",
		"SANDPIT_OIDC_NHSMAIL_SCOPES":         "openid, profile email offline_access",
		"SANDPIT_OIDC_NHSMAIL_ROLE_CLAIM":     "roles",
		"SANDPIT_OIDC_NHSMAIL_ROLE_MAP":       "Sandpit Researcher=researcher, Safety=safety_officer",
		"SANDPIT_OIDC_NHSMAIL_JOB_ROLE_CLAIM": "jobTitle",
	}
	providers, err := loadSSO(func(k string) string { return good[k] })
	if err != nil {
		t.Fatal(err)
	}
	if len(providers) != 2 || providers[0].Name != "cis2" || providers[1].Name != "nhsmail" {
		t.Fatalf("providers %+v", providers)
	}
	cis2, nhsmail := providers[0], providers[1]
	if cis2.PrivateKey == nil || cis2.KeyID != "k1" || cis2.ClientSecret != "" || cis2.Label != "NHS Care Identity" ||
		strings.Join(cis2.Scopes, " ") != "profile email" {
		t.Errorf("cis2 %+v", cis2)
	}
	if nhsmail.Label != "nhsmail" || strings.Join(nhsmail.Scopes, " ") != "profile email offline_access" ||
		nhsmail.RoleMap["Sandpit Researcher"] != sandpit.RoleResearcher || nhsmail.RoleMap["Safety"] != sandpit.RoleSafetyOfficer ||
		len(nhsmail.RoleMap) != 2 || nhsmail.JobRoleClaim != "jobTitle" {
		t.Errorf("nhsmail %+v", nhsmail)
	}

	for _, tt := range []struct {
		name   string
		change map[string]string
		want   string
	}{
		{"no issuer", map[string]string{"SANDPIT_OIDC_CIS2_ISSUER": ""}, "SANDPIT_OIDC_CIS2_ISSUER"},
		{"a plain http issuer elsewhere", map[string]string{"SANDPIT_OIDC_CIS2_ISSUER": "http://idp.example"}, "SANDPIT_OIDC_CIS2_ISSUER"},
		{"no client id", map[string]string{"SANDPIT_OIDC_NHSMAIL_CLIENT_ID": ""}, "SANDPIT_OIDC_NHSMAIL_CLIENT_ID"},
		{"neither secret nor key", map[string]string{"SANDPIT_OIDC_NHSMAIL_CLIENT_SECRET": ""}, "SANDPIT_OIDC_NHSMAIL_CLIENT_SECRET or"},
		{"a key without its id", map[string]string{"SANDPIT_OIDC_CIS2_KEY_ID": ""}, "SANDPIT_OIDC_CIS2_KEY_ID"},
		{"a key file that is not a key", map[string]string{"SANDPIT_OIDC_CIS2_PRIVATE_KEY_FILE": "sso_test.go"}, "no PEM block"},
		{"admin from a claim", map[string]string{"SANDPIT_OIDC_NHSMAIL_ROLE_MAP": "Boss=admin"}, "admin is never mapped"},
		{"a map without its claim", map[string]string{"SANDPIT_OIDC_NHSMAIL_ROLE_CLAIM": ""}, "SANDPIT_OIDC_NHSMAIL_ROLE_CLAIM"},
		{"a name that cannot be a path", map[string]string{"SANDPIT_OIDC_PROVIDERS": "nhs/mail"}, "a name is a letter"},
		{"a name twice", map[string]string{"SANDPIT_OIDC_PROVIDERS": "cis2,CIS2"}, "listed twice"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range good {
				env[k] = v
			}
			for k, v := range tt.change {
				env[k] = v
			}
			_, err := loadSSO(func(k string) string { return env[k] })
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one naming %q", err, tt.want)
			}
		})
	}

	t.Run("passwords off needs a provider", func(t *testing.T) {
		env := map[string]string{"SANDPIT_PASSWORD_SIGNIN": "false", "SANDPIT_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "x.db")}
		err := run(context.Background(), []string{"sandpit", "serve"}, func(k string) string { return env[k] }, strings.NewReader(""), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "SANDPIT_PASSWORD_SIGNIN=false needs an identity provider") {
			t.Fatalf("error %v", err)
		}
	})
}

func TestAdminSignInLink(t *testing.T) {
	ctx := context.Background()
	url := storetest.URL(t)
	env := map[string]string{"SANDPIT_DATABASE_URL": url, "SANDPIT_PASSWORD_COST": "4", "SANDPIT_BASE_URL": "https://sandpit.example.nhs.uk"}
	getenv := func(name string) string { return env[name] }
	if err := run(ctx, []string{"sandpit", "admin", "create", "--email", "admin@example.nhs.uk", "--name", "Admin"}, getenv,
		strings.NewReader("a long and unusual passphrase\n"), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	if err := run(ctx, []string{"sandpit", "admin", "sign-in-link", "--email", "ADMIN@example.nhs.uk"}, getenv, strings.NewReader(""), &stdout, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^https://sandpit\.example\.nhs\.uk/sign-in/link/sandpit_\S+$`).MatchString(stdout.String()) {
		t.Errorf("stdout = %q", stdout.String())
	}
	st := storetest.Open(t, url, time.Now)
	if n, err := storetest.Count(ctx, st, "SELECT COUNT(*) FROM audit_events WHERE action = ?", sandpit.AuditSignInLink); err != nil || n != 1 {
		t.Errorf("%d audit entries (%v)", n, err)
	}
	err := run(ctx, []string{"sandpit", "admin", "sign-in-link", "--email", "nobody@example.nhs.uk"}, getenv, strings.NewReader(""), io.Discard, io.Discard)
	if err == nil {
		t.Error("a link for nobody")
	}
}
