package ogsim

import (
	"bytes"
	"encoding/json"
)

// parseInvitationDisabled reads invitationDisabled from a user create body:
// absent means false (OpsGenie sends the invitation e-mail). The OpenAPI
// description types it as a boolean while the official Go SDK sends the
// string "true"; the emulator accepts both, as a lenient JSON binder would,
// and records anything else as a field error.
func parseInvitationDisabled(m map[string]json.RawMessage, errs map[string]string) bool {
	raw, ok := m["invitationDisabled"]
	if !ok || bytes.Equal(raw, []byte("null")) {
		return false
	}
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return b
	}
	var s string
	if json.Unmarshal(raw, &s) == nil && (s == "true" || s == "false") {
		return s == "true"
	}
	errs["invitationDisabled"] = "invitationDisabled must be true or false"
	return false
}
