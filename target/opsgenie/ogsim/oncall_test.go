package ogsim

import (
	"strings"
	"testing"
)

func TestSchedules(t *testing.T) {
	srv := newTestServer(t, Options{})
	list := do(t, srv, "GET", "/v2/schedules", "")
	expect(t, list, 200, `"expandable":["rotation"]`)
	var names []string
	for _, it := range list.list("data") {
		names = append(names, it.(map[string]any)["name"].(string))
	}
	if strings.Join(names, ",") != "ops_schedule,sre_oncall,sre_schedule" {
		t.Errorf("schedules = %v", names)
	}
	if rot := list.list("data.1.rotations"); rot == nil || len(rot) != 0 {
		t.Errorf("without expand rotations must be [], got %v", list.get("data.1.rotations"))
	}
	exp := do(t, srv, "GET", "/v2/schedules?expand=rotation", "")
	if exp.str("data.1.rotations.0.participants.0.username") != "oncall@example.com" {
		t.Errorf("expand=rotation: %v", exp.get("data.1.rotations"))
	}
	id := list.str("data.1.id")
	tests := []struct {
		name, path string
		beh        Behavior
		code       int
		want       string
	}{
		{"by id", "/v2/schedules/" + id, Behavior{}, 200, `"timezone":"Europe/Berlin","enabled":true,"ownerTeam":{"id":"`},
		{"by name", "/v2/schedules/sre_oncall?identifierType=name", Behavior{}, 200, `"startDate":"2024-01-01T09:00:00Z","type":"weekly","length":1`},
		{"team participant", "/v2/schedules/sre_oncall?identifierType=name", Behavior{}, 200, `{"type":"team","id":"`},
		{"unknown answers 403 like the real API", "/v2/schedules/nope?identifierType=name", Behavior{}, 403, `"code":40301`},
		{"unknown answers 404 when asked", "/v2/schedules/nope?identifierType=name", Behavior{UnknownScheduleNotFound: true}, 404, `No schedule exists`},
		{"bad identifierType", "/v2/schedules/x?identifierType=foo", Behavior{}, 422, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestServer(t, Options{Behavior: tc.beh, IDSeed: 0})
			expect(t, do(t, s, "GET", tc.path, ""), tc.code, tc.want)
		})
	}
}

func TestEscalations(t *testing.T) {
	srv := newTestServer(t, Options{})
	list := do(t, srv, "GET", "/v2/escalations", "")
	expect(t, list, 200, "")
	if n := len(list.list("data")); n != 3 {
		t.Errorf("%d escalations, want 3 (two defaults and sre_critical)", n)
	}
	id := list.str("data.1.id")
	tests := []struct {
		name, path string
		code       int
		want       string
	}{
		{"by id", "/v2/escalations/" + id, 200, `"name":"sre_critical"`},
		{"by name", "/v2/escalations/SRE_critical?identifierType=name", 200, `{"condition":"if-not-acked","notifyType":"default","delay":{"timeAmount":0,"timeUnit":"minutes"},"recipient":{"type":"user","id":"`},
		{"schedule recipient", "/v2/escalations/sre_critical?identifierType=name", 200, `"recipient":{"type":"schedule","id":"`},
		{"unknown", "/v2/escalations/nope?identifierType=name", 404, "No escalation exists"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			expect(t, do(t, srv, "GET", tc.path, ""), tc.code, tc.want)
		})
	}
}

func TestRoles(t *testing.T) {
	srv := newTestServer(t, Options{})
	for _, path := range []string{"/v2/roles", "/v2/roles/"} {
		r := do(t, srv, "GET", path, "")
		expect(t, r, 200, `"name":"Responder","extendedRole":"user","grantedRights":["alert-delete"],"disallowedRights":[]`)
		if len(r.list("data")) != 1 {
			t.Errorf("%s: built-in roles must not be listed: %s", path, r.raw)
		}
	}
	if st := srv.Stats(); st.ByRoute["GET /v2/roles"] != 2 {
		t.Errorf("stats = %v", st.ByRoute)
	}
	expect(t, do(t, srv, "GET", "/v2/roles/responder?identifierType=name", ""), 200, `"name":"Responder"`)
	expect(t, do(t, srv, "GET", "/v2/roles/nope?identifierType=name", ""), 404, "")
}
