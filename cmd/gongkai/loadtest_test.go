package main

import (
	"errors"
	"flag"
	"strings"
	"testing"
)

func TestLoadtestHelpListsItsFlags(t *testing.T) {
	out, err := cli(t, nil, "loadtest", "--help")
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err = %v, want flag.ErrHelp", err)
	}
	for _, f := range []string{"-url", "-bureau", "-clients", "-duration", "-year", "-q", "-password", "-scenarios", "-no-sql", "-server-pid", "-start",
		"catalog-list", "oversight-dashboard"} {
		if !strings.Contains(out, f) {
			t.Errorf("help does not mention %s:\n%s", f, out)
		}
	}
	if _, err := cli(t, nil, "loadtest", "--scenarios", "nope"); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("unknown scenario: err = %v", err)
	}
}
