package workday

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"gongkai/internal/fault"
)

const addUsage = `usage: workday add --from YYYY-MM-DD --days N [--explain]

Prints the N-th working day after --from (counting starts the day after,
Regulations Art. 30/33), using the national calendar.

  --from     the start date, e.g. the receipt date 2026-02-13 (required)
  --days     the number of working days, a whole number >= 0 (required)
  --explain  print the day-by-day explanation before the date
`

// RunAdd implements the command line "workday add --from 2026-02-13 --days 20
// [--explain]"; args excludes "workday add". It prints the due date in ISO
// form on its own line, preceded by the explanation lines with --explain,
// using the national calendar (Default). Bad input is a fault.Invalid error
// naming the flag; -h/--help prints the usage and returns nil.
func RunAdd(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("workday add", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	from := fs.String("from", "", "start date YYYY-MM-DD")
	days := fs.String("days", "", "number of working days")
	explain := fs.Bool("explain", false, "print the explanation")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			_, werr := io.WriteString(stdout, addUsage)
			return werr
		}
		return fault.New(fault.Invalid, "workday add: %v (want --from YYYY-MM-DD --days N [--explain])", err)
	}
	if fs.NArg() > 0 {
		return fault.New(fault.Invalid, "workday add: unexpected argument %q (want --from YYYY-MM-DD --days N [--explain])", fs.Arg(0))
	}

	if *from == "" {
		return fault.Field("--from", "required, a date YYYY-MM-DD such as 2026-02-13")
	}
	start, err := ParseDate(*from)
	if err != nil {
		return fault.Field("--from", "%q is not a date YYYY-MM-DD such as 2026-02-13", *from)
	}
	if *days == "" {
		return fault.Field("--days", "required, a whole number of working days >= 0")
	}
	n, err := strconv.Atoi(strings.TrimSpace(*days))
	if err != nil || n < 0 {
		return fault.Field("--days", "%q is not a whole number of working days >= 0", *days)
	}

	cal, err := Default()
	if err != nil {
		return err
	}
	var out strings.Builder
	if *explain {
		due, lines, err := cal.ExplainAdd(start, n)
		if err != nil {
			return err
		}
		for _, l := range lines {
			out.WriteString(l)
			out.WriteByte('\n')
		}
		fmt.Fprintln(&out, due)
	} else {
		due, err := cal.AddWorkingDays(start, n)
		if err != nil {
			return err
		}
		fmt.Fprintln(&out, due)
	}
	_, err = io.WriteString(stdout, out.String())
	return err
}
