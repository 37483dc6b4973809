package workday

import (
	"database/sql/driver"
	"fmt"
	"time"
)

// Value stores a Date as 'YYYY-MM-DD' (a DATE on Postgres, TEXT on SQLite);
// the zero Date is stored as NULL.
func (d Date) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	return d.String(), nil
}

// Scan reads a Date from a DATE column (time.Time) or a 'YYYY-MM-DD' text;
// NULL gives the zero Date.
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = Date{}
		return nil
	case time.Time:
		*d = Date{Year: v.Year(), Month: v.Month(), Day: v.Day()}
		return nil
	case string:
		return d.scanText(v)
	case []byte:
		return d.scanText(string(v))
	default:
		return fmt.Errorf("workday.Date: cannot scan %T", src)
	}
}

func (d *Date) scanText(s string) error {
	if len(s) > 10 {
		s = s[:10] // a timestamp text such as 2026-02-13T00:00:00Z
	}
	p, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = p
	return nil
}
