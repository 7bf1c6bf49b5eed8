package app_test

import (
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"
)

// received is one message an SMTP test server accepted.
type received struct {
	From, To string
	Header   mail.Header
	Text     string // the text/plain part
	HTML     string // the text/html part
	Type     string // the top-level media type
}

// smtpServer is a real SMTP server (go-smtp) on a loopback port that can be
// stopped and started again on the same address.
type smtpServer struct {
	t    *testing.T
	addr string
	mu   sync.Mutex
	srv  *smtp.Server
	got  []received
	// refuseAfter, when > 0, stops the server as the message after that
	// many more arrives: an outage in the middle of a burst.
	refuseAfter int
	log         strings.Builder
}

// startSMTP starts a server on a port the OS chooses.
func startSMTP(t *testing.T) *smtpServer {
	s := &smtpServer{t: t, addr: "127.0.0.1:0"}
	s.start()
	t.Cleanup(func() {
		s.stop()
		if t.Failed() {
			t.Logf("SMTP server log:\n%s", s.log.String())
		}
	})
	return s
}

// start listens on the server's address again.
func (s *smtpServer) start() {
	s.t.Helper()
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		s.t.Fatalf("smtp listen %s: %v", s.addr, err)
	}
	s.mu.Lock()
	s.addr = ln.Addr().String()
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &smtpSession{s: s}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ErrorLog = slog.NewLogLogger(slog.NewTextHandler(&lockedWriter{s: s}, nil), slog.LevelWarn)
	s.srv = srv
	s.mu.Unlock()
	go srv.Serve(ln)
}

// stop closes the server and every connection.
func (s *smtpServer) stop() {
	s.mu.Lock()
	srv := s.srv
	s.srv = nil
	s.mu.Unlock()
	if srv != nil {
		srv.Close()
	}
}

// url is the server's SANDPIT_SMTP_URL.
func (s *smtpServer) url() string { return "smtp://" + s.addr + "?starttls=none" }

// messages returns what the server accepted so far.
func (s *smtpServer) messages() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.got...)
}

type lockedWriter struct{ s *smtpServer }

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.s.mu.Lock()
	defer w.s.mu.Unlock()
	return w.s.log.Write(p)
}

// smtpSession is one client connection.
type smtpSession struct {
	s        *smtpServer
	from, to string
}

func (ss *smtpSession) Reset()        {}
func (ss *smtpSession) Logout() error { return nil }

func (ss *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	s := ss.s
	s.mu.Lock()
	if s.refuseAfter > 0 && len(s.got) >= s.refuseAfter {
		s.refuseAfter = 0
		srv := s.srv
		s.srv = nil
		s.mu.Unlock()
		go srv.Close()
		return errors.New("shutting down")
	}
	s.mu.Unlock()
	ss.from = from
	return nil
}

func (ss *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if strings.HasPrefix(to, "nobody@") {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such mailbox"}
	}
	ss.to = to
	return nil
}

func (ss *smtpSession) Data(r io.Reader) error {
	msg, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	got := received{From: ss.from, To: ss.to, Header: msg.Header}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		return err
	}
	got.Type = mediaType
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(msg.Body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				return err
			}
			body, err := io.ReadAll(p)
			if err != nil {
				return err
			}
			text := decodeBody(p.Header.Get("Content-Transfer-Encoding"), body)
			switch ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); ct {
			case "text/plain":
				got.Text = text
			case "text/html":
				got.HTML = text
			}
		}
	}
	ss.s.mu.Lock()
	ss.s.got = append(ss.s.got, got)
	ss.s.mu.Unlock()
	return nil
}

// decodeBody decodes a part's body by its transfer encoding (multipart
// decodes quoted-printable itself and hides the header).
func decodeBody(cte string, body []byte) string {
	if strings.EqualFold(cte, "base64") {
		out, err := base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(string(body)))
		if err == nil {
			return string(out)
		}
	}
	return string(body)
}
