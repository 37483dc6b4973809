package config

import (
	"strings"
	"testing"
	"time"
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
