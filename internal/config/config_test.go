package config

import (
	"strings"
	"testing"
	"time"

	"gongkai/internal/jobs"
)

// TestSignInPolicySettings: the password, lockout and session settings reach
// the policy from flags and the environment, and a bad value is one line
// naming the setting.
func TestSignInPolicySettings(t *testing.T) {
	env := map[string]string{"GONGKAI_PASSWORD_MIN_LENGTH": "16", "GONGKAI_SESSION_IDLE_TIMEOUT": "10m"}
	c, _, err := Load("gongkai", []string{"--login-max-failures", "3", "--login-failure-window", "30m"}, func(k string) string { return env[k] }, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := c.Policy
	if p.MinLength != 16 || p.MinClasses != 3 || p.MaxFailures != 3 || p.FailureWindow != 30*time.Minute || p.SessionIdle != 10*time.Minute || p.SessionMaxLife != 12*time.Hour {
		t.Fatalf("policy %+v", p)
	}
	for _, bad := range []struct {
		args []string
		want string
	}{
		{[]string{"--password-min-length", "4"}, "password-min-length"},
		{[]string{"--session-idle-timeout", "soon"}, "session-idle-timeout"},
		{[]string{"--session-idle-timeout", "2h", "--session-max-life", "1h"}, "session-idle-timeout"},
	} {
		_, _, err := Load("gongkai", bad.args, func(string) string { return "" }, nil)
		if err == nil || !strings.Contains(err.Error(), bad.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: %v", bad.args, err)
		}
	}
}

// TestJobRescueAfter: the time after which a running job is taken as
// interrupted and run again defaults to jobs.DefaultRescueAfter, is set by
// the flag or the environment, and must exceed the job timeout.
func TestJobRescueAfter(t *testing.T) {
	none := func(string) string { return "" }
	c, _, err := Load("gongkai", nil, none, nil)
	if err != nil || c.JobRescueAfter != jobs.DefaultRescueAfter {
		t.Fatalf("default %s, %v", c.JobRescueAfter, err)
	}
	c, _, err = Load("gongkai", nil, func(k string) string { return map[string]string{"GONGKAI_JOB_RESCUE_AFTER": "90s"}[k] }, nil)
	if err != nil || c.JobRescueAfter != 90*time.Second {
		t.Fatalf("from the environment %s, %v", c.JobRescueAfter, err)
	}
	for _, v := range []string{"30s", "1m", "soon", "0", "-5m"} {
		_, _, err := Load("gongkai", []string{"--job-rescue-after", v}, none, nil)
		if err == nil || !strings.Contains(err.Error(), "job-rescue-after") || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v", v, err)
		}
	}
}
