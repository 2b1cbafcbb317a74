package planner

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// MaxPlanSize bounds a saved plan ReadPlan accepts (bytes).
const MaxPlanSize = 256 << 20

// WritePlan writes p as indented JSON (docs/plan-json.md), ending with a newline.
func WritePlan(w io.Writer, p *Plan) error {
	out := *p
	if out.Actions == nil {
		out.Actions = []*Action{}
	}
	if out.Violations == nil {
		out.Violations = []Violation{}
	}
	if out.Skipped == nil {
		out.Skipped = []Skip{}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(&out); err != nil {
		return fmt.Errorf("writing plan: %w", err)
	}
	return nil
}

// ReadPlan reads a saved plan strictly: at most MaxPlanSize bytes, one JSON
// object, no unknown fields, format_version FormatVersion (or 1, read as
// FormatVersion with its camelCase keys renamed), and
// actions that are well formed, uniquely identified, ordered by step and
// depending only on earlier actions.
func ReadPlan(r io.Reader) (*Plan, error) { return readPlan(r, MaxPlanSize) }

func readPlan(r io.Reader, limit int64) (*Plan, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading plan: %w", err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("reading plan: larger than %d bytes", limit)
	}
	var head struct {
		FormatVersion *int `json:"format_version"`
	}
	if err := json.NewDecoder(bytes.NewReader(data)).Decode(&head); err != nil {
		return nil, fmt.Errorf("reading plan: not a JSON plan: %w", err)
	}
	if head.FormatVersion == nil {
		return nil, errors.New("reading plan: no format_version")
	}
	switch *head.FormatVersion {
	case FormatVersion:
	case 1:
		if data, err = upgradeV1(data); err != nil {
			return nil, fmt.Errorf("reading plan: %w", err)
		}
	default:
		return nil, fmt.Errorf("reading plan: format_version %d is not supported (want %d or 1)", *head.FormatVersion, FormatVersion)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var p Plan
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("reading plan: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("reading plan: data after the plan object")
	}
	if err := p.validate(); err != nil {
		return nil, fmt.Errorf("reading plan: %w", err)
	}
	return &p, nil
}

// v1Keys are the keys format_version 1 spelled in camelCase, inside the
// users and teams of before/after, with their snake_case spelling.
var v1Keys = map[string]string{"fullName": "full_name", "timeZone": "time_zone", "userId": "user_id"}

// upgradeV1 rewrites a format_version 1 plan as FormatVersion: the keys of
// the users, teams and members in before/after renamed (v1Keys). Anything
// else is left for the strict decoder to judge.
func upgradeV1(data []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var plan map[string]any
	if err := dec.Decode(&plan); err != nil {
		return nil, fmt.Errorf("not a JSON plan: %w", err)
	}
	plan["format_version"] = FormatVersion
	actions, _ := plan["actions"].([]any)
	for _, a := range actions {
		action, _ := a.(map[string]any)
		for _, side := range []string{"before", "after"} {
			state, _ := action[side].(map[string]any)
			renameKeys(state["user"])
			team, _ := state["team"].(map[string]any)
			renameKeys(team)
			members, _ := team["members"].([]any)
			for _, m := range members {
				renameKeys(m)
			}
		}
	}
	return json.Marshal(plan)
}

// renameKeys renames the v1Keys of obj, if obj is a JSON object. A key
// whose new spelling is already there is kept, so the strict decoder
// refuses it as unknown.
func renameKeys(obj any) {
	m, _ := obj.(map[string]any)
	for old, key := range v1Keys {
		if v, ok := m[old]; ok {
			if _, taken := m[key]; !taken {
				m[key] = v
				delete(m, old)
			}
		}
	}
}

// validate checks the shape a saved plan must have for an executor to trust it.
func (p *Plan) validate() error {
	seen := make(map[string]*Action, len(p.Actions))
	prevStep := 0
	for i, a := range p.Actions {
		if a == nil {
			return fmt.Errorf("actions[%d] is null", i)
		}
		if !a.Type.valid() {
			return fmt.Errorf("actions[%d]: unknown type %q", i, a.Type)
		}
		if err := a.checkShape(); err != nil {
			return fmt.Errorf("actions[%d] (%s): %w", i, a.ID, err)
		}
		if want := actionID(a.Type, a.Team, a.User); a.ID != want {
			return fmt.Errorf("actions[%d]: id %q should be %q", i, a.ID, want)
		}
		if seen[a.ID] != nil {
			return fmt.Errorf("actions[%d]: duplicate id %q", i, a.ID)
		}
		if !validStep(a.Type, a.Step) {
			return fmt.Errorf("actions[%d] (%s): step %d does not fit type %s", i, a.ID, a.Step, a.Type)
		}
		if a.Step < prevStep {
			return fmt.Errorf("actions[%d] (%s): out of step order", i, a.ID)
		}
		prevStep = a.Step
		for _, d := range a.DependsOn {
			dep := seen[d]
			if dep == nil || dep.Step >= a.Step {
				return fmt.Errorf("actions[%d] (%s): depends on %q, which is not an earlier action", i, a.ID, d)
			}
		}
		seen[a.ID] = a
	}
	for i, v := range p.Violations {
		if v.Phase != PhaseDesired && v.Phase != PhasePlan {
			return fmt.Errorf("violations[%d]: unknown phase %q", i, v.Phase)
		}
	}
	want := p.Summary
	p.summarize()
	if p.Summary != want {
		return errors.New("summary does not match the actions")
	}
	return nil
}

func validStep(t ActionType, step int) bool {
	if t == UpdateUser {
		return step == StepPromotions || step == StepUpdates || step == StepDemotions
	}
	return step == defaultStep(t)
}

// checkShape checks an action carries what its type needs.
func (a *Action) checkShape() error {
	needUser := a.Type.Kind() != "team"
	needTeam := a.Type.Kind() != "user"
	switch {
	case needUser && a.User == "":
		return errors.New("no user")
	case needTeam && a.Team == "":
		return errors.New("no team")
	case !needUser && a.User != "", !needTeam && a.Team != "":
		return errors.New("names an object its type does not concern")
	}
	wantBefore := a.Type.Op() != OpCreate
	wantAfter := a.Type.Op() != OpDelete
	if (a.Before != nil) != wantBefore || (a.After != nil) != wantAfter {
		return errors.New("before/after do not fit the type")
	}
	for _, s := range []*Snapshot{a.Before, a.After} {
		if s == nil {
			continue
		}
		switch a.Type.Kind() {
		case "user":
			if s.User == nil || s.Team != nil || s.Role != "" {
				return errors.New("before/after must hold a user")
			}
		case "team":
			if s.Team == nil || s.User != nil || s.Role != "" {
				return errors.New("before/after must hold a team")
			}
		case "member":
			if s.Role == "" || s.User != nil || s.Team != nil {
				return errors.New("before/after must hold a member role")
			}
		}
	}
	if (a.Type == UpdateUser || a.Type == UpdateTeam) && len(a.Fields) == 0 {
		return errors.New("an update with no fields")
	}
	return nil
}

// SamePlan reports whether a fresh plan does what a saved (reviewed) one does.
func SamePlan(saved, fresh *Plan) bool { return len(ComparePlans(saved, fresh)) == 0 }

// ComparePlans lists how a fresh plan differs from a saved one, sorted. Actions are
// matched by ID and compared on what they do (type, step, targets, fields,
// before, after, dependencies, blocks), not on their reason or origin text;
// the plans' revision and timestamps are not compared. A difference in the
// safeguard violations is a difference too.
func ComparePlans(saved, fresh *Plan) []string {
	var out []string
	old := make(map[string]*Action, len(saved.Actions))
	for _, a := range saved.Actions {
		old[a.ID] = a
	}
	now := make(map[string]bool, len(fresh.Actions))
	for _, a := range fresh.Actions {
		now[a.ID] = true
		o, ok := old[a.ID]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("%s: new in the fresh plan", a.ID))
		default:
			if d := actionDiff(o, a); d != "" {
				out = append(out, fmt.Sprintf("%s: %s changed", a.ID, d))
			}
		}
	}
	for _, a := range saved.Actions {
		if !now[a.ID] {
			out = append(out, fmt.Sprintf("%s: no longer in the fresh plan", a.ID))
		}
	}
	msgs := func(vs []Violation) []string {
		var m []string
		for _, v := range vs {
			m = append(m, v.Rule+": "+v.Message)
		}
		slices.Sort(m)
		return m
	}
	if a, b := msgs(saved.Violations), msgs(fresh.Violations); !slices.Equal(a, b) {
		out = append(out, fmt.Sprintf("safeguard violations changed: reviewed [%s], now [%s]", strings.Join(a, "; "), strings.Join(b, "; ")))
	}
	slices.Sort(out)
	return out
}

// actionDiff names the parts of two same-ID actions that differ, or "".
func actionDiff(a, b *Action) string {
	var parts []string
	for _, c := range []struct {
		name string
		x, y any
	}{
		{"step", a.Step, b.Step},
		{"user_id", a.UserID, b.UserID},
		{"team_id", a.TeamID, b.TeamID},
		{"fields", emptyNil(a.Fields), emptyNil(b.Fields)},
		{"before", a.Before, b.Before},
		{"after", a.After, b.After},
		{"depends_on", emptyNil(a.DependsOn), emptyNil(b.DependsOn)},
		{"blocked", emptyNil(a.Blocked), emptyNil(b.Blocked)},
	} {
		x, err1 := json.Marshal(c.x)
		y, err2 := json.Marshal(c.y)
		if err1 != nil || err2 != nil || !bytes.Equal(x, y) {
			parts = append(parts, c.name)
		}
	}
	return strings.Join(parts, ", ")
}

func emptyNil(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}
