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

// Who gets reminders about a request (Settings.Recipients).
const (
	// RecipientsHandlerElseOfficers: the request's handler, else (no
	// handler assigned) every information officer of the bureau.
	RecipientsHandlerElseOfficers = "handler_else_officers"
	// RecipientsHandlerAndOfficers: the handler and every information
	// officer.
	RecipientsHandlerAndOfficers = "handler_and_officers"
)

// RecipientModes lists the values of Settings.Recipients, the default first.
var RecipientModes = []string{RecipientsHandlerElseOfficers, RecipientsHandlerAndOfficers}

// Settings are a bureau's reminder thresholds, in working days, and who
// gets the reminders.
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
	// Recipients says who hears about a request: one of RecipientModes
	// (default RecipientsHandlerElseOfficers). With no handler and no
	// information officer, the bureau admins do.
	Recipients string
	// CopyTo are user names of members of the bureau who get a copy of
	// every reminder.
	CopyTo []string
	// copyIDs are the user ids of CopyTo.
	copyIDs []int64
	// Custom reports that the bureau set its own values (false: defaults).
	Custom bool
}

// DefaultSettings are the thresholds of a bureau that set none.
func DefaultSettings() Settings {
	return Settings{DueDays: []int{5, 3, 1}, SupplementDays: 2, ConsultationDays: 3, FeeDays: 3, OverdueDaily: true, EscalateOverdue: true,
		Recipients: RecipientsHandlerElseOfficers, CopyTo: []string{}}
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
	Recipients       string    `bun:",notnull"`
	CopyTo           string    `bun:"copy_to,notnull"` // user ids, comma-separated
	UpdatedBy        string    `bun:",notnull"`
	UpdatedAt        time.Time `bun:",notnull"`
}

func (r settingsRow) settings() Settings {
	s := Settings{SupplementDays: r.SupplementDays, ConsultationDays: r.ConsultationDays, FeeDays: r.FeeDays,
		OverdueDaily: r.OverdueDaily, EscalateOverdue: r.EscalateOverdue, Recipients: r.Recipients, CopyTo: []string{}, Custom: true}
	if !slices.Contains(RecipientModes, s.Recipients) {
		s.Recipients = RecipientsHandlerElseOfficers
	}
	for _, f := range strings.Split(r.DueDays, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil {
			s.DueDays = append(s.DueDays, n)
		}
	}
	for _, f := range strings.Split(r.CopyTo, ",") {
		if n, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64); err == nil {
			s.copyIDs = append(s.copyIDs, n)
		}
	}
	return s
}

// userRow is the part of a user that reminders need.
type userRow struct {
	bun.BaseModel `bun:"table:users"`
	ID            int64  `bun:",pk"`
	Username      string `bun:",notnull"`
}

// namesOf fills CopyTo with the user names of copyIDs (in the order given;
// users that no longer exist are left out).
func (st *Settings) namesOf(ctx context.Context, tx bun.IDB) error {
	st.CopyTo = []string{}
	if len(st.copyIDs) == 0 {
		return nil
	}
	var us []userRow
	if err := tx.NewSelect().Model(&us).Where("id IN (?)", bun.List(st.copyIDs)).Scan(ctx); err != nil {
		return err
	}
	names := map[int64]string{}
	for _, u := range us {
		names[u.ID] = u.Username
	}
	var ids []int64
	for _, id := range st.copyIDs {
		if n, ok := names[id]; ok {
			st.CopyTo = append(st.CopyTo, n)
			ids = append(ids, id)
		}
	}
	st.copyIDs = ids
	return nil
}

// resolveCopies finds the members named in CopyTo and sets copyIDs; a
// name that is not a member of the bureau is a field error naming it.
func (s *Service) resolveCopies(ctx context.Context, tenantID int64, st *Settings) error {
	st.copyIDs = nil
	var names []string
	for _, n := range st.CopyTo {
		n = strings.ToLower(strings.TrimSpace(n))
		if n != "" && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	st.CopyTo = names
	if len(names) == 0 {
		st.CopyTo = []string{}
		return nil
	}
	if len(names) > 20 {
		return fault.Field("copy_to", "at most 20 people")
	}
	members, err := s.authz.MembersOf(ctx, tenantID)
	if err != nil {
		return err
	}
	isMember := map[int64]bool{}
	for _, m := range members {
		if id, ok := userID(m.Subject); ok && len(m.Roles) > 0 {
			isMember[id] = true
		}
	}
	var us []userRow
	if err := s.db.Bun.NewSelect().Model(&us).Where("username IN (?)", bun.List(names)).Scan(ctx); err != nil {
		return db.Translate(err)
	}
	ids := map[string]int64{}
	for _, u := range us {
		ids[u.Username] = u.ID
	}
	var unknown []string
	for _, n := range names {
		id, ok := ids[n]
		if !ok || !isMember[id] {
			unknown = append(unknown, n)
			continue
		}
		st.copyIDs = append(st.copyIDs, id)
	}
	if len(unknown) > 0 {
		return fault.Field("copy_to", "%s: not a member of the bureau", strings.Join(unknown, ", "))
	}
	return nil
}

// userID returns the id of a "user:<id>" subject.
func userID(subject string) (int64, bool) {
	rest, ok := strings.CutPrefix(subject, "user:")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	return id, err == nil
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
	if s.Recipients == "" {
		s.Recipients = RecipientsHandlerElseOfficers
	}
	if !slices.Contains(RecipientModes, s.Recipients) {
		p = append(p, fault.FieldError{Field: "recipients", Message: "must be one of " + strings.Join(RecipientModes, ", ")})
	}
	return fault.Fields(p)
}

// settingsOf reads the bureau's settings (defaults when it has none).
func (s *Service) settingsOf(ctx context.Context, tenantID int64) (Settings, error) {
	var row settingsRow
	var st Settings
	err := s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		if err := tx.NewSelect().Model(&row).Where("tenant_id = ?", tenantID).Scan(ctx); err != nil {
			return err
		}
		st = row.settings()
		return st.namesOf(ctx, tx)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultSettings(), nil
	}
	if err != nil {
		return Settings{}, err
	}
	return st, nil
}

// Settings returns the bureau's reminder thresholds and recipients.
func (s *Service) Settings(ctx context.Context, tenantID int64) (Settings, error) {
	if err := s.authz.Require(ctx, tenantID, "settings", "read"); err != nil {
		return Settings{}, err
	}
	return s.settingsOf(ctx, tenantID)
}

// SetSettings stores the bureau's reminder thresholds and recipients. Every
// name in CopyTo must be a member of the bureau. Reminders already sent are
// not sent again.
func (s *Service) SetSettings(ctx context.Context, tenantID int64, in Settings) (Settings, error) {
	if err := s.authz.Require(ctx, tenantID, "settings", "write"); err != nil {
		return Settings{}, err
	}
	if err := in.validate(); err != nil {
		return Settings{}, err
	}
	if err := s.resolveCopies(ctx, tenantID, &in); err != nil {
		return Settings{}, err
	}
	copyIDs := make([]string, len(in.copyIDs))
	for i, id := range in.copyIDs {
		copyIDs[i] = strconv.FormatInt(id, 10)
	}
	days := make([]string, len(in.DueDays))
	for i, d := range in.DueDays {
		days[i] = strconv.Itoa(d)
	}
	actor, _ := authz.ActorFrom(ctx)
	now := s.now().UTC()
	row := &settingsRow{TenantID: tenantID, DueDays: strings.Join(days, ","), SupplementDays: in.SupplementDays, ConsultationDays: in.ConsultationDays,
		FeeDays: in.FeeDays, OverdueDaily: in.OverdueDaily, EscalateOverdue: in.EscalateOverdue,
		Recipients: in.Recipients, CopyTo: strings.Join(copyIDs, ","), UpdatedBy: actor.Subject, UpdatedAt: now}
	err := s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(row).On("CONFLICT (tenant_id) DO UPDATE").
			Set("due_days = EXCLUDED.due_days").Set("supplement_days = EXCLUDED.supplement_days").
			Set("consultation_days = EXCLUDED.consultation_days").Set("fee_days = EXCLUDED.fee_days").
			Set("overdue_daily = EXCLUDED.overdue_daily").Set("escalate_overdue = EXCLUDED.escalate_overdue").
			Set("recipients = EXCLUDED.recipients").Set("copy_to = EXCLUDED.copy_to").
			Set("updated_by = EXCLUDED.updated_by").Set("updated_at = EXCLUDED.updated_at").Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Entry{TenantID: tenantID, Action: "reminders.settings_set", ObjectType: "settings", ObjectID: "reminders",
			Changes: map[string]any{"due_days": in.DueDays, "supplement_days": in.SupplementDays, "consultation_days": in.ConsultationDays,
				"fee_days": in.FeeDays, "overdue_daily": in.OverdueDaily, "escalate_overdue": in.EscalateOverdue,
				"recipients": in.Recipients, "copy_to": in.CopyTo}})
	})
	if err != nil {
		return Settings{}, err
	}
	out := row.settings()
	out.CopyTo = in.CopyTo
	return out, nil
}
