package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/crypto/bcrypt"

	"github.com/sandpit-nhs/sandpit/internal/app"
	"github.com/sandpit-nhs/sandpit/internal/ocr"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// config is Sandpit's settings for serving, read from the environment and
// then from flags of the same names.
type config struct {
	Addr        string
	DatabaseURL string
	BaseURL     string
	SessionKeys string
	PseudoKey   string
	LogFormat   string
	OpenReg     string
	Proxies     string
	OCR         string
	Tesseract   string
	MetricsAddr string
	PasswordIn  string
	Demo        bool

	// Parsed from the strings above by check.
	database     store.Location
	baseURL      *url.URL
	keys         [][]byte
	openReg      bool
	proxies      []*net.IPNet
	passwordCost int
	passwordOff  bool
	sso          []app.SSOProvider
}

// minSessionKeyLength is the shortest session key accepted, in bytes.
const minSessionKeyLength = 32

// settingEnv names the environment variable behind each setting's flag.
var settingEnv = map[string]string{
	"addr":              "SANDPIT_ADDR",
	"database-url":      "SANDPIT_DATABASE_URL",
	"base-url":          "SANDPIT_BASE_URL",
	"session-keys":      "SANDPIT_SESSION_KEYS",
	"pseudonym-key":     "SANDPIT_PSEUDONYM_KEY",
	"log-format":        "SANDPIT_LOG_FORMAT",
	"open-registration": "SANDPIT_OPEN_REGISTRATION",
	"trusted-proxies":   "SANDPIT_TRUSTED_PROXIES",
	"password-cost":     "SANDPIT_PASSWORD_COST",
	"ocr":               "SANDPIT_OCR",
	"tesseract":         "SANDPIT_TESSERACT",
	"metrics-addr":      "SANDPIT_METRICS_ADDR",
	"password-signin":   "SANDPIT_PASSWORD_SIGNIN",
}

// flags defines each setting on fs with its built-in default. The help text
// shows those defaults, never a value from the environment, which may be a
// secret.
func (c *config) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", ":8080", "SANDPIT_ADDR: the address to listen on")
	fs.StringVar(&c.DatabaseURL, "database-url", "sqlite:sandpit.db", "SANDPIT_DATABASE_URL: sqlite:PATH, or postgres://user:pass@host:5432/db for several replicas")
	fs.StringVar(&c.BaseURL, "base-url", "http://localhost:8080", "SANDPIT_BASE_URL: the address users reach Sandpit at; https makes cookies Secure and turns on HSTS")
	fs.StringVar(&c.SessionKeys, "session-keys", "", "SANDPIT_SESSION_KEYS: comma-separated keys of 32 or more characters; the first signs, all verify (default: generated once and kept in the database)")
	fs.StringVar(&c.PseudoKey, "pseudonym-key", "", "SANDPIT_PSEUDONYM_KEY: the key, 32 or more characters, of the keyed hash that makes research exports' participant ids; changing it changes every participant id (default: generated once and kept in the database)")
	fs.StringVar(&c.LogFormat, "log-format", "json", "SANDPIT_LOG_FORMAT: json or text")
	fs.StringVar(&c.OpenReg, "open-registration", "true", "SANDPIT_OPEN_REGISTRATION: true lets anyone register as a clinician; false leaves account creation to admins")
	fs.StringVar(&c.Proxies, "trusted-proxies", "", "SANDPIT_TRUSTED_PROXIES: comma-separated CIDR ranges of the load balancers whose X-Forwarded-For names the client (default: none; the client is the socket address)")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", "127.0.0.1:9090", "SANDPIT_METRICS_ADDR: the address /metrics is served on, apart from the site so the public never reaches it; off serves no metrics")
	fs.IntVar(&c.passwordCost, "password-cost", sandpit.DefaultPasswordCost, "SANDPIT_PASSWORD_COST: bcrypt's cost for new password hashes, 4 to 16; below 10 only in tests")
	fs.StringVar(&c.OCR, "ocr", "on", "SANDPIT_OCR: on reads every uploaded screen with Tesseract and refuses one showing a real NHS number (Sandpit will not start without the tesseract binary); off leaves screens unchecked, and the upload pages say so")
	fs.StringVar(&c.Tesseract, "tesseract", "tesseract", "SANDPIT_TESSERACT: the tesseract binary, a path or a name on PATH")
	fs.StringVar(&c.PasswordIn, "password-signin", "true", "SANDPIT_PASSWORD_SIGNIN: false turns off signing in, registering and setting passwords with passwords, pages and API, for organisations that require their own sign-in (SANDPIT_OIDC_PROVIDERS); admins keep sandpit admin sign-in-link")
	fs.BoolVar(&c.Demo, "demo", false, "load the demo team, workflow and accounts, and print the accounts")
}

// applyEnv sets each setting that no flag set from its environment variable.
func applyEnv(fs *flag.FlagSet, getenv func(string) string) error {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for name, env := range settingEnv {
		if v := getenv(env); v != "" && !set[name] {
			if err := fs.Set(name, v); err != nil {
				return fmt.Errorf("%s: %v", env, err)
			}
		}
	}
	return nil
}

// check validates every setting, naming the first bad one.
func (c *config) check() error {
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("SANDPIT_ADDR %q: want host:port, e.g. :8080", c.Addr)
	}
	loc, err := store.ParseURL(c.DatabaseURL)
	if err != nil {
		return fmt.Errorf("SANDPIT_DATABASE_URL: %v", err)
	}
	c.database = loc
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return fmt.Errorf("SANDPIT_BASE_URL %q: want http(s)://host[:port] with no path, e.g. https://sandpit.example.nhs.uk", c.BaseURL)
	}
	u.Path = ""
	c.baseURL = u
	switch c.LogFormat {
	case "json", "text":
	default:
		return fmt.Errorf("SANDPIT_LOG_FORMAT %q: want json or text", c.LogFormat)
	}
	if c.passwordCost < bcrypt.MinCost || c.passwordCost > 16 {
		return fmt.Errorf("SANDPIT_PASSWORD_COST %d: want 4 to 16 (12 by default; below 10 only in tests)", c.passwordCost)
	}
	if c.OCR != "on" && c.OCR != "off" {
		return fmt.Errorf("SANDPIT_OCR %q: want on or off", c.OCR)
	}
	open, err := strconv.ParseBool(c.OpenReg)
	if err != nil {
		return fmt.Errorf("SANDPIT_OPEN_REGISTRATION %q: want true or false", c.OpenReg)
	}
	c.openReg = open
	passwords, err := strconv.ParseBool(c.PasswordIn)
	if err != nil {
		return fmt.Errorf("SANDPIT_PASSWORD_SIGNIN %q: want true or false", c.PasswordIn)
	}
	c.passwordOff = !passwords
	if c.passwordOff && len(c.sso) == 0 {
		return fmt.Errorf("SANDPIT_PASSWORD_SIGNIN=false needs an identity provider: set SANDPIT_OIDC_PROVIDERS")
	}
	c.proxies = nil
	for _, cidr := range strings.Split(c.Proxies, ",") {
		if cidr = strings.TrimSpace(cidr); cidr == "" {
			continue
		}
		_, n, err := net.ParseCIDR(cidr)
		if err != nil {
			return fmt.Errorf("SANDPIT_TRUSTED_PROXIES: %q is not a CIDR range like 10.0.0.0/8", cidr)
		}
		c.proxies = append(c.proxies, n)
	}
	if c.MetricsAddr != "off" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			return fmt.Errorf("SANDPIT_METRICS_ADDR %q: want host:port, e.g. 127.0.0.1:9090, or off", c.MetricsAddr)
		}
	}
	if c.PseudoKey != "" && len(c.PseudoKey) < minSessionKeyLength {
		return fmt.Errorf("SANDPIT_PSEUDONYM_KEY: want %d or more characters", minSessionKeyLength)
	}
	if c.SessionKeys != "" {
		keys, err := parseSessionKeys(c.SessionKeys)
		if err != nil {
			return fmt.Errorf("SANDPIT_SESSION_KEYS: %v", err)
		}
		c.keys = keys
	}
	return nil
}

// parseSessionKeys splits a comma-separated list of keys.
func parseSessionKeys(s string) ([][]byte, error) {
	var keys [][]byte
	for i, k := range strings.Split(s, ",") {
		k = strings.TrimSpace(k)
		if len(k) < minSessionKeyLength {
			return nil, fmt.Errorf("key %d is %d characters long; each key needs at least %d", i+1, len(k), minSessionKeyLength)
		}
		keys = append(keys, []byte(k))
	}
	return keys, nil
}

// load reads args into fs (whose flags include c's), then the environment
// for flags not given, and checks the result; help reports that usage was
// printed and there is nothing to run.
func (c *config) load(fs *flag.FlagSet, args []string, getenv func(string) string, stdout io.Writer) (help bool, err error) {
	if help, err := parseFlags(fs, args, stdout); help || err != nil {
		return help, err
	}
	if err := applyEnv(fs, getenv); err != nil {
		return false, err
	}
	sso, err := loadSSO(getenv)
	if err != nil {
		return false, err
	}
	c.sso = sso
	return false, c.check()
}

// screenReader is Tesseract when OCR is on (an error when it is missing),
// or nil when SANDPIT_OCR=off.
func (c *config) screenReader() (app.ScreenReader, error) {
	if c.OCR != "on" {
		return nil, nil
	}
	t, err := ocr.Find(c.Tesseract)
	if err != nil {
		return nil, err
	}
	return t, nil
}
