package identity

import (
	_ "embed"
	"strings"
	"time"
	"unicode"

	"gongkai/internal/fault"
)

// commonPasswords is a small list of passwords that are always refused.
//
//go:embed common-passwords.txt
var commonPasswords string

var commonSet = func() map[string]bool {
	m := map[string]bool{}
	for _, l := range strings.Split(commonPasswords, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			m[strings.ToLower(l)] = true
		}
	}
	return m
}()

// Policy holds the password and session rules a city's security review sets
// (等级保护: length, complexity, lockout, session time-out).
type Policy struct {
	MinLength      int           // default 12
	MinClasses     int           // of lower, upper, digit, symbol; default 3
	MaxFailures    int           // failed sign-ins per account before throttling; default 5
	MaxIPFailures  int           // failed sign-ins per client address; default 20
	FailureWindow  time.Duration // default 15 minutes
	SessionIdle    time.Duration // sign out after this long without activity; default 30 minutes
	SessionMaxLife time.Duration // sign out after this long in any case; default 12 hours
}

func (p Policy) withDefaults() Policy {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defd := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&p.MinLength, 12)
	def(&p.MinClasses, 3)
	def(&p.MaxFailures, 5)
	def(&p.MaxIPFailures, 20)
	defd(&p.FailureWindow, 15*time.Minute)
	defd(&p.SessionIdle, 30*time.Minute)
	defd(&p.SessionMaxLife, 12*time.Hour)
	return p
}

// Check returns a fault.Invalid error on the "password" field when password
// breaks the policy, saying which rule.
func (p Policy) Check(username, password string) error {
	p = p.withDefaults()
	if n := len([]rune(password)); n < p.MinLength {
		return fault.Field("password", "must be at least %d characters (has %d)", p.MinLength, n)
	}
	if len(password) > 256 {
		return fault.Field("password", "must be at most 256 bytes")
	}
	var lower, upper, digit, symbol int
	for _, r := range password {
		switch {
		case unicode.IsLower(r):
			lower = 1
		case unicode.IsUpper(r):
			upper = 1
		case unicode.IsDigit(r):
			digit = 1
		default:
			symbol = 1
		}
	}
	if lower+upper+digit+symbol < p.MinClasses {
		return fault.Field("password", "must mix at least %d of: lower-case letters, upper-case letters, digits, symbols", p.MinClasses)
	}
	if u := strings.ToLower(strings.TrimSpace(username)); u != "" && strings.Contains(strings.ToLower(password), u) {
		return fault.Field("password", "must not contain the user name")
	}
	if commonSet[strings.ToLower(password)] {
		return fault.Field("password", "is too common; choose another")
	}
	return nil
}
