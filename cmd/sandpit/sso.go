package main

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"strings"

	"github.com/sandpit-nhs/sandpit/internal/app"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// providerName is what a provider's name may be: it goes into URLs.
var providerName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// loadSSO reads the OpenID Providers SANDPIT_OIDC_PROVIDERS names, each
// from its SANDPIT_OIDC_<NAME>_… settings, naming the first bad one.
func loadSSO(getenv func(string) string) ([]app.SSOProvider, error) {
	var providers []app.SSOProvider
	for _, name := range strings.Split(getenv("SANDPIT_OIDC_PROVIDERS"), ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		p, err := loadProvider(name, getenv)
		if err != nil {
			return nil, err
		}
		for _, q := range providers {
			if q.Name == p.Name {
				return nil, fmt.Errorf("SANDPIT_OIDC_PROVIDERS: %s is listed twice", name)
			}
		}
		providers = append(providers, p)
	}
	return providers, nil
}

// loadProvider reads provider name's settings.
func loadProvider(name string, getenv func(string) string) (app.SSOProvider, error) {
	lower := strings.ToLower(name)
	env := "SANDPIT_OIDC_" + strings.ToUpper(name) + "_"
	get := func(key string) string { return strings.TrimSpace(getenv(env + key)) }
	if !providerName.MatchString(lower) || lower == "profile" {
		return app.SSOProvider{}, fmt.Errorf("SANDPIT_OIDC_PROVIDERS: %q: a name is a letter, then letters, digits or _ (at most 32), like NHSMAIL", name)
	}
	p := app.SSOProvider{Name: lower, Label: get("LABEL"), Issuer: get("ISSUER"), ClientID: get("CLIENT_ID"),
		ClientSecret: getenv(env + "CLIENT_SECRET"), KeyID: get("KEY_ID"), RoleClaim: get("ROLE_CLAIM"), JobRoleClaim: get("JOB_ROLE_CLAIM")}
	if p.Label == "" {
		p.Label = name
	}
	u, err := url.Parse(p.Issuer)
	if err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname()))) {
		return p, fmt.Errorf("%sISSUER %q: want the provider's https address, e.g. https://login.microsoftonline.com/<tenant>/v2.0", env, p.Issuer)
	}
	if p.ClientID == "" {
		return p, fmt.Errorf("%sCLIENT_ID: set the client id the provider gave Sandpit", env)
	}
	if keyFile := get("PRIVATE_KEY_FILE"); keyFile != "" {
		if p.KeyID == "" {
			return p, fmt.Errorf("%sKEY_ID: set the id of the key in %sPRIVATE_KEY_FILE, as registered with the provider", env, env)
		}
		if p.PrivateKey, err = readPrivateKey(keyFile); err != nil {
			return p, fmt.Errorf("%sPRIVATE_KEY_FILE: %v", env, err)
		}
		p.ClientSecret = ""
	} else if p.ClientSecret == "" {
		return p, fmt.Errorf("%sCLIENT_SECRET or %sPRIVATE_KEY_FILE: set how Sandpit proves itself to the provider", env, env)
	}
	scopes := get("SCOPES")
	if scopes == "" {
		scopes = "profile email"
	}
	for _, s := range strings.FieldsFunc(scopes, func(r rune) bool { return r == ',' || r == ' ' }) {
		if s != "openid" {
			p.Scopes = append(p.Scopes, s)
		}
	}
	if mapping := get("ROLE_MAP"); mapping != "" {
		if p.RoleClaim == "" {
			return p, fmt.Errorf("%sROLE_MAP: set %sROLE_CLAIM too, naming the claim whose values it maps", env, env)
		}
		p.RoleMap = map[string]sandpit.Role{}
		for _, pair := range strings.Split(mapping, ",") {
			value, role, ok := strings.Cut(pair, "=")
			r := sandpit.Role(strings.TrimSpace(role))
			if !ok || strings.TrimSpace(value) == "" || !r.Valid() || r == sandpit.RoleAdmin {
				return p, fmt.Errorf("%sROLE_MAP %q: want claim value=role pairs separated by commas; roles are clinician, product_owner, researcher or safety_officer (admin is never mapped)", env, pair)
			}
			p.RoleMap[strings.TrimSpace(value)] = r
		}
	}
	return p, nil
}

// isLoopback reports whether host is this machine, where a test provider
// may run without TLS.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// readPrivateKey reads an RSA or EC private key in PEM (PKCS #8, PKCS #1
// or SEC 1).
func readPrivateKey(path string) (crypto.Signer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("%s holds no PEM block", path)
	}
	if k, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		if s, ok := k.(crypto.Signer); ok {
			return s, nil
		}
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	if k, err := x509.ParseECPrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	return nil, fmt.Errorf("%s is not an RSA or EC private key in PEM", path)
}
