package ogsim

import "testing"

// invitationDisabled is recorded from a boolean (the OpenAPI type) or the
// string the Go SDK sends; anything else is a field error.
func TestCreateUserInvitationDisabled(t *testing.T) {
	srv := newTestServer(t, Options{})
	for _, tc := range []struct {
		user, field string
		want        bool
	}{
		{"absent@example.com", ``, false},
		{"bool@example.com", `,"invitationDisabled":true`, true},
		{"false@example.com", `,"invitationDisabled":false`, false},
		{"string@example.com", `,"invitationDisabled":"true"`, true},
	} {
		expect(t, do(t, srv, "POST", "/v2/users", `{"username":"`+tc.user+`","fullName":"X","role":{"name":"User"}`+tc.field+`}`), 201, "")
		found := false
		for _, u := range srv.State().Users {
			if u.Username == tc.user {
				found = true
				if u.InvitationDisabled != tc.want {
					t.Errorf("%s: invitationDisabled %v, want %v", tc.user, u.InvitationDisabled, tc.want)
				}
			}
		}
		if !found {
			t.Errorf("%s was not created", tc.user)
		}
	}
	expect(t, do(t, srv, "POST", "/v2/users", `{"username":"bad@example.com","fullName":"X","role":{"name":"User"},"invitationDisabled":"yes"}`), 422, "invitationDisabled must be true or false")
}
