package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/app"
)

// homeView is the home page: what Sandpit is, for someone signed out; a
// section for each of their roles, for someone signed in.
type homeView struct {
	Layout
	*app.Dashboard
	// Workflows groups the product owner's open releases by workflow.
	Workflows []homeWorkflow
}

// homeWorkflow is a workflow on a product owner's home page with its open
// releases.
type homeWorkflow struct {
	ID       int64
	Title    string
	Team     string
	Releases []homeRelease
}

// homeRelease is an open release on a product owner's home page.
type homeRelease struct {
	ID           int64
	Version      string
	Participants int
	Completed    int
	NewFindings  int
}

// handleHome shows the signed-in person's home page, or what Sandpit is
// and who it is for.
func (s *Server) handleHome(c echo.Context) error {
	if currentUser(c) == nil {
		return s.render(c, http.StatusOK, "home/show", homeView{Layout: s.layout(c, "Clinician co-design for NHS product teams")})
	}
	d, err := s.app.Home.Dashboard(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	view := homeView{Layout: s.layout(c, "Home"), Dashboard: d}
	if d.Owner != nil {
		for _, r := range d.Owner.Releases {
			if n := len(view.Workflows); n == 0 || view.Workflows[n-1].ID != r.WorkflowID {
				view.Workflows = append(view.Workflows, homeWorkflow{ID: r.WorkflowID, Title: r.WorkflowTitle, Team: r.TeamName})
			}
			if r.ReleaseID != nil {
				w := &view.Workflows[len(view.Workflows)-1]
				w.Releases = append(w.Releases, homeRelease{ID: *r.ReleaseID, Version: r.Version,
					Participants: r.Participants, Completed: r.Completed, NewFindings: r.NewFindings})
			}
		}
	}
	return s.render(c, http.StatusOK, "home/dashboard", view)
}

// invitationView is the page a signed-out person sees when they follow an
// invite link: the trial, the team and the time it takes, with sign in and
// register side by side.
type invitationView struct {
	signInView
	*app.Invitation
	Minutes          int
	OpenRegistration bool
	RegisterHref     string
}

// handleInvitation shows the invitation to release :id to someone signed
// out; signing in or registering from it leads to the release's consent
// page.
func (s *Server) handleInvitation(c echo.Context, id int64) error {
	inv, err := s.app.Home.Invitation(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "trial/invite", s.invitationView(c, inv, s.signInView(c, "")))
}

// invitationView is the invitation inv, with the sign-in page's view in:
// its sign-in choices, and any errors of a refused sign-in.
func (s *Server) invitationView(c echo.Context, inv *app.Invitation, in signInView) invitationView {
	next := releasePath(inv.ReleaseID) + "/consent"
	in.Layout.Title = "Try " + inv.Workflow + ", version " + inv.Version
	in.Next = next
	return invitationView{signInView: in, Invitation: inv, Minutes: minutesFor(inv.Tasks), OpenRegistration: s.cfg.OpenRegistration,
		RegisterHref: "/register?next=" + url.QueryEscape(next)}
}

// consentPath matches the consent page of a release, where signing in from
// an invitation leads.
var consentPath = regexp.MustCompile(`^/releases/([0-9]+)/consent$`)

// renderSignIn shows the sign-in form again with view's errors: on the
// invitation it was sent from, when it leads to an open release's consent
// page, so the trial stays in view; else on the sign-in page.
func (s *Server) renderSignIn(c echo.Context, status int, view signInView) error {
	if m := consentPath.FindStringSubmatch(view.Next); m != nil {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		if inv, err := s.app.Home.Invitation(c.Request().Context(), actorOf(c), id); err == nil {
			return s.render(c, status, "trial/invite", s.invitationView(c, inv, view))
		}
	}
	return s.render(c, status, "session/new", view)
}
