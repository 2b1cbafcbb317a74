package ogsim

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseUserQuery feeds arbitrary text to the query= parser of GET
// /v2/users, directly and through the handler. The parser must never panic,
// a filter it returns must run on any user, and the endpoint must answer 200
// or 422 (never a 5xx), with a list no longer than the account.
//
//	go test -run '^$' -fuzz FuzzParseUserQuery -fuzztime 60s ./target/opsgenie/ogsim/
func FuzzParseUserQuery(f *testing.F) {
	for _, q := range []string{
		"role:Admin", "username:*@example.com", `fullName:"Ada Lovelace"`, "blocked=false AND verified:true",
		"NOT (role:User OR role:Observer)", "ada", "timeZone:Europe/London locale!=en_US", "id:0f0e",
		`"unterminated`, "((role:Admin)", "role:", "OR", "NOT", "a AND", `username:"a\"b"`, "x:y", "blocked:maybe",
		"username:[", "(((((((((((((((((((((((((((((((((a)))))))))))))))))))))))))))))))))",
		"NOT NOT NOT NOT NOT NOT NOT a", "a b c d e f", "a!=b", "!=", "!", ":=", "ünïcödé:ä", "\x00",
	} {
		f.Add(q)
	}
	srv, err := New(Options{APIKey: "fuzz-key", Seed: &Seed{Users: []SeedUser{
		{Username: "ada@example.com", FullName: "Ada Lovelace", Role: "Admin", TimeZone: "Europe/London", Locale: "en_GB"},
		{Username: "bob@example.com", FullName: "Bob", Role: "User", Blocked: true, Verified: true},
		{Username: "cy.star@example.com", FullName: `Cy "Q" [x]`, Role: "Observer"},
	}}})
	if err != nil {
		f.Fatal(err)
	}
	st := srv.State()
	f.Fuzz(func(t *testing.T, q string) {
		filter, err := parseUserQuery(q)
		if err == nil {
			if filter == nil {
				t.Fatal("no filter and no error")
			}
			for _, u := range srv.acct.byUsername {
				_ = filter(u)
			}
		} else if !strings.HasPrefix(err.Error(), "query: ") || !utf8.ValidString(err.Error()) && utf8.ValidString(q) {
			t.Fatalf("malformed error %q", err)
		}
		req := httptest.NewRequest(http.MethodGet, "/v2/users?query="+url.QueryEscape(q), nil)
		req.Header.Set("Authorization", "GenieKey fuzz-key")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK:
			if n := strings.Count(rec.Body.String(), `"username"`); n > len(st.Users) {
				t.Fatalf("%d users listed, the account has %d", n, len(st.Users))
			}
		case http.StatusUnprocessableEntity:
		default:
			t.Fatalf("query %q answered %d: %s", q, rec.Code, rec.Body.String())
		}
	})
}
