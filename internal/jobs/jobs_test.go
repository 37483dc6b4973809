package jobs

import (
	"strings"
	"testing"
	"time"

	"gongkai/internal/db"
	"gongkai/internal/dbtest"
)

// TestRescueAfterMustExceedTimeout: a rescue time not longer than the job
// timeout is refused with one line naming both (a job still running would be
// run a second time); a longer one builds the client.
func TestRescueAfterMustExceedTimeout(t *testing.T) {
	d := dbtest.Open(t, db.SQLite)
	for _, rescue := range []time.Duration{time.Second, Timeout} {
		_, err := New(d, Options{RescueAfter: rescue})
		if err == nil || !strings.Contains(err.Error(), "rescue") || !strings.Contains(err.Error(), Timeout.String()) || strings.Contains(err.Error(), "\n") {
			t.Errorf("rescue after %s: %v", rescue, err)
		}
	}
	for _, rescue := range []time.Duration{0, Timeout + time.Second, time.Hour} {
		if _, err := New(d, Options{RescueAfter: rescue}); err != nil {
			t.Errorf("rescue after %s: %v", rescue, err)
		}
	}
}
