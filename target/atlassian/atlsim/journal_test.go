package atlsim

import (
	"slices"
	"testing"
)

// TestJournalOps checks that every write records what it changed, and
// that a write changing nothing records nothing.
func TestJournalOps(t *testing.T) {
	jsm := `"permissionRules":[{"resource":"ari:cloud:jira-servicedesk::site/cloud-1","role":"atlassian/user"}]`
	tests := []struct {
		method, path, body string
		ops                []string
	}{
		{"PATCH", teamsBase + "/teams/team-web", `{"displayName":"Front","description":"New"}`, []string{OpRenameTeam, OpUpdateTeam}},
		{"PATCH", teamsBase + "/teams/team-web", `{"displayName":"Web","description":"Web team"}`, nil},
		{"DELETE", teamsBase + "/teams/team-platform", "", []string{OpDeleteTeam, OpDeleteSchedule, OpDeleteEscalation}},
		{"POST", teamsBase + "/teams/team-gone/restore", "", []string{OpRestoreTeam}},
		{"POST", teamsBase + "/teams/archive", `{"teamIds":["team-web"]}`, []string{OpArchiveTeam}},
		{"POST", teamsBase + "/teams/team-web/members/add", memberBody("acc-bob", "acc-carol"), []string{OpAddMember}},
		{"POST", teamsBase + "/teams/team-web/members/remove", memberBody("acc-carol", "acc-bob"), []string{OpRemoveMember}},
		{"POST", opsBase + "/v1/teams/team-web/enable-ops", "", []string{OpEnableOps, OpCreateSchedule, OpCreateEscalation}},
		{"DELETE", opsBase + "/v1/schedules/sched-1", "", []string{OpDeleteSchedule}},
		{"DELETE", opsBase + "/v1/teams/team-platform/escalations/esc-1", "", []string{OpDeleteEscalation}},
		{"POST", "/rest/api/3/user", `{"emailAddress":"n@example.com","products":["jira-servicedesk"]}`, []string{OpCreateUser, OpGrantAccess}},
		{"POST", "/rest/api/3/user", `{"emailAddress":"alice@example.com","products":["jira-servicedesk"]}`, nil},
		{"DELETE", "/rest/api/3/user?accountId=acc-bob", "", []string{OpRevokeAccess, OpRevokeAccess}},
		{"PUT", "/rest/api/3/user/properties/k?accountId=acc-bob", `1`, []string{OpSetProperty}},
		{"DELETE", "/rest/api/3/user/properties/ogsync?accountId=acc-erin", "", []string{OpDeleteProperty}},
		{"POST", "/admin/v2/orgs/" + testOrg + "/users/invite", `{"emails":["i@example.com","alice@example.com"],` + jsm + `}`, []string{OpCreateUser, OpGrantAccess}},
		{"POST", dirBase + "/users/acc-alice/suspend", "", []string{OpSuspendUser}},
		{"POST", dirBase + "/users/acc-dave/restore", "", []string{OpRestoreUser}},
		{"POST", dirBase + "/users/acc-alice/restore", "", nil},
		{"DELETE", dirBase + "/users/acc-carol", "", []string{OpRemoveUser}},
		{"PATCH", "/users/acc-erin/manage/profile", `{"name":"E"}`, []string{OpUpdateUser}},
		{"POST", "/users/acc-erin/manage/lifecycle/disable", "", []string{OpDeactivateUser}},
		{"POST", "/users/acc-erin/manage/lifecycle/delete", "", []string{OpScheduleDelete}},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			srv := newTestServer(t, Options{Behavior: Behavior{OpsInvisibleCalls: -1}})
			r := do(t, srv, tc.method, tc.path, tc.body)
			if r.code >= 300 {
				t.Fatalf("status %d: %s", r.code, r.body)
			}
			var got []string
			for _, m := range srv.Journal() {
				got = append(got, m.Op)
				if m.Seq == 0 || m.Source != SourceAPI {
					t.Errorf("mutation %+v", m)
				}
			}
			if !slices.Equal(got, tc.ops) {
				t.Errorf("journal %v, want %v", got, tc.ops)
			}
		})
	}
	srv := newTestServer(t, Options{})
	srv.ResetJournal()
	do(t, srv, "POST", "/users/acc-erin/manage/lifecycle/delete", "")
	do(t, srv, "POST", "/users/acc-erin/manage/lifecycle/cancel-delete", "")
	do(t, srv, "POST", "/users/acc-erin/manage/lifecycle/disable", "")
	do(t, srv, "POST", "/users/acc-erin/manage/lifecycle/enable", "")
	var got []string
	for _, m := range srv.Journal() {
		got = append(got, m.Op)
	}
	if want := []string{OpScheduleDelete, OpCancelDelete, OpDeactivateUser, OpActivateUser}; !slices.Equal(got, want) {
		t.Errorf("lifecycle journal %v, want %v", got, want)
	}
}

func TestSiteScopedReads(t *testing.T) {
	srv := newTestServer(t, Options{Behavior: Behavior{SiteScopedTeams: true}})
	want(t, do(t, srv, "GET", teamsBase+"/teams/team-web", ""), 404)
	want(t, do(t, srv, "GET", teamsBase+"/teams/team-web?siteId="+testCloud, ""), 200)
	want(t, do(t, srv, "POST", teamsBase+"/teams/team-web/members", `{}`), 404)
	want(t, do(t, srv, "POST", teamsBase+"/teams/team-web/members?siteId="+testCloud, `{}`), 200)
	// Teams made without siteId (not possible here) would show; writes
	// address teams by id whatever their scope.
	want(t, do(t, srv, "PATCH", teamsBase+"/teams/team-web", `{"description":"x"}`), 200)
}
