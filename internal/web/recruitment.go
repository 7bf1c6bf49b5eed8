package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// ---- API ----

// handleAPIInvite emails the release's invite link to each address.
func (s *Server) handleAPIInvite(c echo.Context) error {
	_, id, err := apiUserAndID(c)
	if err != nil {
		return err
	}
	var req struct {
		Emails []string `json:"emails"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	n, err := s.app.Recruitment.Invite(c.Request().Context(), actorOf(c), id, req.Emails)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]int{"invited": n})
}

// handleAPITargetsSet replaces a release's recruitment targets.
func (s *Server) handleAPITargetsSet(c echo.Context) error {
	_, id, err := apiUserAndID(c)
	if err != nil {
		return err
	}
	var raw map[string]json.RawMessage
	if err := decodeJSON(c, &raw); err != nil {
		return err
	}
	targets := map[string]int{}
	var bad []sandpit.FieldError
	for p, v := range raw {
		n, err := strconv.Atoi(strings.TrimSpace(string(v)))
		if err != nil {
			bad = append(bad, sandpit.OutOfRange(p, 0, sandpit.MaxTarget))
			continue
		}
		targets[p] = n
	}
	if len(bad) > 0 {
		return sandpit.Invalid("Enter a whole number of participants, 0 or more, for each profession.", bad...)
	}
	if err := s.app.Recruitment.SetTargets(c.Request().Context(), actorOf(c), id, targets); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, targets)
}

// handleAPIRecruitment answers a release's recruitment.
func (s *Server) handleAPIRecruitment(c echo.Context) error {
	_, id, err := apiUserAndID(c)
	if err != nil {
		return err
	}
	r, err := s.app.Recruitment.Status(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

// ---- Pages ----

// inviteFormView is the page where a product owner pastes addresses.
type inviteFormView struct {
	Layout
	Release  *sandpit.Release
	Workflow *sandpit.Workflow
	Emails   string
	// Mail says Sandpit can send email; without it the page says who can
	// set it up.
	Mail bool
	Max  int
}

// invitationPage builds the invitation page of release id.
func (s *Server) invitationPage(c echo.Context, id int64) (inviteFormView, error) {
	ctx, a := c.Request().Context(), actorOf(c)
	if err := s.app.Recruitment.InviteForm(ctx, a, id); err != nil {
		return inviteFormView{}, err
	}
	rv, err := s.app.Authoring.Release(ctx, a, id)
	if err != nil {
		return inviteFormView{}, err
	}
	return inviteFormView{Layout: s.layout(c, "Invite clinicians to release "+rv.Release.Version), Release: rv.Release, Workflow: rv.Workflow,
		Mail: s.app.Recruitment.MailConfigured(), Max: sandpit.MaxInvitations}, nil
}

// handleInvitationSubmit sends the pasted addresses their invitations; a
// bad address is named and nothing is sent.
func (s *Server) handleInvitationSubmit(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	text := c.FormValue("emails")
	emails, bad := sandpit.ParseEmailList(text)
	var problem string
	switch {
	case len(bad) == 1:
		problem = fmt.Sprintf("“%s” is not an email address. Correct it or remove it, then send the invitations again", bad[0])
	case len(bad) > 1:
		problem = fmt.Sprintf("%d entries are not email addresses: %s. Correct them or remove them, then send the invitations again", len(bad), quoteList(bad))
	}
	var n int
	if problem == "" {
		n, err = s.app.Recruitment.Invite(c.Request().Context(), actorOf(c), id, emails)
		switch {
		case err == nil:
			return seeOther(c, fmt.Sprintf("%s?done=invited-%d#recruitment", releasePath(id), n))
		case sandpit.ErrorCode(err) == sandpit.EINVALID && len(emails) == 0:
			problem = "Enter the email addresses of the clinicians to invite"
		case sandpit.ErrorCode(err) == sandpit.EINVALID, sandpit.ErrorCode(err) == sandpit.ECONFLICT, sandpit.ErrorCode(err) == sandpit.EUNAVAILABLE:
			problem = strings.TrimSuffix(sandpit.ErrorMessage(err), ".")
		default:
			return err
		}
	}
	view, verr := s.invitationPage(c, id)
	if verr != nil {
		return verr
	}
	view.Emails = text
	view.Errors.Add("emails", problem)
	status := http.StatusUnprocessableEntity
	if sandpit.ErrorCode(err) == sandpit.EUNAVAILABLE {
		status = http.StatusServiceUnavailable
	}
	return s.render(c, status, "release/invitations", view)
}

// quoteList is "“a”, “b” and “c”".
func quoteList(items []string) string {
	q := make([]string, len(items))
	for i, it := range items {
		q[i] = "“" + it + "”"
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}

// targetRow is one profession on the targets page.
type targetRow struct {
	Profession string
	Label      string
	Value      string
	Error      string
}

// targetsView is the page where a product owner sets targets.
type targetsView struct {
	Layout
	Release  *sandpit.Release
	Workflow *sandpit.Workflow
	Rows     []targetRow
}

// targetsPage builds the targets page of release id, with values typed
// (nil: the stored targets).
func (s *Server) targetsPage(c echo.Context, id int64, typed map[string]string) (targetsView, error) {
	ctx, a := c.Request().Context(), actorOf(c)
	stored, err := s.app.Recruitment.Targets(ctx, a, id)
	if err != nil {
		return targetsView{}, err
	}
	rv, err := s.app.Authoring.Release(ctx, a, id)
	if err != nil {
		return targetsView{}, err
	}
	v := targetsView{Layout: s.layout(c, "Recruitment targets for release "+rv.Release.Version), Release: rv.Release, Workflow: rv.Workflow}
	for _, p := range sandpit.Professions() {
		row := targetRow{Profession: p, Label: sandpit.OptionLabel(p)}
		if typed != nil {
			row.Value = typed[p]
		} else if t, ok := stored[p]; ok {
			row.Value = strconv.Itoa(t)
		}
		v.Rows = append(v.Rows, row)
	}
	return v, nil
}

// handleTargetsShow shows the targets form.
func (s *Server) handleTargetsShow(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	v, err := s.targetsPage(c, id, nil)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "release/targets", v)
}

// handleTargetsSubmit saves the targets: an empty box leaves its
// profession unlimited.
func (s *Server) handleTargetsSubmit(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	typed := map[string]string{}
	targets := map[string]int{}
	var errs FieldErrors
	for _, p := range sandpit.Professions() {
		v := strings.TrimSpace(c.FormValue("target-" + p))
		typed[p] = v
		if v == "" {
			continue
		}
		n, err := atoiField(v)
		if err != nil || n < 0 || n > sandpit.MaxTarget {
			errs.Add("target-"+p, fmt.Sprintf("Enter the number of %s as a whole number from 0 to 1,000, or leave it empty", sandpit.ProfessionPlural(p)))
			continue
		}
		targets[p] = n
	}
	if !errs.Any() {
		err = s.app.Recruitment.SetTargets(c.Request().Context(), actorOf(c), id, targets)
		if err == nil {
			return seeOther(c, releasePath(id)+"?done=targets#recruitment")
		}
		if sandpit.ErrorCode(err) != sandpit.ECONFLICT {
			return err
		}
		errs.Add("target-"+sandpit.Professions()[0], strings.TrimSuffix(sandpit.ErrorMessage(err), "."))
	}
	v, verr := s.targetsPage(c, id, typed)
	if verr != nil {
		return verr
	}
	v.Errors = errs
	for i := range v.Rows {
		v.Rows[i].Error = errs.Get("target-" + v.Rows[i].Profession)
	}
	status := http.StatusUnprocessableEntity
	if sandpit.ErrorCode(err) == sandpit.ECONFLICT {
		status = http.StatusConflict
	}
	return s.render(c, status, "release/targets", v)
}

// groupRow is one profession of the recruitment panel.
type groupRow struct {
	Label     string
	Limited   bool // the profession has a target
	Target    int
	Started   int
	Completed int
	Reached   bool
	ToGo      int // how many more the target wants
}

// recruitmentPanel is the release page's recruitment section.
type recruitmentPanel struct {
	*store.Recruitment
	Groups []groupRow
}

// recruitmentPanelOf lays out r by profession, in the profile's order.
func recruitmentPanelOf(r *store.Recruitment) *recruitmentPanel {
	p := &recruitmentPanel{Recruitment: r}
	for _, prof := range sandpit.Professions() {
		g, ok := r.ByProfession[prof]
		if !ok {
			continue
		}
		row := groupRow{Label: sandpit.OptionLabel(prof), Started: g.Started, Completed: g.Completed}
		if g.Target != nil {
			row.Limited, row.Target = true, *g.Target
			row.Reached = g.Started >= *g.Target
			row.ToGo = max(*g.Target-g.Started, 0)
		}
		p.Groups = append(p.Groups, row)
	}
	return p
}

// unsubscribeView is the page of an unsubscribe link.
type unsubscribeView struct {
	Layout
	Token string
	Email string
	Kind  string // what the emails do, as MailKind.Label says
	Done  bool   // the address gets no more of them
}

// unsubscribePage is the page of the token's link, after leaving the kind
// of email when leave.
func (s *Server) unsubscribePage(c echo.Context, leave bool) error {
	token := c.Param("token")
	ctx := c.Request().Context()
	u, err := s.app.Recruitment.Unsubscription(ctx, token)
	if leave && err == nil {
		u, err = s.app.Recruitment.Unsubscribe(ctx, actorOf(c), token)
	}
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "unsubscribe/show", unsubscribeView{Layout: s.layout(c, "Stop emails"), Token: token,
		Email: u.Email, Kind: u.Kind.Label(), Done: u.Done})
}

// handleUnsubscribeShow asks to confirm leaving a kind of email.
func (s *Server) handleUnsubscribeShow(c echo.Context) error { return s.unsubscribePage(c, false) }

// handleUnsubscribeSubmit leaves it.
func (s *Server) handleUnsubscribeSubmit(c echo.Context) error { return s.unsubscribePage(c, true) }

// targetProgress is one profession's participants in a report against
// its recruitment target.
type targetProgress struct {
	Label        string
	Participants int
	Target       int
	Reached      bool
}

// targetProgressOf lists, in the profile's order, each profession with a
// target and its participants.
func targetProgressOf(participants map[string]int, targets map[string]int) []targetProgress {
	var out []targetProgress
	for _, p := range sandpit.Professions() {
		t, ok := targets[p]
		if !ok {
			continue
		}
		out = append(out, targetProgress{Label: sandpit.OptionLabel(p), Participants: participants[p], Target: t, Reached: participants[p] >= t})
	}
	return out
}
