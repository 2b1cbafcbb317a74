package ogsim_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ogsync/ogsync/target/opsgenie/ogsim"
	"github.com/opsgenie/opsgenie-go-sdk-v2/client"
	"github.com/opsgenie/opsgenie-go-sdk-v2/escalation"
	"github.com/opsgenie/opsgenie-go-sdk-v2/schedule"
	"github.com/opsgenie/opsgenie-go-sdk-v2/team"
	"github.com/opsgenie/opsgenie-go-sdk-v2/user"
	"github.com/sirupsen/logrus"
)

// This file drives the emulator with the official OpsGenie Go SDK
// (github.com/opsgenie/opsgenie-go-sdk-v2 v1.2.23, used by tests only). The
// SDK talks plain http to a host without "api" in its name, so it is given
// 127.0.0.1:PORT.

const sdkKey = "0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6"

// syncClock is a fake clock shared by the server and the SDK's backoff.
type syncClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *syncClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *syncClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// sdkSeed is an owner, an on-call user referenced by a schedule and an
// escalation, and n plain users.
func sdkSeed(n int) *ogsim.Seed {
	seed := &ogsim.Seed{
		Users: []ogsim.SeedUser{
			{Username: "owner@example.com", FullName: "Owner", Role: "Owner"},
			{Username: "oncall@example.com", FullName: "On Call", Role: "User"},
		},
		Teams: []ogsim.SeedTeam{{Name: "sre", Members: []ogsim.SeedMember{{Username: "oncall@example.com", Role: "admin"}}}},
		Schedules: []ogsim.SeedSchedule{{Name: "primary", OwnerTeam: "sre", Rotations: []ogsim.SeedRotation{{
			Name: "weekly", Type: "weekly", StartDate: time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC),
			Participants: []ogsim.SeedRecipient{{User: "oncall@example.com"}},
		}}}},
		Escalations: []ogsim.SeedEscalation{{Name: "critical", OwnerTeam: "sre", Rules: []ogsim.SeedRule{
			{Delay: 0, Recipient: ogsim.SeedRecipient{User: "oncall@example.com"}},
			{NotifyType: "next", Delay: 5, Recipient: ogsim.SeedRecipient{Schedule: "primary"}},
		}}},
	}
	for i := range n {
		seed.Users = append(seed.Users, ogsim.SeedUser{
			Username: fmt.Sprintf("u%04d@example.com", i), FullName: fmt.Sprintf("User %d", i), Role: "User"})
	}
	return seed
}

// sdkConfig points the SDK at ts with quiet logs and a backoff that moves
// the fake clock instead of sleeping.
func sdkConfig(ts *httptest.Server, clock *syncClock) *client.Config {
	logger := logrus.New()
	logger.SetOutput(io.Discard)
	return &client.Config{
		ApiKey:         sdkKey,
		OpsGenieAPIURL: client.ApiUrl(strings.TrimPrefix(ts.URL, "http://")),
		Logger:         logger,
		RetryCount:     4,
		Backoff: func(_, _ time.Duration, _ int, _ *http.Response) time.Duration {
			clock.advance(time.Second)
			return time.Millisecond
		},
	}
}

func newSDKServer(t *testing.T, opts ogsim.Options) (*ogsim.Server, *client.Config) {
	t.Helper()
	clock := &syncClock{t: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)}
	opts.APIKey, opts.Clock = sdkKey, clock.now
	srv, err := ogsim.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	if strings.Contains(ts.URL, "api") {
		t.Fatalf("test server URL %s contains \"api\"; the SDK would use https", ts.URL)
	}
	return srv, sdkConfig(ts, clock)
}

func TestSDKUsers(t *testing.T) {
	srv, cfg := newSDKServer(t, ogsim.Options{Seed: sdkSeed(250)})
	ctx := context.Background()
	uc, err := user.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}

	created, err := uc.Create(ctx, &user.CreateRequest{
		Username: "New.Person@Example.com", FullName: "New Person", Role: &user.UserRoleRequest{RoleName: "admin"},
		TimeZone: "Europe/Istanbul", Locale: "tr_TR", Tags: []string{"x"}, Details: map[string][]string{"k": {"v"}},
		UserAddressRequest: &user.UserAddressRequest{Country: "TR"}, InvitationDisabled: "true",
	})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if created.Name != "new.person@example.com" || created.Id == "" || created.RequestId == "" || created.ResponseTime == 0 {
		t.Errorf("create result = %+v", created)
	}

	// List across pages, as a client following offsets does.
	var all []user.User
	for offset := 0; ; offset += 100 {
		page, err := uc.List(ctx, &user.ListRequest{Limit: 100, Offset: offset, Sort: user.Username, Order: user.Asc})
		if err != nil {
			t.Fatalf("list at %d: %v", offset, err)
		}
		if page.TotalCount != 253 {
			t.Fatalf("totalCount = %d, want 253", page.TotalCount)
		}
		all = append(all, page.Users...)
		if page.Paging.Next == "" {
			break
		}
		if !strings.HasPrefix(page.Paging.Next, "http://"+string(cfg.OpsGenieAPIURL)+"/v2/users?") {
			t.Errorf("next link %q is not on the emulator's host", page.Paging.Next)
		}
	}
	if len(all) != 253 || !slices.IsSortedFunc(all, func(a, b user.User) int { return strings.Compare(a.Username, b.Username) }) {
		t.Errorf("listed %d users, sorted=%v", len(all), slices.IsSortedFunc(all, func(a, b user.User) int { return strings.Compare(a.Username, b.Username) }))
	}
	if got := srv.Stats().ByRoute["GET /v2/users"]; got != 3 {
		t.Errorf("list calls = %d, want 3", got)
	}
	filtered, err := uc.List(ctx, &user.ListRequest{Query: "role:Admin"})
	if err != nil || filtered.TotalCount != 1 || filtered.Users[0].Username != "new.person@example.com" {
		t.Errorf("query role:Admin = %+v, %v", filtered, err)
	}

	got, err := uc.Get(ctx, &user.GetRequest{Identifier: created.Id, Expand: "contact"})
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	if got.Username != "new.person@example.com" || got.Role.RoleName != "Admin" || got.TimeZone != "Europe/Istanbul" ||
		got.Locale != "tr_TR" || got.UserAddress.Country != "TR" || got.Details["k"][0] != "v" || got.CreatedAt.IsZero() ||
		len(got.UserContacts) != 1 || got.Verified {
		t.Errorf("get = %+v", got)
	}

	upd, err := uc.Update(ctx, &user.UpdateRequest{Identifier: "new.person@example.com", FullName: "Renamed", Role: &user.UserRoleRequest{RoleName: "User"}})
	if err != nil || upd.Result != "Updated" {
		t.Fatalf("update: %+v %v", upd, err)
	}
	again, err := uc.Get(ctx, &user.GetRequest{Identifier: "new.person@example.com"})
	if err != nil || again.FullName != "Renamed" || again.Role.RoleName != "User" || again.TimeZone != "Europe/Istanbul" {
		t.Errorf("after update = %+v, %v", again, err)
	}

	teams, err := uc.ListUserTeams(ctx, &user.ListUserTeamsRequest{Identifier: "oncall@example.com"})
	if err != nil || len(teams.Teams) != 1 || teams.Teams[0].Name != "sre" {
		t.Errorf("user teams = %+v, %v", teams, err)
	}
	scheds, err := uc.ListUserSchedules(ctx, &user.ListUserSchedulesRequest{Identifier: "oncall@example.com"})
	if err != nil || len(scheds.Schedules) != 1 || scheds.Schedules[0].Name != "primary" || !scheds.Schedules[0].Enabled {
		t.Errorf("user schedules = %+v, %v", scheds, err)
	}
	escs, err := uc.ListUserEscalations(ctx, &user.ListUserEscalationsRequest{Identifier: "oncall@example.com"})
	if err != nil || len(escs.Escalations) != 1 || escs.Escalations[0].Name != "critical" ||
		escs.Escalations[0].Rules[0].Recipient.Username != "oncall@example.com" || escs.Escalations[0].Rules[1].Delay.TimeAmount != 5 {
		t.Errorf("user escalations = %+v, %v", escs, err)
	}

	// The on-call user cannot go: 428.
	_, err = uc.Delete(ctx, &user.DeleteRequest{Identifier: "oncall@example.com"})
	var apiErr *client.ApiError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 428 || !strings.Contains(apiErr.Message, "primary") {
		t.Errorf("delete on-call user: %v", err)
	}
	del, err := uc.Delete(ctx, &user.DeleteRequest{Identifier: created.Id})
	if err != nil || del.Result != "Deleted" {
		t.Fatalf("delete: %+v %v", del, err)
	}
	_, err = uc.Get(ctx, &user.GetRequest{Identifier: created.Id})
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 404 {
		t.Errorf("get after delete: %v", err)
	}
	_, err = uc.Create(ctx, &user.CreateRequest{Username: "u0001@example.com", FullName: "Dup", Role: &user.UserRoleRequest{RoleName: "User"}})
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 409 {
		t.Errorf("duplicate create: %v", err)
	}
	_, err = uc.Create(ctx, &user.CreateRequest{Username: "bad", FullName: "Bad", Role: &user.UserRoleRequest{RoleName: "User"}})
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 422 || apiErr.Errors["username"] == "" {
		t.Errorf("invalid create: %v", err)
	}
}

func TestSDKTeamsAndMembers(t *testing.T) {
	srv, cfg := newSDKServer(t, ogsim.Options{Seed: sdkSeed(3)})
	ctx := context.Background()
	tc, err := team.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	created, err := tc.Create(ctx, &team.CreateTeamRequest{Name: "web", Description: "Web team", Members: []team.Member{
		{User: team.User{Username: "u0000@example.com"}, Role: "admin"},
		{User: team.User{Username: "u0001@example.com"}},
	}})
	if err != nil || created.Name != "web" || created.Id == "" {
		t.Fatalf("create: %+v %v", created, err)
	}
	got, err := tc.Get(ctx, &team.GetTeamRequest{IdentifierType: team.Name, IdentifierValue: "web"})
	if err != nil {
		t.Fatalf("get by name: %v", err)
	}
	if got.Id != created.Id || got.Description != "Web team" || len(got.Members) != 2 ||
		got.Members[0].User.Username != "u0000@example.com" || got.Members[0].Role != "admin" || got.Members[1].Role != "user" {
		t.Errorf("get = %+v", got)
	}

	upd, err := tc.Update(ctx, &team.UpdateTeamRequest{Id: created.Id, Name: "web", Description: "Renamed", Members: []team.Member{
		{User: team.User{ID: got.Members[1].User.ID}, Role: "admin"},
		{User: team.User{Username: "u0002@example.com"}, Role: "user"},
	}})
	if err != nil || upd.Name != "web" || upd.Id != created.Id {
		t.Fatalf("update: %+v %v", upd, err)
	}
	if got := teamMembers(t, tc, created.Id); got != "u0001@example.com:admin,u0002@example.com:user" {
		t.Errorf("members after update = %s", got)
	}

	added, err := tc.AddMember(ctx, &team.AddTeamMemberRequest{TeamIdentifierType: team.Name, TeamIdentifierValue: "web",
		User: team.User{Username: "oncall@example.com"}, Role: "user"})
	if err != nil || added.Id != created.Id {
		t.Fatalf("add member: %+v %v", added, err)
	}
	removed, err := tc.RemoveMember(ctx, &team.RemoveTeamMemberRequest{TeamIdentifierType: team.Id, TeamIdentifierValue: created.Id,
		MemberIdentifierType: team.Username, MemberIdentifierValue: "u0001@example.com"})
	if err != nil || removed.Name != "web" {
		t.Fatalf("remove member: %+v %v", removed, err)
	}
	if got := teamMembers(t, tc, created.Id); got != "u0002@example.com:user,oncall@example.com:user" {
		t.Errorf("members after add/remove = %s", got)
	}

	list, err := tc.List(ctx, &team.ListTeamRequest{})
	if err != nil || len(list.Teams) != 2 || list.Teams[1].Name != "web" {
		t.Errorf("list = %+v %v", list, err)
	}

	// The default resources exist, seen through the SDK's own clients.
	sc, err := schedule.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s, err := sc.Get(ctx, &schedule.GetRequest{IdentifierType: schedule.Name, IdentifierValue: "web_schedule"})
	if err != nil || s.Schedule.OwnerTeam == nil || s.Schedule.OwnerTeam.Id != created.Id {
		t.Errorf("default schedule: %+v %v", s, err)
	}
	ec, err := escalation.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e, err := ec.Get(ctx, &escalation.GetRequest{IdentifierType: escalation.Name, Identifier: "web_escalation"})
	if err != nil || len(e.Rules) != 3 || e.Rules[1].Delay.TimeAmount != 5 {
		t.Errorf("default escalation: %+v %v", e, err)
	}
	expand := true
	schedules, err := sc.List(ctx, &schedule.ListRequest{Expand: &expand})
	if err != nil || len(schedules.Schedule) != 3 {
		t.Errorf("schedules: %+v %v", schedules, err)
	}

	del, err := tc.Delete(ctx, &team.DeleteTeamRequest{IdentifierType: team.Id, IdentifierValue: created.Id})
	if err != nil || del.Result != "Deleted" {
		t.Fatalf("delete: %+v %v", del, err)
	}
	_, err = tc.Get(ctx, &team.GetTeamRequest{IdentifierType: team.Name, IdentifierValue: "web"})
	var apiErr *client.ApiError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 404 {
		t.Errorf("get after delete: %v", err)
	}
	if n := srv.Stats().ByRoute["DELETE /v2/teams/{identifier}/members/{memberIdentifier}"]; n != 1 {
		t.Errorf("remove-member calls = %d", n)
	}
}

func teamMembers(t *testing.T, tc *team.Client, id string) string {
	t.Helper()
	got, err := tc.Get(context.Background(), &team.GetTeamRequest{IdentifierType: team.Id, IdentifierValue: id})
	if err != nil {
		t.Fatalf("get team: %v", err)
	}
	var out []string
	for _, m := range got.Members {
		out = append(out, m.User.Username+":"+m.Role)
	}
	return strings.Join(out, ",")
}

// TestSDKRetriesThrough429 limits the Configuration domain to one request a
// second on a fake clock: the SDK's second call is throttled, its backoff
// moves the clock a second, and the retry succeeds.
func TestSDKRetriesThrough429(t *testing.T) {
	srv, cfg := newSDKServer(t, ogsim.Options{Seed: sdkSeed(3),
		RateLimit: ogsim.RateLimitOptions{Configuration: ogsim.Bucket{PerSecond: 1}}})
	ctx := context.Background()
	uc, err := user.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"u0000@example.com", "u0001@example.com", "u0002@example.com"} {
		got, err := uc.Get(ctx, &user.GetRequest{Identifier: name})
		if err != nil || got.Username != name {
			t.Fatalf("get %s through throttling: %+v %v", name, got, err)
		}
	}
	st := srv.Stats()
	if st.Throttled != 2 || st.ByRoute["GET /v2/users/{identifier}"] != 5 {
		t.Errorf("stats = %+v, want 2 throttled of 5 calls", st)
	}

	// With the retries exhausted the SDK returns the 429 as an ApiError.
	cfg.Backoff = func(_, _ time.Duration, _ int, _ *http.Response) time.Duration { return time.Millisecond }
	cfg.RetryCount = 2
	uc2, err := user.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	before := srv.Stats().Throttled
	_, err = uc2.Get(ctx, &user.GetRequest{Identifier: "u0000@example.com"})
	var apiErr *client.ApiError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 429 || apiErr.Message != "TooManyRequests" {
		t.Errorf("exhausted retries: %v", err)
	}
	if n := srv.Stats().Throttled - before; n != 3 {
		t.Errorf("%d throttled attempts, want 3 (RetryCount 2)", n)
	}
}
