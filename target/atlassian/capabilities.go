package atlassian

import (
	"github.com/ogsync/ogsync/model"
	"github.com/ogsync/ogsync/planner"
)

// Capabilities says what the Atlassian target can manage, per the
// reference's gap table (§7). fullName, timeZone and locale are managed
// for accounts the organization manages (a verified domain); for the
// others the account's owner controls them, and Read reports the declared
// value (see README.md), so that no difference is planned that no call
// could close.
func (t *Target) Capabilities() planner.Capabilities {
	return planner.Capabilities{
		Target:          "atlassian",
		UserFields:      []string{"fullName", "role", "timeZone", "locale"},
		Roles:           []string{model.RoleOwner, model.RoleAdmin, model.RoleUser, model.RoleStakeholder},
		CreateUsers:     true,
		DeleteUsers:     true,
		TeamDescription: true,
		MemberRoles:     false,
		Why: map[string]string{
			"tags":             "Atlassian accounts have no tags; a hidden Jira user property is no substitute anyone would see",
			"details":          "Atlassian accounts have no custom details; only the ownership marker is kept, in the Jira user property " + UserProperty,
			model.RoleObserver: "OpsGenie's Observer has no counterpart in JSM (it is absent from the migration's role table)",
			"member-roles":     "team admins are set only once, when operations are enabled; no API changes or reads them afterwards (JSDCLOUD-17225)",
		},
	}
}
