package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/sandpit-nhs/sandpit/internal/app"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// admin runs `sandpit admin create` (the first admin, made from a
// terminal) and `sandpit admin sign-in-link` (the break-glass way in).
func admin(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "sign-in-link" {
		return signInLink(ctx, args[1:], getenv, stdout, stderr)
	}
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf("%w: sandpit admin create --email E --name N (the password is read from standard input), or sandpit admin sign-in-link --email E", errUsage)
	}
	var cfg config
	var email, name string
	fs := flag.NewFlagSet("sandpit admin create", flag.ContinueOnError)
	cfg.flags(fs)
	fs.StringVar(&email, "email", "", "the new admin's email address")
	fs.StringVar(&name, "name", "", "the new admin's full name")
	if help, err := cfg.load(fs, args[1:], getenv, stdout); help || err != nil {
		return err
	}
	fmt.Fprintf(stderr, "Password for %s (one line, at least %d characters): ", email, sandpit.MinPasswordLength)
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read password: %w", err)
	}
	fmt.Fprintln(stderr)
	n := sandpit.NewUser{Email: email, Name: name, Password: strings.TrimRight(line, "\r\n"), Roles: []sandpit.Role{sandpit.RoleAdmin}}
	if err := n.Validate(); err != nil {
		return fmt.Errorf("%s", describeInvalid(err))
	}
	st, err := openStore(ctx, cfg, newLogger(cfg.LogFormat, stderr))
	if err != nil {
		return err
	}
	defer st.Close()
	identity := app.New(st, app.Config{PasswordCost: cfg.passwordCost}).Identity
	u, err := identity.CreateAdminFromTerminal(ctx, app.Actor{}, n)
	if err != nil {
		return fmt.Errorf("%s", describeInvalid(err))
	}
	fmt.Fprintf(stdout, "Created admin %s (user %d). Sign in at %s/sign-in\n", u.Email, u.ID, cfg.baseURL)
	return nil
}

// describeInvalid puts a domain error and its fields on one line.
func describeInvalid(err error) string {
	msg := sandpit.ErrorMessage(err)
	fields := sandpit.ErrorFields(err)
	for _, f := range []string{"email", "name", "password", "roles"} {
		if m, ok := fields[f]; ok {
			msg += fmt.Sprintf(" %s: %s.", f, m)
		}
	}
	return msg
}

// signInLink runs `sandpit admin sign-in-link`: a one-time link, good for
// 15 minutes, that signs an admin in without a password or an identity
// provider. It is the way in when SANDPIT_PASSWORD_SIGNIN=false and the
// provider is down; only whoever can run Sandpit against its database can
// make one, and each is audited.
func signInLink(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var cfg config
	var email string
	fs := flag.NewFlagSet("sandpit admin sign-in-link", flag.ContinueOnError)
	cfg.flags(fs)
	fs.StringVar(&email, "email", "", "the admin's email address")
	if help, err := cfg.load(fs, args, getenv, stdout); help || err != nil {
		return err
	}
	if strings.TrimSpace(email) == "" {
		return fmt.Errorf("%w: sandpit admin sign-in-link --email E", errUsage)
	}
	st, err := openStore(ctx, cfg, newLogger(cfg.LogFormat, stderr))
	if err != nil {
		return err
	}
	defer st.Close()
	identity := app.New(st, app.Config{PasswordCost: cfg.passwordCost}).Identity
	u, link, err := identity.CreateSignInLinkFromTerminal(ctx, app.Actor{}, email)
	if err != nil {
		return fmt.Errorf("%s", describeInvalid(err))
	}
	fmt.Fprintf(stdout, "One-time sign-in link for %s, good until %s UTC:\n%s/sign-in/link/%s\n", u.Email,
		link.Expires.UTC().Format("2006-01-02 15:04"), cfg.baseURL, link.Token)
	return nil
}
