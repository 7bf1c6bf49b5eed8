package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"text/tabwriter"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// scan runs `sandpit scan`: it reads every stored text and screen image
// with today's NHS-number scanner and lists, by table, row and field, each
// that holds a real NHS number, for admins to act on. It never prints the
// number, and fails when it finds any.
func scan(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var cfg config
	fs := flag.NewFlagSet("sandpit scan", flag.ContinueOnError)
	cfg.flags(fs)
	if help, err := cfg.load(fs, args, getenv, stdout); help || err != nil {
		return err
	}
	screens, err := cfg.screenReader()
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg, newLogger(cfg.LogFormat, stderr))
	if err != nil {
		return err
	}
	defer st.Close()

	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "table\trow\tfield\tholds")
	found, images, unread := 0, 0, 0
	err = st.EachStoredValue(ctx, func(v store.StoredValue) error {
		var holds string
		switch ct := http.DetectContentType(v.Bytes); {
		case v.Bytes != nil && (ct == "image/png" || ct == "image/jpeg"):
			images++
			if screens == nil {
				unread++
				return nil
			}
			words, err := screens.ReadWords(ctx, v.Bytes)
			if err != nil {
				return fmt.Errorf("scan: %s %s %s: %w", v.Table, v.Row, v.Column, err)
			}
			if boxes := sandpit.ScreenIdentifiers(words); len(boxes) > 0 {
				b := boxes[0]
				holds = fmt.Sprintf("an image showing %d real NHS number(s), the first at x=%d y=%d w=%d h=%d", len(boxes), b.X, b.Y, b.W, b.H)
			}
		case v.Bytes != nil:
			if hits := sandpit.RealIdentifiers(string(v.Bytes)); len(hits) > 0 {
				holds = fmt.Sprintf("%d real NHS number(s) in binary data", len(hits))
			}
		default:
			if hits := sandpit.RealIdentifiers(v.Text); len(hits) > 0 {
				holds = fmt.Sprintf("%d real NHS number(s) in text, the first at character %d", len(hits), len([]rune(v.Text[:hits[0].Start]))+1)
			}
		}
		if holds != "" {
			found++
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", v.Table, v.Row, v.Column, holds)
		}
		return nil
	})
	tw.Flush()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d field(s) hold real NHS numbers; %d image(s) stored", found, images)
	if unread > 0 {
		fmt.Fprintf(stdout, ", %d not read (SANDPIT_OCR=off)", unread)
	}
	fmt.Fprintln(stdout)
	if found > 0 {
		return fmt.Errorf("scan: %d field(s) hold real NHS numbers", found)
	}
	return nil
}
