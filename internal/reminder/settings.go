package reminder

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"gongkai/internal/audit"
	"gongkai/internal/authz"
	"gongkai/internal/db"
	"gongkai/internal/fault"
)

// Settings are a bureau's reminder thresholds, in working days.
type Settings struct {
	// DueDays are the "due in N working days" reminders of the reply
	// deadline (Art. 33), e.g. 5, 3, 1; besides these, "due today" and
	// "overdue" always fire.
	DueDays []int
	// SupplementDays: remind this many working days (or fewer) before the
	// window to ask for a supplement closes (Art. 30: 7 working days after
	// receipt); 0 turns the reminder off.
	SupplementDays int
	// ConsultationDays: remind this many working days before a consulted
	// party's answer is due (Art. 32, 34: 15 working days); 0 turns it off.
	ConsultationDays int
	// FeeDays: remind this many working days before the applicant's fee
	// payment period ends (国办函〔2020〕109号: 20 working days); 0 turns it off.
	FeeDays int
	// OverdueDaily repeats the overdue reminder every working day (else
	// once).
	OverdueDaily bool
	// EscalateOverdue also tells the bureau admins when a request is overdue.
	EscalateOverdue bool
	// Custom reports that the bureau set its own values (false: defaults).
	Custom bool
}

// DefaultSettings are the thresholds of a bureau that set none.
func DefaultSettings() Settings {
	return Settings{DueDays: []int{5, 3, 1}, SupplementDays: 2, ConsultationDays: 3, FeeDays: 3, OverdueDaily: true, EscalateOverdue: true}
}

// settingsRow is the storage form of Settings.
type settingsRow struct {
	bun.BaseModel    `bun:"table:reminder_settings"`
	TenantID         int64     `bun:",pk"`
	DueDays          string    `bun:",notnull"`
	SupplementDays   int       `bun:",notnull"`
	ConsultationDays int       `bun:",notnull"`
	FeeDays          int       `bun:",notnull"`
	OverdueDaily     bool      `bun:",notnull"`
	EscalateOverdue  bool      `bun:",notnull"`
	UpdatedBy        string    `bun:",notnull"`
	UpdatedAt        time.Time `bun:",notnull"`
}

func (r settingsRow) settings() Settings {
	s := Settings{SupplementDays: r.SupplementDays, ConsultationDays: r.ConsultationDays, FeeDays: r.FeeDays,
		OverdueDaily: r.OverdueDaily, EscalateOverdue: r.EscalateOverdue, Custom: true}
	for _, f := range strings.Split(r.DueDays, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil {
			s.DueDays = append(s.DueDays, n)
		}
	}
	return s
}

func (s *Settings) validate() error {
	var p []fault.FieldError
	if len(s.DueDays) > 10 {
		p = append(p, fault.FieldError{Field: "due_days", Message: "at most 10 thresholds"})
	}
	for _, d := range s.DueDays {
		if d < 1 || d > 20 {
			p = append(p, fault.FieldError{Field: "due_days", Message: "each threshold must be 1 to 20 working days (the reply period is 20, Art. 33)"})
			break
		}
	}
	slices.Sort(s.DueDays)
	s.DueDays = slices.Compact(s.DueDays)
	slices.Reverse(s.DueDays)
	if s.SupplementDays < 0 || s.SupplementDays > 7 {
		p = append(p, fault.FieldError{Field: "supplement_days", Message: "must be 0 to 7 working days (the supplement window is 7, Art. 30)"})
	}
	if s.ConsultationDays < 0 || s.ConsultationDays > 15 {
		p = append(p, fault.FieldError{Field: "consultation_days", Message: "must be 0 to 15 working days (the answer period is 15, Art. 32, 34)"})
	}
	if s.FeeDays < 0 || s.FeeDays > 20 {
		p = append(p, fault.FieldError{Field: "fee_days", Message: "must be 0 to 20 working days (the payment period is 20)"})
	}
	return fault.Fields(p)
}

// settingsOf reads the bureau's settings (defaults when it has none).
func (s *Service) settingsOf(ctx context.Context, tenantID int64) (Settings, error) {
	var row settingsRow
	err := s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Model(&row).Where("tenant_id = ?", tenantID).Scan(ctx)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultSettings(), nil
	}
	if err != nil {
		return Settings{}, err
	}
	return row.settings(), nil
}

// Settings returns the bureau's reminder thresholds.
func (s *Service) Settings(ctx context.Context, tenantID int64) (Settings, error) {
	if err := s.authz.Require(ctx, tenantID, "settings", "read"); err != nil {
		return Settings{}, err
	}
	return s.settingsOf(ctx, tenantID)
}

// SetSettings stores the bureau's reminder thresholds. Reminders already
// sent are not sent again.
func (s *Service) SetSettings(ctx context.Context, tenantID int64, in Settings) (Settings, error) {
	if err := s.authz.Require(ctx, tenantID, "settings", "write"); err != nil {
		return Settings{}, err
	}
	if err := in.validate(); err != nil {
		return Settings{}, err
	}
	days := make([]string, len(in.DueDays))
	for i, d := range in.DueDays {
		days[i] = strconv.Itoa(d)
	}
	actor, _ := authz.ActorFrom(ctx)
	now := s.now().UTC()
	row := &settingsRow{TenantID: tenantID, DueDays: strings.Join(days, ","), SupplementDays: in.SupplementDays, ConsultationDays: in.ConsultationDays,
		FeeDays: in.FeeDays, OverdueDaily: in.OverdueDaily, EscalateOverdue: in.EscalateOverdue, UpdatedBy: actor.Subject, UpdatedAt: now}
	err := s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(row).On("CONFLICT (tenant_id) DO UPDATE").
			Set("due_days = EXCLUDED.due_days").Set("supplement_days = EXCLUDED.supplement_days").
			Set("consultation_days = EXCLUDED.consultation_days").Set("fee_days = EXCLUDED.fee_days").
			Set("overdue_daily = EXCLUDED.overdue_daily").Set("escalate_overdue = EXCLUDED.escalate_overdue").
			Set("updated_by = EXCLUDED.updated_by").Set("updated_at = EXCLUDED.updated_at").Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Entry{TenantID: tenantID, Action: "reminders.settings_set", ObjectType: "settings", ObjectID: "reminders",
			Changes: map[string]any{"due_days": in.DueDays, "supplement_days": in.SupplementDays, "consultation_days": in.ConsultationDays,
				"fee_days": in.FeeDays, "overdue_daily": in.OverdueDaily, "escalate_overdue": in.EscalateOverdue}})
	})
	if err != nil {
		return Settings{}, err
	}
	return row.settings(), nil
}
