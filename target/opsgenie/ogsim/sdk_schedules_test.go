package ogsim_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/ogsync/ogsync/target/opsgenie/ogsim"
	"github.com/opsgenie/opsgenie-go-sdk-v2/client"
	"github.com/opsgenie/opsgenie-go-sdk-v2/escalation"
	"github.com/opsgenie/opsgenie-go-sdk-v2/og"
	"github.com/opsgenie/opsgenie-go-sdk-v2/schedule"
	"github.com/opsgenie/opsgenie-go-sdk-v2/team"
	"github.com/opsgenie/opsgenie-go-sdk-v2/user"
)

// TestSDKSchedulesAndRotations writes schedules, rotations and escalations
// through the SDK, then deletes an on-call user the way the Terraform
// provider does: leave its teams, take it out of the rotations it is in
// (GET .../rotations, PATCH the remaining participants), then DELETE.
func TestSDKSchedulesAndRotations(t *testing.T) {
	srv, cfg := newSDKServer(t, ogsim.Options{Seed: sdkSeed(2)})
	ctx := context.Background()
	sc, err := schedule.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ec, err := escalation.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	uc, err := user.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tc, err := team.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)
	enabled := true
	created, err := sc.Create(ctx, &schedule.CreateRequest{Name: "secondary", Timezone: "Europe/Berlin", Enabled: &enabled,
		OwnerTeam: &og.OwnerTeam{Name: "sre"}, Rotations: []og.Rotation{{Name: "days", StartDate: &start, Type: og.Daily, Length: 1,
			Participants: []og.Participant{{Type: og.User, Username: "u0000@example.com"}, {Type: og.None}}}}})
	if err != nil || created.Id == "" || created.Name != "secondary" || !created.Enabled {
		t.Fatalf("create schedule: %+v %v", created, err)
	}
	got, err := sc.Get(ctx, &schedule.GetRequest{IdentifierType: schedule.Id, IdentifierValue: created.Id})
	if err != nil || got.Schedule.Timezone != "Europe/Berlin" || got.Schedule.OwnerTeam == nil || got.Schedule.OwnerTeam.Name != "sre" ||
		len(got.Schedule.Rotations) != 1 || len(got.Schedule.Rotations[0].Participants) != 2 ||
		got.Schedule.Rotations[0].Participants[0].Username != "u0000@example.com" || got.Schedule.Rotations[0].Participants[1].Type != og.None {
		t.Fatalf("get schedule: %+v %v", got, err)
	}
	// The SDK always sends "name", empty here: the name stays.
	if upd, err := sc.Update(ctx, &schedule.UpdateRequest{IdentifierType: schedule.Name, IdentifierValue: "secondary", Description: "backup"}); err != nil || upd.Name != "secondary" {
		t.Fatalf("update schedule: %+v %v", upd, err)
	}

	// A second rotation on the seeded schedule: the on-call user and a team
	// (the SDK sends "username":"" for the team).
	rot, err := sc.CreateRotation(ctx, &schedule.CreateRotationRequest{ScheduleIdentifierType: schedule.Name, ScheduleIdentifierValue: "primary",
		Rotation: &og.Rotation{Name: "nights", StartDate: &start, Type: og.Weekly, Length: 2,
			Participants: []og.Participant{{Type: og.User, Username: "oncall@example.com"}, {Type: og.Team, Name: "sre"}}}})
	if err != nil || rot.Id == "" || rot.Name != "nights" {
		t.Fatalf("create rotation: %+v %v", rot, err)
	}
	gr, err := sc.GetRotation(ctx, &schedule.GetRotationRequest{ScheduleIdentifierType: schedule.Name, ScheduleIdentifierValue: "primary", RotationId: rot.Id})
	if err != nil || gr.Length != 2 || gr.Type != og.Weekly || gr.Info.Name != "primary" || len(gr.Participants) != 2 {
		t.Fatalf("get rotation: %+v %v", gr, err)
	}

	// Terraform's user delete.
	const victim = "oncall@example.com"
	teams, err := uc.ListUserTeams(ctx, &user.ListUserTeamsRequest{Identifier: victim})
	if err != nil {
		t.Fatal(err)
	}
	for _, tm := range teams.Teams {
		if _, err := tc.RemoveMember(ctx, &team.RemoveTeamMemberRequest{TeamIdentifierType: team.Id, TeamIdentifierValue: tm.Id,
			MemberIdentifierType: team.Username, MemberIdentifierValue: victim}); err != nil {
			t.Fatal(err)
		}
	}
	scheds, err := uc.ListUserSchedules(ctx, &user.ListUserSchedulesRequest{Identifier: victim})
	if err != nil || len(scheds.Schedules) != 1 {
		t.Fatalf("user schedules: %+v %v", scheds, err)
	}
	for _, s := range scheds.Schedules {
		rots, err := sc.ListRotations(ctx, &schedule.ListRotationsRequest{ScheduleIdentifierType: schedule.Id, ScheduleIdentifierValue: s.Id})
		if err != nil || len(rots.Rotations) != 2 {
			t.Fatalf("list rotations: %+v %v", rots, err)
		}
		for _, r := range rots.Rotations {
			rest := slices.DeleteFunc(slices.Clone(r.Participants), func(p og.Participant) bool { return p.Username == victim })
			if len(rest) == len(r.Participants) {
				continue
			}
			if len(rest) == 0 { // the SDK cannot send [] (omitempty): Terraform is stuck here; this test deletes the rotation
				if _, err := sc.DeleteRotation(ctx, &schedule.DeleteRotationRequest{ScheduleIdentifierType: schedule.Id, ScheduleIdentifierValue: s.Id, RotationId: r.Id}); err != nil {
					t.Fatal(err)
				}
				continue
			}
			if _, err := sc.UpdateRotation(ctx, &schedule.UpdateRotationRequest{ScheduleIdentifierType: schedule.Id, ScheduleIdentifierValue: s.Id,
				RotationId: r.Id, Rotation: &og.Rotation{Participants: rest}}); err != nil {
				t.Fatalf("update rotation: %v", err)
			}
		}
	}
	// Still referenced by the escalation: 428, which Terraform retries on.
	_, err = uc.Delete(ctx, &user.DeleteRequest{Identifier: victim})
	var apiErr *client.ApiError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 428 {
		t.Fatalf("delete while in an escalation: %v", err)
	}
	if _, err := ec.Update(ctx, &escalation.UpdateRequest{IdentifierType: escalation.Name, Identifier: "critical",
		Rules: []escalation.RuleRequest{{Condition: og.IfNotAcked, NotifyType: og.Default, Recipient: og.Participant{Type: og.Schedule, Name: "primary"},
			Delay: escalation.EscalationDelayRequest{TimeAmount: 0}}}}); err != nil {
		t.Fatalf("update escalation: %v", err)
	}
	if _, err := uc.Delete(ctx, &user.DeleteRequest{Identifier: victim}); err != nil {
		t.Fatalf("delete user: %v", err)
	}
	st := srv.State()
	for _, s := range st.Schedules {
		if s.Name == "primary" {
			if len(s.Rotations) != 1 || s.Rotations[0].Name != "nights" || len(s.Rotations[0].Participants) != 1 || s.Rotations[0].Participants[0].Type != "team" {
				t.Errorf("primary after the delete: %+v", s)
			}
		}
	}

	// Escalations and schedules are created and deleted; a schedule an
	// escalation notifies is refused with 428 until the escalation goes.
	ce, err := ec.Create(ctx, &escalation.CreateRequest{Name: "backup", OwnerTeam: &og.OwnerTeam{Name: "sre"},
		Rules: []escalation.RuleRequest{{Condition: og.IfNotAcked, NotifyType: og.Default, Recipient: og.Participant{Type: og.Schedule, Name: "secondary"},
			Delay: escalation.EscalationDelayRequest{TimeAmount: 5}}}})
	if err != nil || ce.Name != "backup" {
		t.Fatalf("create escalation: %+v %v", ce, err)
	}
	_, err = sc.Delete(ctx, &schedule.DeleteRequest{IdentifierType: schedule.Name, IdentifierValue: "secondary"})
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 428 {
		t.Fatalf("delete a notified schedule: %v", err)
	}
	if _, err := ec.Delete(ctx, &escalation.DeleteRequest{IdentifierType: escalation.Name, Identifier: "backup"}); err != nil {
		t.Fatal(err)
	}
	if _, err := sc.Delete(ctx, &schedule.DeleteRequest{IdentifierType: schedule.Name, IdentifierValue: "secondary"}); err != nil {
		t.Fatal(err)
	}
	var ops []string
	for _, m := range srv.Journal() {
		ops = append(ops, m.Op)
	}
	want := []string{"create-schedule", "update-schedule", "create-rotation", "remove-member", "delete-rotation", "update-rotation",
		"update-escalation", "delete-user", "create-escalation", "delete-escalation", "delete-schedule"}
	if !slices.Equal(ops, want) {
		t.Errorf("journal ops = %q, want %q", ops, want)
	}
}

// TestSDKUnderSwitches checks that the SDK reads the switched answers: a
// 409 on re-adding a member is an ApiError with the message, a team list
// without members or expandable parses, and a refused team delete is a 428.
func TestSDKUnderSwitches(t *testing.T) {
	_, cfg := newSDKServer(t, ogsim.Options{Seed: sdkSeed(1), Behavior: ogsim.Behavior{
		IgnoreExpandMember: true, MemberReAdd: ogsim.MemberReAddConflict, TeamDelete: ogsim.TeamDeleteRefuse}})
	ctx := context.Background()
	tc, err := team.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = tc.AddMember(ctx, &team.AddTeamMemberRequest{TeamIdentifierType: team.Name, TeamIdentifierValue: "sre",
		User: team.User{Username: "oncall@example.com"}, Role: "user"})
	var apiErr *client.ApiError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 409 || apiErr.Message != "User [oncall@example.com] is already a member of team [sre]." {
		t.Errorf("re-add: %v", err)
	}
	list, err := tc.List(ctx, &team.ListTeamRequest{})
	if err != nil || len(list.Teams) != 1 || list.Teams[0].Name != "sre" {
		t.Errorf("list: %+v %v", list, err)
	}
	_, err = tc.Delete(ctx, &team.DeleteTeamRequest{IdentifierType: team.Name, IdentifierValue: "sre"})
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 428 {
		t.Errorf("delete a team owning schedules: %v", err)
	}
}
