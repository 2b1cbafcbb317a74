// Package planner computes what ogsync must change in an OpsGenie account to
// make it equal to the desired state, and checks that plan against the
// safeguards before anything is written. It is pure: no I/O, no context, no
// clock; sorted, deterministic output.
//
//	p, err := planner.Compute(desired, current, opts) // diff + safeguard phases 1 and 2
//	facts := fetch(p.DeleteCandidates())              // the caller's I/O
//	p.Audit(facts)                                    // safeguard phase 3, on-call audit
//	if p.Refused() { /* apply nothing */ }
//	for _, a := range p.Runnable() { /* apply in order */ }
//
// # Comparison
//
// Only the fields a desired object sets are managed; nil fields are left as
// they are. Users match by normalised username (trimmed, lower-cased), teams
// by name case-insensitively (a different spelling is an update of "name").
//
//   - fullName and team description compare exactly.
//   - role: built-in roles (Owner, Admin, User, Observer, Stakeholder)
//     compare case-insensitively. Custom role names compare exactly, after
//     the desired spelling is resolved to the account's when exactly one
//     account custom role matches it case-insensitively.
//   - timeZone: equal names, or names that both load (time/tzdata is
//     embedded) and have the same UTC offset at every instant from 1970 to
//     2038, walking the zones' transitions. Aliases (US/Pacific and
//     America/Los_Angeles, Asia/Calcutta and Asia/Kolkata) are therefore
//     equal; zones that agree only today (Europe/Berlin and Europe/Paris)
//     are not. A name that does not load equals only itself. There is no
//     perpetual diff: the comparison does not depend on the clock.
//   - locale compares case-insensitively, "-" and "_" alike (en-US = en_US).
//   - tags compare as sets (order and duplicates ignored).
//   - details compare as maps of key to a SET of values (order and
//     duplicates ignored, since OpsGenie does not promise to keep them); a key
//     with an empty value list is the same as no key. The ownership marker
//     key is ignored on both sides, so the marker never shows as a diff; an
//     update of details keeps the account's marker entry.
//   - member roles: "admin" and "user" case-insensitively, empty meaning
//     user; custom team roles exactly.
//
// A created user gets its desired fields, role User and full name = username
// when the desired state leaves them out (the API requires both), and the
// ownership marker in its details.
//
// # Scope and ownership
//
// Users matching ignore_users and teams matching ignore_teams (path.Match,
// case-insensitive) are never created, changed or deleted; an ignored user is
// never added to or removed from a team; an ignored team's members are left
// alone. Protected users' records are never changed or deleted (a missing
// protected user is created like any other, and their team memberships are
// managed like anyone's). External users may be members
// without being declared and are never created, changed or deleted. A
// current user some desired membership names is never deleted.
//
// Deletes need the kind's policy to be sync, and ownership:
//   - marker mode (the default): only users carrying the marker (a details
//     entry, managed-by: [ogsync] by default, put on every user ogsync
//     creates) are deleted. Teams have no place for a marker, so teams are
//     never deleted in marker mode.
//   - adopt mode: the desired state is authoritative for everything in
//     scope; every user and team not declared (and not ignored, protected,
//     external or referenced) is deleted.
//
// The members of a team are managed when the desired team lists members
// (even an empty list, which empties the team); the members of a desired
// team without a members list are not.
//
// What scope or policy forbids while the desired state asks for it is listed
// in Plan.Skipped, never applied, and does not count as a change.
//
// # Policies
//
// Per kind (users, teams, members): sync (create, update, delete),
// upsert-only (create, update; the default) and create-only. For members,
// create is an add, update a role change, delete a removal.
//
// # Memberships
//
// Memberships change one member at a time (add-member, change-member-role,
// remove-member), and a member who stays is never touched, so nobody who
// should stay is ever dropped, even for a moment. A new team gets its
// members in its create-team action. Each target turns an action into its
// own requests (target.Target.Apply).
//
// # Order and dependencies
//
// Actions are sorted by step, then ID (see the Step constants): create users
// → create teams → user updates (promotions to Owner, then other updates and
// team updates, then demotions from Owner) → member adds → role changes →
// member removes → team deletes → user deletes. Actions of one step are
// independent. Action.DependsOn names earlier actions that must succeed
// first: member adds and team creates need the create of each new member;
// demotions and Owner deletes need every promotion; a user delete needs the
// removal of that user from teams. An executor skips the dependants of an
// action that failed or was blocked (Plan.Runnable does this for blocks).
//
// # Safeguards
//
// Phase 1, CheckDesired, and phase 2, CheckPlan, run inside Compute. A
// violation of either refuses the WHOLE plan (Plan.Refused; Runnable returns
// nothing), creates included, as peribolos does: a tripped limit most often
// means a broken desired state or a bad read of the account, in which the
// creates and updates are as suspect as the deletes, and a partial apply
// would leave a state nobody reviewed. The actions over a limit are also
// marked blocked, with the exact limit and amount, so every report shows
// them. Phase 3, Plan.Audit, blocks only the user deletes the on-call facts
// show are still referenced; the rest of the plan may be applied. A blocked
// action is reported, not an error (see the sync package's Outcome).
package planner
