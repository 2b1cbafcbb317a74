package daemon

import "testing"

func TestCheckSchedule(t *testing.T) {
	for _, bad := range []string{"@every 0s", "@every -1h", "@every 500ms", "@every soon", "0 0 30 2 *", "0 0 31 4 *", "every day"} {
		if err := CheckSchedule(bad); err == nil {
			t.Errorf("%q accepted", bad)
		} else {
			t.Logf("%q: %v", bad, err)
		}
	}
	for _, good := range []string{"@every 10m", "@every 1s", "*/10 * * * *", "@hourly", "0 3 29 2 *", "0 9 * * 1-5"} {
		if err := CheckSchedule(good); err != nil {
			t.Errorf("%q: %v", good, err)
		}
	}
}
