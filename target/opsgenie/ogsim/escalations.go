package ogsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// ruleIn is an escalation rule of a request.
type ruleIn struct {
	Condition  string `json:"condition"`
	NotifyType string `json:"notifyType"`
	Delay      struct {
		TimeAmount int `json:"timeAmount"`
	} `json:"delay"`
	Recipient participantIn `json:"recipient"`
}

// parseRules resolves the rules of a request; errors go to errs under
// "rules[i]...".
func (a *account) parseRules(raw json.RawMessage, errs map[string]string) []rule {
	var in []ruleIn
	if err := json.Unmarshal(raw, &in); err != nil {
		errs["rules"] = "must be a list of rules {condition, notifyType, delay{timeAmount}, recipient}"
		return nil
	}
	if len(in) == 0 {
		errs["rules"] = "at least one rule is required"
		return nil
	}
	out := make([]rule, 0, len(in))
	for i, r := range in {
		at := fmt.Sprintf("rules[%d].", i)
		x := rule{condition: cmpOr(r.Condition, "if-not-acked"), notifyType: cmpOr(r.NotifyType, "default"), delayMin: r.Delay.TimeAmount}
		switch {
		case !slices.Contains(conditions, x.condition):
			errs[at+"condition"] = fmt.Sprintf("condition [%s] must be if-not-acked or if-not-closed", r.Condition)
		case !slices.Contains(notifyTypes, x.notifyType):
			errs[at+"notifyType"] = fmt.Sprintf("notifyType [%s] must be one of %s", r.NotifyType, strings.Join(notifyTypes, ", "))
		case x.delayMin < 0:
			errs[at+"delay"] = "delay must not be negative"
		}
		rec, msg := a.resolveRef(r.Recipient, recipientKinds)
		if msg != "" {
			errs[at+"recipient"] = msg
		}
		x.recipient = rec
		out = append(out, x)
	}
	return out
}

// escalationInput reads the fields shared by create and update.
type escalationInput struct {
	name, desc string
	hasDesc    bool
	rules      []rule
	hasRules   bool
	owner      string
	hasOwner   bool
	repeat     *repeat
	hasRepeat  bool
	errs       map[string]string
}

func (a *account) readEscalation(m map[string]json.RawMessage, create bool) escalationInput {
	in := escalationInput{errs: map[string]string{}}
	field(m, "name", &in.name, in.errs, "a string")
	if create || in.name != "" {
		checkName(in.name, in.errs)
	}
	in.hasDesc = field(m, "description", &in.desc, in.errs, "a string")
	if present(m, "rules") || create {
		in.hasRules = true
		raw := m["rules"]
		if raw == nil {
			raw = json.RawMessage("[]")
		}
		in.rules = a.parseRules(raw, in.errs)
	}
	if present(m, "ownerTeam") {
		in.owner, in.hasOwner = a.resolveOwnerTeam(m["ownerTeam"], in.errs)
	}
	var rp repeat
	if field(m, "repeat", &rp, in.errs, "an object {waitInterval, count, resetRecipientStates, closeAlertAfterAll}") {
		in.repeat, in.hasRepeat = &rp, true
	}
	return in
}

func (a *account) recordEscalation(op string, e *escalation) {
	a.record(Mutation{Source: SourceAPI, Op: op, Team: a.teamNameOf(e.ownerTeamID), TeamID: e.ownerTeamID, Detail: "escalation " + e.name})
}

// createEscalation: POST /v2/escalations.
func (s *Server) createEscalation(c *call) reply {
	m, bad := readObject(c.r)
	if bad != nil {
		return *bad
	}
	a := s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	in := a.readEscalation(m, true)
	if len(in.errs) > 0 {
		return invalid(in.errs)
	}
	if a.escalationsNm[strings.ToLower(in.name)] != nil {
		return errReply(http.StatusConflict, fmt.Sprintf("There is already one Escalation with same name [%s]", in.name))
	}
	e := &escalation{id: a.ids.Next(), name: in.name, description: in.desc, ownerTeamID: in.owner, rules: in.rules, repeat: in.repeat}
	a.insertEscalation(e)
	a.recordEscalation(OpCreateEscalation, e)
	return resultReply(http.StatusCreated, "Created", e.id, e.name)
}

// lookupEscalation finds the escalation of a path.
func (s *Server) lookupEscalation(c *call) (*escalation, *reply) {
	byName, bad := identifierType(c.query, "identifierType")
	if bad != nil {
		return nil, bad
	}
	e := s.acct.escalations[c.params[0]]
	if byName {
		e = s.acct.escalationsNm[strings.ToLower(c.params[0])]
	}
	if e == nil {
		rep := errReply(http.StatusNotFound, fmt.Sprintf("No escalation exists with identifier [%s].", c.params[0]))
		return nil, &rep
	}
	return e, nil
}

// updateEscalation: PATCH /v2/escalations/{identifier}?identifierType=id|name.
// Fields present replace the escalation's; rules replace all rules.
func (s *Server) updateEscalation(c *call) reply {
	m, bad := readObject(c.r)
	if bad != nil {
		return *bad
	}
	a := s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	e, rep := s.lookupEscalation(c)
	if rep != nil {
		return *rep
	}
	in := a.readEscalation(m, false)
	if len(in.errs) > 0 {
		return invalid(in.errs)
	}
	if in.name != "" && !strings.EqualFold(in.name, e.name) && a.escalationsNm[strings.ToLower(in.name)] != nil {
		return errReply(http.StatusConflict, fmt.Sprintf("There is already one Escalation with same name [%s]", in.name))
	}
	if in.name != "" && in.name != e.name {
		a.removeEscalation(e)
		e.name = in.name
		a.insertEscalation(e)
	}
	if in.hasDesc {
		e.description = in.desc
	}
	if in.hasRules {
		e.rules = in.rules
	}
	if in.hasOwner {
		e.ownerTeamID = in.owner
	}
	if in.hasRepeat {
		e.repeat = in.repeat
	}
	a.recordEscalation(OpUpdateEscalation, e)
	return resultReply(http.StatusOK, "Updated", e.id, e.name)
}

// deleteEscalation: DELETE /v2/escalations/{identifier}?identifierType=id|name.
// An escalation that is a rotation participant is refused with 428.
func (s *Server) deleteEscalation(c *call) reply {
	a := s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	e, rep := s.lookupEscalation(c)
	if rep != nil {
		return *rep
	}
	var users []string
	for _, sc := range a.scheduleOrder {
		if sc.references(ref{refEscalation, e.id}) {
			users = append(users, sc.name)
		}
	}
	if len(users) > 0 {
		return errReply(http.StatusPreconditionRequired, fmt.Sprintf(
			"Escalation [%s] is in use. Please remove it from schedules: [%s] before deleting it.", e.name, strings.Join(users, ", ")))
	}
	a.recordEscalation(OpDeleteEscalation, e)
	a.removeEscalation(e)
	return reply{status: http.StatusOK, body: appendMember(nil, "result", "Deleted")}
}
