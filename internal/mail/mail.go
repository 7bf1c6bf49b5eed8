// Package mail sends Sandpit's email from the outbox: it renders each
// claimed message from embedded templates (plain text and HTML in the
// NHS.UK email style) and hands it to an SMTP relay with go-mail, trying
// again with backoff when the relay fails.
package mail

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	texttemplate "text/template"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

//go:embed templates
var templateFS embed.FS

// SMTP is a parsed SANDPIT_SMTP_URL.
type SMTP struct {
	Host     string
	Port     int
	Username string
	Password string
	// TLS is "starttls" (STARTTLS required, the default), "opportunistic"
	// (STARTTLS when offered), "none" (plain, for a relay on the same
	// host) or "tls" (smtps://: TLS from the first byte).
	TLS string
}

// ParseSMTPURL reads smtp://user:pass@host:port?starttls=required|opportunistic|none
// or smtps://user:pass@host:port.
func ParseSMTPURL(raw string) (SMTP, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		return SMTP{}, fmt.Errorf("want smtp://user:password@host:587 (or smtps:// for TLS on connect)")
	}
	s := SMTP{Host: u.Hostname(), TLS: "starttls", Port: 587}
	if u.Scheme == "smtps" {
		s.TLS, s.Port = "tls", 465
	}
	if p := u.Port(); p != "" {
		if s.Port, err = strconv.Atoi(p); err != nil || s.Port < 1 || s.Port > 65535 {
			return SMTP{}, fmt.Errorf("port %q: want 1 to 65535", p)
		}
	}
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	for k := range u.Query() {
		if k != "starttls" {
			return SMTP{}, fmt.Errorf("unknown option %q: the only option is starttls=required, opportunistic or none", k)
		}
	}
	switch v := u.Query().Get("starttls"); {
	case v == "":
	case u.Scheme == "smtps":
		return SMTP{}, fmt.Errorf("starttls does not apply to smtps://, which uses TLS from the start")
	case v == "required":
	case v == "opportunistic":
		s.TLS = "opportunistic"
	case v == "none":
		s.TLS = "none"
	default:
		return SMTP{}, fmt.Errorf("starttls=%q: want required, opportunistic or none", v)
	}
	return s, nil
}

// client is a go-mail client for s.
func (s SMTP) client() (*gomail.Client, error) {
	opts := []gomail.Option{gomail.WithPort(s.Port), gomail.WithTimeout(20 * time.Second)}
	switch s.TLS {
	case "tls":
		opts = append(opts, gomail.WithSSL())
	case "opportunistic":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if s.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(s.Username), gomail.WithPassword(s.Password))
	}
	return gomail.NewClient(s.Host, opts...)
}

// Outbox is what the worker needs of the store.
type Outbox interface {
	ClaimMail(ctx context.Context, limit int, lease time.Duration) ([]store.OutboxMessage, error)
	MailDone(ctx context.Context, id int64, outcome string) error
	MailFailed(ctx context.Context, id int64, reason string, retryAt time.Time) error
	QueueReminders(ctx context.Context, after []time.Duration) (int, error)
}

// Config is the worker's settings.
type Config struct {
	SMTP SMTP
	From string // the From address, as SANDPIT_MAIL_FROM gives it
	// BaseURL is where recipients reach Sandpit, for links.
	BaseURL string
	// UnsubscribeKey signs unsubscribe links.
	UnsubscribeKey []byte
	// Reminders are the waits after consent at which an unfinished trial
	// gets a reminder; none sends none.
	Reminders []time.Duration
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Batch is how many messages one pass claims (20 when 0); Lease how
	// long a claim lasts (2 minutes when 0).
	Batch int
	Lease time.Duration
}

// Worker sends the outbox.
type Worker struct {
	cfg Config
	box Outbox
	log *slog.Logger
	// html and text are each kind's templates, its body in the layout.
	html map[sandpit.MailKind]*htmltemplate.Template
	text map[sandpit.MailKind]*texttemplate.Template
}

// NewWorker returns a worker sending box's messages by cfg.
func NewWorker(cfg Config, box Outbox, log *slog.Logger) (*Worker, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Batch == 0 {
		cfg.Batch = 20
	}
	if cfg.Lease == 0 {
		cfg.Lease = 2 * time.Minute
	}
	cfg.BaseURL = strings.TrimSuffix(cfg.BaseURL, "/")
	w := &Worker{cfg: cfg, box: box, log: log, html: map[sandpit.MailKind]*htmltemplate.Template{}, text: map[sandpit.MailKind]*texttemplate.Template{}}
	for _, k := range sandpit.MailKinds() {
		h, err := htmltemplate.ParseFS(templateFS, "templates/layout.html", "templates/"+string(k)+".html")
		if err != nil {
			return nil, err
		}
		t, err := texttemplate.ParseFS(templateFS, "templates/layout.txt", "templates/"+string(k)+".txt")
		if err != nil {
			return nil, err
		}
		w.html[k], w.text[k] = h, t
	}
	return w, nil
}

// Run sends due mail every poll until ctx ends, and queues reminders every
// minute.
func (w *Worker) Run(ctx context.Context, poll time.Duration) {
	tick := time.NewTicker(poll)
	defer tick.Stop()
	lastReminders := time.Time{}
	for {
		if w.cfg.Now().Sub(lastReminders) >= time.Minute {
			if _, err := w.QueueReminders(ctx); err != nil && ctx.Err() == nil {
				w.log.Error("queue reminders", "err", err)
			}
			lastReminders = w.cfg.Now()
		}
		// Whole batches follow one another until the relay fails: then
		// the next poll tries again.
		for {
			n, failed, err := w.sendDue(ctx)
			if err != nil && ctx.Err() == nil {
				w.log.Error("send mail", "err", err)
			}
			if n < w.cfg.Batch || failed > 0 || err != nil {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// QueueReminders puts the reminders now due in the outbox.
func (w *Worker) QueueReminders(ctx context.Context) (int, error) {
	if len(w.cfg.Reminders) == 0 {
		return 0, nil
	}
	return w.box.QueueReminders(ctx, w.cfg.Reminders)
}

// SendDue claims one batch of due messages and sends them; a message the
// relay refuses, or that cannot reach it, is tried again after
// sandpit.MailRetryDelay. It returns how many it claimed.
func (w *Worker) SendDue(ctx context.Context) (int, error) {
	n, _, err := w.sendDue(ctx)
	return n, err
}

// sendDue is SendDue, also counting the messages that failed.
func (w *Worker) sendDue(ctx context.Context) (claimed, failed int, err error) {
	msgs, err := w.box.ClaimMail(ctx, w.cfg.Batch, w.cfg.Lease)
	if err != nil || len(msgs) == 0 {
		return 0, 0, err
	}
	var client *gomail.Client
	defer func() {
		if client != nil {
			client.Close()
		}
	}()
	// down is why the relay cannot be reached: the rest of the batch waits
	// for the next try rather than each waiting for its own timeout.
	var down error
	for _, m := range msgs {
		if m.Skip != "" {
			if err := w.box.MailDone(ctx, m.ID, "skipped: "+m.Skip); err != nil {
				return len(msgs), failed, err
			}
			continue
		}
		msg, sendErr := w.message(m)
		if sendErr == nil && down != nil {
			sendErr = down
		}
		if sendErr == nil && client == nil {
			if client, sendErr = w.cfg.SMTP.client(); sendErr == nil {
				if sendErr = client.DialWithContext(ctx); sendErr != nil {
					client, down = nil, sendErr
				}
			}
		}
		if sendErr == nil {
			sendErr = client.Send(msg)
		}
		if sendErr != nil && permanent(sendErr) && m.Tries >= maxPermanentTries {
			// The relay keeps refusing this message for good (a 5xx, such
			// as an unknown mailbox): it is given up, and logged.
			w.log.Error("mail refused for good; given up", "message", m.ID, "kind", m.Kind, "tries", m.Tries, "err", sendErr)
			if err := w.box.MailDone(ctx, m.ID, "failed: "+sendErr.Error()); err != nil {
				return len(msgs), failed, err
			}
			failed++
			continue
		}
		if sendErr != nil {
			failed++
			retry := w.cfg.Now().Add(sandpit.MailRetryDelay(m.Tries))
			w.log.Warn("mail not sent; will try again", "message", m.ID, "kind", m.Kind, "tries", m.Tries, "retry_at", retry, "err", sendErr)
			if err := w.box.MailFailed(ctx, m.ID, sendErr.Error(), retry); err != nil {
				return len(msgs), failed, err
			}
			if client != nil {
				client.Close()
				client = nil
			}
			continue
		}
		if err := w.box.MailDone(ctx, m.ID, "sent"); err != nil {
			return len(msgs), failed, err
		}
	}
	return len(msgs), failed, nil
}

// maxPermanentTries is how many times a message the relay refuses for good
// (a 5xx answer) is tried before it is given up: a refusal can be a
// relay's passing misconfiguration, so a few tries over a minute or so.
const maxPermanentTries = 6

// permanent reports whether err is the relay's lasting refusal of a
// message, as opposed to a failure to reach it or a temporary (4xx) one.
func permanent(err error) bool {
	var se *gomail.SendError
	return errors.As(err, &se) && !se.IsTemp() && se.ErrorCode() >= 500
}

// view is what a message's templates read.
type view struct {
	Subject, Heading, Action, Link, Unsubscribe, KindLabel string
	Workflow, Version                                      string
	Reports                                                int
}

// viewOf is what m's email says.
func (w *Worker) viewOf(m store.OutboxMessage) view {
	v := view{Workflow: m.Workflow, Version: m.Version, Reports: m.Reports, KindLabel: m.Kind.Label(),
		Unsubscribe: w.cfg.BaseURL + "/unsubscribe/" + sandpit.UnsubscribeToken(w.cfg.UnsubscribeKey, m.To, m.Kind)}
	switch m.Kind {
	case sandpit.MailInvitation:
		v.Subject = fmt.Sprintf("You are invited to try %s, release %s", m.Workflow, m.Version)
		v.Heading = "You are invited to try a new way of working"
		v.Action = "Take part"
		v.Link = fmt.Sprintf("%s/releases/%d/invite", w.cfg.BaseURL, deref(m.ReleaseID))
	case sandpit.MailDigest:
		if m.Reports == 1 {
			v.Subject = "1 of your reports was answered"
		} else {
			v.Subject = fmt.Sprintf("%d of your reports were answered", m.Reports)
		}
		v.Heading = "You said, we did"
		v.Action = "See your feedback"
		v.Link = w.cfg.BaseURL + "/feedback"
	case sandpit.MailReminder:
		v.Subject = fmt.Sprintf("Finish your trial of %s, release %s", m.Workflow, m.Version)
		v.Heading = "Your trial is not finished"
		v.Action = "Carry on with your trial"
		v.Link = fmt.Sprintf("%s/trials/%d", w.cfg.BaseURL, deref(m.TrialID))
	}
	return v
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// message is m as an email: multipart plain text and HTML, with a
// List-Unsubscribe header for its kind.
func (w *Worker) message(m store.OutboxMessage) (*gomail.Msg, error) {
	v := w.viewOf(m)
	t, h := w.text[m.Kind], w.html[m.Kind]
	if t == nil || h == nil {
		return nil, fmt.Errorf("no template for %q", m.Kind)
	}
	var text, html bytes.Buffer
	if err := t.ExecuteTemplate(&text, "layout", v); err != nil {
		return nil, err
	}
	if err := h.ExecuteTemplate(&html, "layout", v); err != nil {
		return nil, err
	}
	msg := gomail.NewMsg()
	if err := msg.From(w.cfg.From); err != nil {
		return nil, fmt.Errorf("SANDPIT_MAIL_FROM: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return nil, err
	}
	msg.Subject(v.Subject)
	msg.SetDateWithValue(w.cfg.Now())
	msg.SetMessageID()
	msg.SetListUnsubscribe("<" + v.Unsubscribe + ">")
	msg.SetBodyString(gomail.TypeTextPlain, text.String())
	msg.AddAlternativeString(gomail.TypeTextHTML, html.String())
	return msg, nil
}
