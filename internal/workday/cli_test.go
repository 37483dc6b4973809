package workday

import (
	"strings"
	"testing"

	"gongkai/internal/fault"
)

func TestRunAdd(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		want    string // exact output, or a prefix for explain
		prefix  bool
		errCode fault.Code
		errHas  string
	}{
		{name: "reply deadline", args: []string{"--from", "2026-02-13", "--days", "20"}, want: "2026-03-19\n"},
		{name: "single dash and =", args: []string{"-from=2026-02-13", "-days=7"}, want: "2026-03-02\n"},
		{name: "explain", args: []string{"--from", "2026-02-13", "--days", "20", "--explain"},
			want: "自 2026-02-13 周五 次日起算，计 20 个工作日\n2026-02-14 周六 调休上班 第1个工作日\n", prefix: true},
		{name: "help", args: []string{"-h"}, want: "usage: workday add", prefix: true},
		{name: "missing from", args: []string{"--days", "20"}, errCode: fault.Invalid, errHas: "--from: required"},
		{name: "bad from", args: []string{"--from", "13/02/2026", "--days", "20"}, errCode: fault.Invalid, errHas: "--from"},
		{name: "missing days", args: []string{"--from", "2026-02-13"}, errCode: fault.Invalid, errHas: "--days: required"},
		{name: "bad days", args: []string{"--from", "2026-02-13", "--days", "twenty"}, errCode: fault.Invalid, errHas: "--days"},
		{name: "negative days", args: []string{"--from", "2026-02-13", "--days", "-1"}, errCode: fault.Invalid, errHas: "--days"},
		{name: "unknown flag", args: []string{"--from", "2026-02-13", "--days", "1", "--city", "x"}, errCode: fault.Invalid, errHas: "city"},
		{name: "extra argument", args: []string{"--from", "2026-02-13", "--days", "1", "extra"}, errCode: fault.Invalid, errHas: `"extra"`},
		{name: "uncovered year", args: []string{"--from", "2031-01-06", "--days", "1"}, errCode: fault.Invalid,
			errHas: "unknown calendar: no working-day schedule for year 2031"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out strings.Builder
			err := RunAdd(tt.args, &out)
			if tt.errCode != "" {
				if !fault.Is(err, tt.errCode) || !strings.Contains(fault.MessageOf(err), tt.errHas) {
					t.Fatalf("RunAdd error = %v, want %s containing %q", err, tt.errCode, tt.errHas)
				}
				if out.Len() != 0 {
					t.Fatalf("output on error: %q", out.String())
				}
				return
			}
			if err != nil {
				t.Fatalf("RunAdd: %v", err)
			}
			got := out.String()
			if tt.prefix && !strings.HasPrefix(got, tt.want) || !tt.prefix && got != tt.want {
				t.Fatalf("output = %q, want %q", got, tt.want)
			}
			if tt.name == "explain" {
				lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
				if n := len(lines); lines[n-1] != "2026-03-19" || lines[n-2] != "第20个工作日：2026-03-19 周四" {
					t.Fatalf("explain output ends with %q", lines[n-2:])
				}
			}
		})
	}
}
