package request

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/uptrace/bun"

	"gongkai/internal/audit"
	"gongkai/internal/authz"
	"gongkai/internal/db"
	"gongkai/internal/fault"
	"gongkai/internal/request/deadline"
	"gongkai/internal/workday"
)

// Action is a step in a request's handling other than the reply:
// confirming receipt, asking for a supplement, consulting, extending,
// charging a fee, closing, reopening. Kind is a deadline event kind.
type Action struct {
	Kind   deadline.EventKind
	On     workday.Date
	Days   int
	Reason string
	// AmountYuan is the fee of a fee notice (fee_notified); see FeeSchedule.
	AmountYuan int
}

// Act appends an action to the request's log after checking it against the
// state machine (409 naming the state and the allowed actions otherwise) and
// recomputes the due date.
func (s *Service) Act(ctx context.Context, tenantID, id int64, a Action) (*Request, error) {
	if err := s.authz.Require(ctx, tenantID, "request", "write"); err != nil {
		return nil, err
	}
	if !a.On.Valid() {
		return nil, fault.Field("on", "is required (YYYY-MM-DD)")
	}
	if !a.Kind.Valid() || a.Kind == deadline.Replied {
		return nil, fault.Field("kind", "must be an action kind; replies go through the reply operation")
	}
	cal, err := s.calendar.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	var r *Request
	err = s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		r, err = s.ActTx(ctx, tx, cal, tenantID, id, a)
		return err
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// ActTx is Act inside the caller's transaction, for changes that must land
// together with another (a court's correction re-opens the request). The
// caller has checked permissions and loaded the calendar before the tx.
func (s *Service) ActTx(ctx context.Context, tx bun.IDB, cal *workday.Calendar, tenantID, id int64, a Action) (*Request, error) {
	r, err := get(ctx, tx, tenantID, id)
	if err != nil {
		return nil, err
	}
	if r.State == StateSubmitted {
		if a.Kind != deadline.Received {
			return nil, fault.New(fault.Conflict, "the request is awaiting confirmation of receipt; allowed: received")
		}
	} else if a.Kind == deadline.Received {
		return nil, fault.New(fault.Conflict, "receipt is already recorded on %s", r.ReceivedOn)
	}
	if a.Kind == deadline.FeeNotified && a.AmountYuan <= 0 {
		return nil, fault.Field("amount_yuan", "is required for a fee notice: the fee in yuan (国办函〔2020〕109号)")
	}
	if a.Kind != deadline.FeeNotified && a.AmountYuan != 0 {
		return nil, fault.Field("amount_yuan", "only a fee notice has an amount")
	}
	if err := s.appendTx(ctx, tx, cal, r, nil, deadline.Event{Kind: a.Kind, On: a.On, Days: a.Days, Reason: strings.TrimSpace(a.Reason)}, a.AmountYuan); err != nil {
		return nil, err
	}
	err = audit.Record(ctx, tx, s.now(), audit.Entry{TenantID: tenantID, Action: "request." + string(a.Kind), ObjectType: "request", ObjectID: r.TrackingCode,
		Changes: map[string]any{"on": a.On.String(), "days": a.Days, "amount_yuan": a.AmountYuan, "reason": a.Reason, "due_on": r.DueOn.String(), "state": r.State}})
	return r, err
}

// Calendar returns the working-day calendar in force (load it before a
// transaction that calls ActTx).
func (s *Service) Calendar(ctx context.Context) (*workday.Calendar, error) {
	return s.calendar.Calendar(ctx)
}

// Reply records the reply with its one outcome (a Table 3 row). A refusal
// needs its legal basis; a partial disclosure records what was withheld and
// why (Art. 37).
type Reply struct {
	On       workday.Date
	Outcome  string
	Basis    string
	Withheld string
	Text     string
}

// Reply answers the request.
func (s *Service) Reply(ctx context.Context, tenantID, id int64, rep Reply) (*Request, error) {
	if err := s.authz.Require(ctx, tenantID, "request", "write"); err != nil {
		return nil, err
	}
	var p []fault.FieldError
	o, ok := OutcomeByCode(rep.Outcome)
	if !ok || o.Automatic {
		p = append(p, fault.FieldError{Field: "outcome", Message: "must be one of " + strings.Join(ReplyOutcomeCodes(), ", ")})
	}
	if !rep.On.Valid() {
		p = append(p, fault.FieldError{Field: "on", Message: "is required (YYYY-MM-DD)"})
	}
	if ok && o.NeedsBasis && strings.TrimSpace(rep.Basis) == "" {
		p = append(p, fault.FieldError{Field: "basis", Message: "is required for this outcome: cite the legal basis (" + o.Basis + ")"})
	}
	if ok && o.NeedsWithheld && strings.TrimSpace(rep.Withheld) == "" {
		p = append(p, fault.FieldError{Field: "withheld", Message: "is required for partial disclosure: what was withheld and why (Art. 37)"})
	}
	if err := fault.Fields(p); err != nil {
		return nil, err
	}
	cal, err := s.calendar.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	var r *Request
	err = s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		if r, err = get(ctx, tx, tenantID, id); err != nil {
			return err
		}
		if r.State == StateSubmitted {
			return fault.New(fault.Conflict, "the request is awaiting confirmation of receipt; allowed: received")
		}
		r.Outcome, r.OutcomeBasis, r.Withheld, r.ReplyText = rep.Outcome, strings.TrimSpace(rep.Basis), strings.TrimSpace(rep.Withheld), strings.TrimSpace(rep.Text)
		if err := s.appendTx(ctx, tx, cal, r, nil, deadline.Event{Kind: deadline.Replied, On: rep.On, Reason: rep.Outcome}, 0); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, s.now(), audit.Entry{TenantID: tenantID, Action: "request.replied", ObjectType: "request", ObjectID: r.TrackingCode,
			Changes: map[string]any{"on": rep.On, "outcome": rep.Outcome, "basis": r.OutcomeBasis}}); err != nil {
			return err
		}
		return s.emit(ctx, tx, EventReplied, r)
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// Assign makes a member of the bureau the request's handler.
func (s *Service) Assign(ctx context.Context, tenantID, id, userID int64) error {
	if err := s.authz.Require(ctx, tenantID, "request", "write"); err != nil {
		return err
	}
	roles, err := s.authz.RolesOf(ctx, authz.Actor{Subject: authz.UserSubject(userID)}, tenantID)
	if err != nil {
		return err
	}
	if len(roles) == 0 {
		return fault.Field("handler", "is not a member of this bureau")
	}
	return s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		r, err := get(ctx, tx, tenantID, id)
		if err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model(r).Set("handler_id = ?", userID).Set("updated_at = ?", s.now().UTC()).Where("tenant_id = ? AND id = ?", tenantID, id).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.now(), audit.Entry{TenantID: tenantID, Action: "request.assigned", ObjectType: "request", ObjectID: r.TrackingCode,
			Changes: map[string]any{"handler": authz.UserSubject(userID)}})
	})
}

// Detail is a request with its log and the explained deadline.
type Detail struct {
	Request  Request
	Events   []Event
	Deadline deadline.Result
	Allowed  []deadline.EventKind
}

// Get returns a request of the bureau with its log and deadline explanation.
func (s *Service) Get(ctx context.Context, tenantID, id int64) (*Detail, error) {
	if err := s.authz.Require(ctx, tenantID, "request", "read"); err != nil {
		return nil, err
	}
	return s.detail(ctx, tenantID, func(ctx context.Context, tx bun.Tx) (*Request, error) { return get(ctx, tx, tenantID, id) })
}

func (s *Service) detail(ctx context.Context, scopeTenant int64, load func(context.Context, bun.Tx) (*Request, error)) (*Detail, error) {
	cal, err := s.calendar.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	var d Detail
	scope := db.Tenant(scopeTenant)
	if scopeTenant == 0 {
		scope = db.AllTenants
	}
	err = s.db.InTx(ctx, scope, func(ctx context.Context, tx bun.Tx) error {
		r, err := load(ctx, tx)
		if err != nil {
			return err
		}
		d.Request = *r
		d.Events, err = events(ctx, tx, r)
		return err
	})
	if err != nil {
		return nil, err
	}
	if d.Request.State == StateSubmitted {
		d.Allowed = []deadline.EventKind{deadline.Received}
		return &d, nil
	}
	log := engineEvents(d.Events)
	if d.Deadline, err = deadline.Compute(log, s.rules, cal, s.today()); err != nil {
		return nil, err
	}
	d.Allowed = deadline.Allowed(log)
	return &d, nil
}

// PublicStatus is what the tracking page shows the applicant.
type PublicStatus struct {
	TrackingCode string
	TenantID     int64
	State        string
	ReceivedOn   workday.Date
	DueOn        workday.Date
	RepliedOn    workday.Date
	Outcome      string
	ReplyText    string
	Explanation  []string
}

// Track returns the status of a request by its tracking code, for the
// applicant; no account is needed and nothing personal is returned.
func (s *Service) Track(ctx context.Context, code string) (*PublicStatus, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if len(code) < 6 || len(code) > 20 {
		return nil, fault.Field("code", "is not a tracking code (GK-XXXXX-XXXXX)")
	}
	d, err := s.detail(ctx, 0, func(ctx context.Context, tx bun.Tx) (*Request, error) {
		var r Request
		if err := tx.NewSelect().Model(&r).Where("tracking_code = ?", code).Scan(ctx); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return nil, fault.New(fault.NotFound, "no request with tracking code %s", code)
			}
			return nil, err
		}
		return &r, nil
	})
	if err != nil {
		return nil, err
	}
	st := &PublicStatus{TrackingCode: d.Request.TrackingCode, TenantID: d.Request.TenantID, State: d.Request.State,
		ReceivedOn: d.Request.ReceivedOn, DueOn: d.Request.DueOn, RepliedOn: d.Request.RepliedOn, Explanation: d.Deadline.Explanation}
	if !d.Request.RepliedOn.IsZero() {
		st.Outcome, st.ReplyText = d.Request.Outcome, d.Request.ReplyText
	}
	return st, nil
}

// RevealID returns the applicant's identity document number in full. Only
// the request's handler or a bureau admin may see it, and every view is in
// the audit trail (个人信息保护法).
func (s *Service) RevealID(ctx context.Context, tenantID, id int64) (string, error) {
	if err := s.authz.Require(ctx, tenantID, "request", "write"); err != nil {
		return "", err
	}
	actor, _ := authz.ActorFrom(ctx)
	admin, err := s.authz.Allowed(ctx, actor, tenantID, "members", "manage")
	if err != nil {
		return "", err
	}
	var plain string
	err = s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		r, err := get(ctx, tx, tenantID, id)
		if err != nil {
			return err
		}
		if !admin && (r.HandlerID == nil || *r.HandlerID != actor.UserID || actor.IsToken()) {
			return fault.New(fault.Forbidden, "only the handler of this request or a bureau admin may see the full identity number")
		}
		if plain, err = s.pii.Open(r.IDNumber); err != nil {
			return fault.Wrap(err, fault.Internal, "cannot open the identity number")
		}
		return audit.Record(ctx, tx, s.now(), audit.Entry{TenantID: tenantID, Action: "request.id_revealed", ObjectType: "request", ObjectID: r.TrackingCode})
	})
	return plain, err
}
