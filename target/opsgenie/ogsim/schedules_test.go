package ogsim

import (
	"strings"
	"testing"
)

func TestScheduleWrites(t *testing.T) {
	const rot = `{"name":"r","startDate":"2025-01-06T09:00:00Z","type":"weekly","participants":[{"type":"user","username":"user@example.com"},{"type":"none","username":""}]}`
	tests := []struct {
		name, method, target, body string
		code                       int
		want                       string
	}{
		{"create minimal", "POST", "/v2/schedules", `{"name":"new"}`, 201, `"result":"Created","data":{"id":"`},
		{"create with everything", "POST", "/v2/schedules", `{"name":"new","description":"d","timezone":"Europe/Berlin","enabled":false,"ownerTeam":{"name":"ops"},"rotations":[` + rot + `],"ScheduleIdentifierType":0}`, 201, `"enabled":false`},
		{"create without name", "POST", "/v2/schedules", `{"timezone":"Europe/Berlin"}`, 422, `"name":"name is required"`},
		{"create duplicate", "POST", "/v2/schedules", `{"name":"SRE_oncall"}`, 409, `There is already one Schedule with same name [SRE_oncall]`},
		{"create bad zone", "POST", "/v2/schedules", `{"name":"new","timezone":"Mars/Olympus"}`, 422, `"timezone"`},
		{"create unknown owner", "POST", "/v2/schedules", `{"name":"new","ownerTeam":{"name":"nope"}}`, 422, `"ownerTeam":"no team exists with id or name [nope]"`},
		{"create bad rotation", "POST", "/v2/schedules", `{"name":"new","rotations":[{"type":"monthly","participants":[{"type":"schedule","name":"sre_oncall"}]}]}`, 422,
			`"rotations[0].participants[0]":"type [schedule] must be one of user, team, escalation, none"`},
		{"create rotation without start", "POST", "/v2/schedules", `{"name":"new","rotations":[{"type":"daily","participants":[{"type":"none"}]}]}`, 422, `"rotations[0].startDate":"startDate is required"`},
		{"patch by name", "PATCH", "/v2/schedules/sre_oncall?identifierType=name", `{"name":"","description":"x","enabled":false}`, 200, `"result":"Updated","data":{"id":"`},
		{"patch rename", "PATCH", "/v2/schedules/sre_oncall?identifierType=name", `{"name":"primary"}`, 200, `"name":"primary"`},
		{"patch rename taken", "PATCH", "/v2/schedules/sre_oncall?identifierType=name", `{"name":"ops_schedule"}`, 409, ""},
		{"patch unknown", "PATCH", "/v2/schedules/nope?identifierType=name", `{"description":"x"}`, 403, `"code":40301`},
		{"delete notified by an escalation", "DELETE", "/v2/schedules/sre_oncall?identifierType=name", "", 428,
			`Schedule [sre_oncall] is in use. Please remove it from escalations: [sre_critical] before deleting it.`},
		{"delete a default schedule (its escalation notifies it)", "DELETE", "/v2/schedules/ops_schedule?identifierType=name", "", 428, `ops_escalation`},
		{"list rotations", "GET", "/v2/schedules/sre_oncall/rotations?scheduleIdentifierType=name", "", 200,
			`"participants":[{"type":"user","id":"`},
		{"list rotations unknown schedule", "GET", "/v2/schedules/nope/rotations?scheduleIdentifierType=name", "", 403, ""},
		{"list rotations bad identifier type", "GET", "/v2/schedules/sre_oncall/rotations?scheduleIdentifierType=key", "", 422, "scheduleIdentifierType"},
		{"create rotation", "POST", "/v2/schedules/sre_oncall/rotations?scheduleIdentifierType=name", rot, 201, `"result":"Created","data":{"id":"`},
		{"create rotation unknown user", "POST", "/v2/schedules/sre_oncall/rotations?scheduleIdentifierType=name",
			strings.Replace(rot, "user@example.com", "ghost@example.com", 1), 422, `"participants[0]":"no user exists with id or username [ghost@example.com]"`},
		{"create rotation with restriction", "POST", "/v2/schedules/sre_oncall/rotations?scheduleIdentifierType=name",
			strings.Replace(rot, `"type":"weekly"`, `"type":"weekly","timeRestriction":{"type":"time-of-day","restriction":{"startHour":9,"startMin":0,"endHour":17,"endMin":0}}`, 1), 201, ""},
		{"create rotation bad restriction", "POST", "/v2/schedules/sre_oncall/rotations?scheduleIdentifierType=name",
			strings.Replace(rot, `"type":"weekly"`, `"type":"weekly","timeRestriction":{"type":"lunch"}`, 1), 422, `"timeRestriction"`},
		{"create rotation end before start", "POST", "/v2/schedules/sre_oncall/rotations?scheduleIdentifierType=name",
			strings.Replace(rot, `"type":"weekly"`, `"type":"weekly","endDate":"2024-01-01T00:00:00Z"`, 1), 422, `"endDate":"endDate must be after startDate"`},
		{"get rotation", "GET", "/v2/schedules/sre_oncall/rotations/$ROT?scheduleIdentifierType=name", "", 200, `"_parent":{"id":"`},
		{"get unknown rotation", "GET", "/v2/schedules/sre_oncall/rotations/nope?scheduleIdentifierType=name", "", 404, `No rotation exists with id [nope] in schedule [sre_oncall].`},
		{"patch rotation participants", "PATCH", "/v2/schedules/sre_oncall/rotations/$ROT?scheduleIdentifierType=name",
			`{"participants":[{"type":"team","name":"sre","username":""}],"RotationId":"x"}`, 200, `"result":"Updated"`},
		{"patch rotation length", "PATCH", "/v2/schedules/sre_oncall/rotations/$ROT?scheduleIdentifierType=name", `{"length":0}`, 422, `"length"`},
		{"delete rotation", "DELETE", "/v2/schedules/sre_oncall/rotations/$ROT?scheduleIdentifierType=name", "", 200, `"result":"Deleted"`},
		{"create escalation", "POST", "/v2/escalations", `{"name":"esc","rules":[{"recipient":{"type":"team","name":"ops"},"delay":{"timeAmount":1}}]}`, 201, `"result":"Created"`},
		{"create escalation without rules", "POST", "/v2/escalations", `{"name":"esc"}`, 422, `"rules":"at least one rule is required"`},
		{"create escalation bad recipient", "POST", "/v2/escalations", `{"name":"esc","rules":[{"recipient":{"type":"none"}}]}`, 422, `"rules[0].recipient"`},
		{"create escalation duplicate", "POST", "/v2/escalations", `{"name":"sre_critical","rules":[{"recipient":{"type":"team","name":"ops"}}]}`, 409, ""},
		{"patch escalation", "PATCH", "/v2/escalations/sre_critical?identifierType=name", `{"description":"d","Identifier":"x"}`, 200, `"result":"Updated"`},
		{"delete escalation", "DELETE", "/v2/escalations/sre_critical?identifierType=name", "", 200, `"result":"Deleted"`},
		{"delete unknown escalation", "DELETE", "/v2/escalations/nope?identifierType=name", "", 404, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTestServer(t, Options{})
			rotID := do(t, srv, "GET", "/v2/schedules/sre_oncall?identifierType=name", "").str("data.rotations.0.id")
			before := srv.State()
			r := do(t, srv, tc.method, strings.ReplaceAll(tc.target, "$ROT", rotID), tc.body)
			expect(t, r, tc.code, tc.want)
			j := srv.Journal()
			if tc.code >= 300 {
				if len(j) != 0 || len(srv.State().Schedules) != len(before.Schedules) {
					t.Errorf("a refused write changed something: %+v", j)
				}
				return
			}
			if tc.method != "GET" && len(j) != 1 {
				t.Errorf("journal = %+v, want one entry", j)
			}
		})
	}
}

func TestScheduleRoundTrip(t *testing.T) {
	srv := newTestServer(t, Options{})
	body := `{"name":"r","startDate":"2025-01-06T09:00:00Z","endDate":"2025-06-01T00:00:00Z","type":"hourly","length":3,` +
		`"participants":[{"type":"escalation","name":"sre_critical","username":""},{"type":"user","id":"$UID"}],` +
		`"timeRestriction":{"type":"time-of-day","restriction":{"startHour":9,"startMin":0,"endHour":17,"endMin":30}}}`
	uid := do(t, srv, "GET", "/v2/users/user@example.com", "").str("data.id")
	r := do(t, srv, "POST", "/v2/schedules/sre_oncall/rotations?scheduleIdentifierType=name", strings.Replace(body, "$UID", uid, 1))
	expect(t, r, 201, "")
	g := do(t, srv, "GET", "/v2/schedules/sre_oncall/rotations/"+r.str("data.id")+"?scheduleIdentifierType=name", "")
	for _, want := range []string{`"name":"r"`, `"startDate":"2025-01-06T09:00:00Z"`, `"endDate":"2025-06-01T00:00:00Z"`, `"type":"hourly"`, `"length":3`,
		`{"type":"escalation","id":"`, `"name":"sre_critical"}`, `{"type":"user","id":"` + uid + `","username":"user@example.com"}`,
		`"timeRestriction":{"type":"time-of-day","restriction":{"startHour":9,"startMin":0,"endHour":17,"endMin":30}}`} {
		if !strings.Contains(g.raw, want) {
			t.Errorf("rotation %s lacks %s", g.raw, want)
		}
	}
	// The user is now referenced: GET /v2/users/{id}/schedules lists it.
	expect(t, do(t, srv, "GET", "/v2/users/user@example.com/schedules", ""), 200, `"name":"sre_oncall"`)
}
