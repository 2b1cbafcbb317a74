package opsgenie

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/ogsync/ogsync/model"
)

// Routes of the roles, schedules and escalations APIs.
const (
	routeRoles       = "/v2/roles"
	routeSchedules   = "/v2/schedules"
	routeSchedule    = "/v2/schedules/{id}"
	routeEscalations = "/v2/escalations"
	routeEscalation  = "/v2/escalations/{id}"
)

// CustomRole is an account's custom user role. The built-in roles (Owner,
// Admin, User, Observer, Stakeholder) are not custom roles.
type CustomRole struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// ExtendedRole is the built-in role it extends: user, observer or stakeholder.
	ExtendedRole string `json:"extendedRole,omitempty"`
}

// ListCustomRoles reads the account's custom roles, sorted by name.
func (c *Client) ListCustomRoles(ctx context.Context) ([]CustomRole, error) {
	var resp struct {
		Data []CustomRole `json:"data"`
	}
	if err := c.send(ctx, request{method: http.MethodGet, route: routeRoles, path: routeRoles}, &resp); err != nil {
		return nil, fmt.Errorf("listing custom roles: %w", err)
	}
	roles := resp.Data
	if roles == nil {
		roles = []CustomRole{}
	}
	for i, r := range roles {
		if strings.TrimSpace(r.Name) == "" {
			return nil, fmt.Errorf("listing custom roles: %w", &MalformedError{Route: routeRoles, Where: fmt.Sprintf("data[%d]", i), Problem: "the role has no name"})
		}
	}
	slices.SortFunc(roles, func(a, b CustomRole) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID)) })
	return roles, nil
}

// Participant is a schedule rotation participant or an escalation recipient.
type Participant struct {
	// Type is user, team, escalation, schedule or none.
	Type string `json:"type"`
	ID   string `json:"id,omitempty"`
	// Name names a team, schedule or escalation; Username names a user.
	Name     string `json:"name,omitempty"`
	Username string `json:"username,omitempty"`
}

// Rotation is one rotation of a schedule.
type Rotation struct {
	ID           string        `json:"id"`
	Name         string        `json:"name"`
	Type         string        `json:"type"`
	Length       int           `json:"length,omitempty"`
	StartDate    string        `json:"startDate,omitempty"`
	EndDate      string        `json:"endDate,omitempty"`
	Participants []Participant `json:"participants"`
}

// Schedule is an on-call schedule with its rotations.
type Schedule struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Description string     `json:"description,omitempty"`
	Timezone    string     `json:"timezone,omitempty"`
	Enabled     bool       `json:"enabled"`
	OwnerTeam   *model.Ref `json:"ownerTeam,omitempty"`
	// Rotations is nil when the answer had no rotations key (or null).
	Rotations []Rotation `json:"rotations"`
}

// ListSchedules reads every schedule with its rotations
// (GET /v2/schedules?expand=rotation), sorted by name.
func (c *Client) ListSchedules(ctx context.Context) ([]Schedule, error) {
	var resp struct {
		Data []Schedule `json:"data"`
	}
	r := request{method: http.MethodGet, route: routeSchedules, path: routeSchedules, query: url.Values{"expand": {"rotation"}}}
	if err := c.send(ctx, r, &resp); err != nil {
		return nil, fmt.Errorf("listing schedules: %w", err)
	}
	out := resp.Data
	if out == nil {
		out = []Schedule{}
	}
	slices.SortFunc(out, func(a, b Schedule) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID)) })
	return out, nil
}

// GetSchedule reads one schedule, with its rotations, by id
// (GET /v2/schedules/{id}?identifierType=id).
func (c *Client) GetSchedule(ctx context.Context, id string) (Schedule, error) {
	var resp struct {
		Data Schedule `json:"data"`
	}
	r := request{method: http.MethodGet, route: routeSchedule, path: escapedPath("v2", "schedules", id), query: url.Values{"identifierType": {"id"}}}
	if err := c.send(ctx, r, &resp); err != nil {
		return Schedule{}, fmt.Errorf("getting schedule %s: %w", id, err)
	}
	return resp.Data, nil
}

// Delay is an escalation rule's delay.
type Delay struct {
	TimeAmount int    `json:"timeAmount"`
	TimeUnit   string `json:"timeUnit,omitempty"`
}

// EscalationRule is one step of an escalation.
type EscalationRule struct {
	Condition  string      `json:"condition"`
	NotifyType string      `json:"notifyType"`
	Delay      Delay       `json:"delay"`
	Recipient  Participant `json:"recipient"`
}

// Escalation is an escalation policy.
type Escalation struct {
	ID          string           `json:"id"`
	Name        string           `json:"name"`
	Description string           `json:"description,omitempty"`
	OwnerTeam   *model.Ref       `json:"ownerTeam,omitempty"`
	Rules       []EscalationRule `json:"rules"`
}

// ListEscalations reads every escalation, sorted by name.
func (c *Client) ListEscalations(ctx context.Context) ([]Escalation, error) {
	var resp struct {
		Data []Escalation `json:"data"`
	}
	if err := c.send(ctx, request{method: http.MethodGet, route: routeEscalations, path: routeEscalations}, &resp); err != nil {
		return nil, fmt.Errorf("listing escalations: %w", err)
	}
	out := resp.Data
	if out == nil {
		out = []Escalation{}
	}
	slices.SortFunc(out, func(a, b Escalation) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID)) })
	return out, nil
}

// GetEscalation reads one escalation, with its rules, by id
// (GET /v2/escalations/{id}?identifierType=id).
func (c *Client) GetEscalation(ctx context.Context, id string) (Escalation, error) {
	var resp struct {
		Data Escalation `json:"data"`
	}
	r := request{method: http.MethodGet, route: routeEscalation, path: escapedPath("v2", "escalations", id), query: url.Values{"identifierType": {"id"}}}
	if err := c.send(ctx, r, &resp); err != nil {
		return Escalation{}, fmt.Errorf("getting escalation %s: %w", id, err)
	}
	return resp.Data, nil
}

// FillMemberNames gives the members that a team answer names by id only
// their username, from the user list, and re-sorts those teams' members. A
// member whose id is not in the list keeps an empty username.
func FillMemberNames(users []model.User, teams []model.Team) {
	var byID map[string]string
	for _, t := range teams {
		if t.Members == nil {
			continue
		}
		filled := false
		for i, m := range *t.Members {
			if m.Username != "" {
				continue
			}
			if byID == nil {
				byID = make(map[string]string, len(users))
				for _, u := range users {
					byID[u.ID] = u.Username
				}
			}
			(*t.Members)[i].Username = byID[m.UserID]
			filled = true
		}
		if filled {
			sortMembers(*t.Members)
		}
	}
}
