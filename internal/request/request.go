package request

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"gongkai/internal/audit"
	"gongkai/internal/authz"
	"gongkai/internal/calendar"
	"gongkai/internal/db"
	"gongkai/internal/fault"
	"gongkai/internal/pii"
	"gongkai/internal/request/deadline"
	"gongkai/internal/tenant"
	"gongkai/internal/workday"
)

// StateSubmitted is the state of an online request not yet confirmed by
// the bureau; its receipt date is the confirmation date (Art. 31).
const StateSubmitted = "submitted"

// Request is one disclosure request with its cached deadline state.
type Request struct {
	bun.BaseModel  `bun:"table:requests"`
	TenantID       int64        `bun:",notnull"`
	ID             int64        `bun:",pk,autoincrement"`
	TrackingCode   string       `bun:",notnull"`
	IdempotencyKey *string      `bun:"idempotency_key"`
	Channel        string       `bun:",notnull"`
	ArrivedOn      workday.Date `bun:",notnull"`
	ReceivedOn     workday.Date `bun:",nullzero"`
	ApplicantType  string       `bun:",notnull"`
	ApplicantName  string       `bun:",notnull"`
	IDDocType      string       `bun:"id_doc_type,notnull"`
	// IDNumber is sealed with the PII key (package pii); IDMasked is what
	// people see.
	IDNumber string `bun:"id_number,notnull"`
	IDMasked string `bun:"id_masked,notnull"`
	// ApplicantKey finds the applicant's other requests (pii.Cipher.Index of
	// the document); it is never shown.
	ApplicantKey string       `bun:",notnull"`
	Phone        string       `bun:",notnull"`
	Email        string       `bun:",notnull"`
	Address      string       `bun:",notnull"`
	Content      string       `bun:",notnull"`
	Purpose      string       `bun:",notnull"`
	Form         string       `bun:",notnull"`
	Delivery     string       `bun:",notnull"`
	State        string       `bun:",notnull"`
	DueOn        workday.Date `bun:",nullzero"`
	Outcome      string       `bun:",notnull"`
	OutcomeBasis string       `bun:",notnull"`
	Withheld     string       `bun:",notnull"`
	ReplyText    string       `bun:",notnull"`
	RepliedOn    workday.Date `bun:",nullzero"`
	ClosedOn     workday.Date `bun:",nullzero"`
	// OutcomeOn is the day the request got its outcome (the reply, or the
	// lapse): the year it counts in for Table 3 of the annual report.
	OutcomeOn       workday.Date `bun:",nullzero"`
	HandlerID       *int64
	CalendarVersion string `bun:",notnull"`
	// ErasedAt is when the applicant's personal data was erased after the
	// retention period (see EraseExpired); nil while it is kept.
	ErasedAt  *time.Time
	CreatedAt time.Time `bun:",notnull"`
	UpdatedAt time.Time `bun:",notnull"`
}

// Event is one entry of a request's event log.
type Event struct {
	bun.BaseModel `bun:"table:request_events"`
	TenantID      int64              `bun:",notnull"`
	ID            int64              `bun:",pk,autoincrement"`
	RequestID     int64              `bun:",notnull"`
	Kind          deadline.EventKind `bun:",notnull"`
	Day           workday.Date       `bun:",notnull"`
	Days          int                `bun:",notnull"`
	// AmountYuan is the fee of a fee notice (信息处理费, 国办函〔2020〕109号).
	AmountYuan int       `bun:"amount_yuan,notnull"`
	Reason     string    `bun:",notnull"`
	Actor      string    `bun:",notnull"`
	ActorName  string    `bun:",notnull"`
	CreatedAt  time.Time `bun:",notnull"`
}

// Service registers and handles requests.
type Service struct {
	db       *db.DB
	authz    *authz.Authorizer
	tenants  *tenant.Service
	calendar *calendar.Service
	pii      *pii.Cipher
	rules    deadline.RuleBook
	loc      *time.Location
	now      func() time.Time
	events   Events // webhook events (events.go); nil: none
	fees     FeeSchedule
}

// NewService returns the request service; loc is the city's time zone, in
// which "today" is taken.
func NewService(d *db.DB, az *authz.Authorizer, ts *tenant.Service, cal *calendar.Service, cipher *pii.Cipher, loc *time.Location, now func() time.Time) *Service {
	return &Service{db: d, authz: az, tenants: ts, calendar: cal, pii: cipher, rules: deadline.DefaultRuleBook(), fees: NationalFees(), loc: loc, now: now}
}

func (s *Service) today() workday.Date { return workday.FromTime(s.now(), s.loc) }

// Applicant is who asks (Table 3 column by Type).
type Applicant struct {
	Type      string
	Name      string
	IDDocType string
	IDNumber  string
	Phone     string
	Email     string
	Address   string
}

// NewRequest is what registration records.
type NewRequest struct {
	Channel string
	// ArrivedOn is the day the request arrived (handed in, signed for,
	// received by the mail system).
	ArrivedOn workday.Date
	// ConfirmedOn is the day of the confirmation (ordinary letter, fax,
	// online form): the receipt date for those channels (Art. 31). Zero for
	// an online request submitted by the public, which waits for the bureau.
	ConfirmedOn    workday.Date
	Applicant      Applicant
	Content        string
	Purpose        string
	Form           string
	Delivery       string
	IdempotencyKey string
}

func (in *NewRequest) validate(public bool) error {
	var p []fault.FieldError
	add := func(field, msg string) { p = append(p, fault.FieldError{Field: field, Message: msg}) }
	ch, ok := ChannelByCode(in.Channel)
	if !ok {
		add("channel", "must be one of in_person, registered_post, ordinary_letter, fax, email, online, phone_record")
	}
	if !in.ArrivedOn.Valid() {
		add("arrived_on", "is required (YYYY-MM-DD)")
	}
	if ok && ch.NeedsConfirmation && !public && !in.ConfirmedOn.Valid() {
		add("confirmed_on", "is required for this channel: the receipt date is the day of confirmation (Art. 31)")
	}
	if in.ConfirmedOn.Valid() && in.ArrivedOn.Valid() && in.ConfirmedOn.Before(in.ArrivedOn) {
		add("confirmed_on", "cannot be before arrived_on")
	}
	if !slices.ContainsFunc(ApplicantTypes, func(t struct{ Code, Label string }) bool { return t.Code == in.Applicant.Type }) {
		add("applicant.type", "must be natural_person or one of commercial_enterprise, research_institution, public_welfare_organization, legal_service_institution, other_organization")
	}
	in.Applicant.Name = strings.TrimSpace(in.Applicant.Name)
	if in.Applicant.Name == "" || utf8.RuneCountInString(in.Applicant.Name) > 100 {
		add("applicant.name", "is required, at most 100 characters")
	}
	in.Content = strings.TrimSpace(in.Content)
	if in.Content == "" || utf8.RuneCountInString(in.Content) > 5000 {
		add("content", "is required: describe the information requested (at most 5000 characters)")
	}
	if in.Applicant.Email != "" {
		if _, err := mail.ParseAddress(in.Applicant.Email); err != nil {
			add("applicant.email", "is not an e-mail address")
		}
	}
	if in.Applicant.Phone == "" && in.Applicant.Email == "" && in.Applicant.Address == "" {
		add("applicant.phone", "give at least one way to reach the applicant: phone, e-mail or address")
	}
	if len(in.IdempotencyKey) > 100 {
		add("idempotency_key", "must be at most 100 characters")
	}
	return fault.Fields(p)
}

// trackingAlphabet has no easily confused characters.
const trackingAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

func newTrackingCode() string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	out := make([]byte, 0, 12)
	for i, c := range b {
		if i == 5 {
			out = append(out, '-')
		}
		out = append(out, trackingAlphabet[int(c)%len(trackingAlphabet)])
	}
	return "GK-" + string(out)
}

// Register records a request received by staff or pushed by an integrator.
// With an idempotency key already used in the bureau it returns the request
// registered the first time instead of a second one.
func (s *Service) Register(ctx context.Context, tenantID int64, in NewRequest) (*Request, bool, error) {
	if err := s.authz.Require(ctx, tenantID, "request", "write"); err != nil {
		return nil, false, err
	}
	if err := in.validate(false); err != nil {
		return nil, false, err
	}
	return s.create(ctx, tenantID, in)
}

// Submit records a request made online by the public (no account). It waits
// for the bureau to confirm it; the confirmation date is the receipt date.
func (s *Service) Submit(ctx context.Context, tenantID int64, in NewRequest) (*Request, error) {
	in.Channel = "online"
	in.ArrivedOn = s.today()
	in.ConfirmedOn = workday.Date{}
	in.IdempotencyKey = ""
	if err := in.validate(true); err != nil {
		return nil, err
	}
	r, _, err := s.create(authz.WithActor(ctx, authz.Actor{Subject: "public", Name: in.Applicant.Name}), tenantID, in)
	return r, err
}

func (s *Service) create(ctx context.Context, tenantID int64, in NewRequest) (*Request, bool, error) {
	cal, err := s.calendar.Calendar(ctx)
	if err != nil {
		return nil, false, err
	}
	now := s.now().UTC()
	r := &Request{TenantID: tenantID, TrackingCode: newTrackingCode(), Channel: in.Channel, ArrivedOn: in.ArrivedOn,
		ApplicantType: in.Applicant.Type, ApplicantName: in.Applicant.Name, IDDocType: in.Applicant.IDDocType, IDNumber: s.pii.Seal(in.Applicant.IDNumber), IDMasked: pii.Mask(in.Applicant.IDNumber),
		ApplicantKey: s.pii.Index(in.Applicant.IDDocType, in.Applicant.IDNumber),
		Phone:        in.Applicant.Phone, Email: in.Applicant.Email, Address: in.Applicant.Address, Content: in.Content, Purpose: in.Purpose,
		Form: in.Form, Delivery: in.Delivery, State: StateSubmitted, CreatedAt: now, UpdatedAt: now}
	if in.IdempotencyKey != "" {
		k := in.IdempotencyKey
		r.IdempotencyKey = &k
	}
	ch, _ := ChannelByCode(in.Channel)
	received := in.ArrivedOn
	if ch.NeedsConfirmation {
		received = in.ConfirmedOn
	}
	replayed := false
	err = s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		if r.IdempotencyKey != nil {
			var prev Request
			err := tx.NewSelect().Model(&prev).Where("tenant_id = ? AND idempotency_key = ?", tenantID, *r.IdempotencyKey).Scan(ctx)
			if err == nil {
				*r, replayed = prev, true
				return nil
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		if _, err := tx.NewInsert().Model(r).Returning("id").Exec(ctx); err != nil {
			return err
		}
		if received.Valid() {
			if err := s.appendTx(ctx, tx, cal, r, nil, deadline.Event{Kind: deadline.Received, On: received}, 0); err != nil {
				return err
			}
		}
		if err := audit.Record(ctx, tx, now, audit.Entry{TenantID: tenantID, Action: "request.registered", ObjectType: "request", ObjectID: r.TrackingCode,
			Changes: map[string]any{"channel": r.Channel, "received_on": received}}); err != nil {
			return err
		}
		return s.emit(ctx, tx, EventRegistered, r)
	})
	if err != nil {
		return nil, false, err
	}
	return r, replayed, nil
}

// events loads the log of a request inside tx.
func events(ctx context.Context, tx bun.IDB, r *Request) ([]Event, error) {
	var evs []Event
	err := tx.NewSelect().Model(&evs).Where("tenant_id = ? AND request_id = ?", r.TenantID, r.ID).Order("id").Scan(ctx)
	return evs, err
}

func engineEvents(evs []Event) []deadline.Event {
	out := make([]deadline.Event, 0, len(evs))
	for _, e := range evs {
		out = append(out, deadline.Event{Kind: e.Kind, On: e.Day, Days: e.Days, Reason: e.Reason})
	}
	return out
}

// appendTx checks next against the log, stores it and refreshes the cached
// deadline state of r, all inside tx. prior is the log so far (nil: load it);
// amountYuan is the fee of a fee notice, 0 otherwise.
func (s *Service) appendTx(ctx context.Context, tx bun.IDB, cal *workday.Calendar, r *Request, prior []Event, next deadline.Event, amountYuan int) error {
	if prior == nil {
		var err error
		if prior, err = events(ctx, tx, r); err != nil {
			return err
		}
	}
	log := engineEvents(prior)
	if next.Kind != deadline.Received {
		if err := deadline.CanAppend(log, next, s.rules, cal); err != nil {
			return err
		}
	}
	actor, _ := authz.ActorFrom(ctx)
	now := s.now().UTC()
	ev := &Event{TenantID: r.TenantID, RequestID: r.ID, Kind: next.Kind, Day: next.On, Days: next.Days, AmountYuan: amountYuan, Reason: next.Reason,
		Actor: actor.Subject, ActorName: actor.Name, CreatedAt: now}
	if _, err := tx.NewInsert().Model(ev).Exec(ctx); err != nil {
		return err
	}
	if next.Kind == deadline.Received {
		r.ReceivedOn = next.On
	}
	return s.refreshTx(ctx, tx, cal, r, append(log, next), now)
}

// SetRules replaces the deadline rule book (a city's stricter limits, kept
// as data: see the deadline-rules setting). It must validate.
func (s *Service) SetRules(rb deadline.RuleBook) error {
	if err := rb.Validate(); err != nil {
		return err
	}
	s.rules = rb
	return nil
}

// refreshTx recomputes the cached deadline fields of r from its log.
func (s *Service) refreshTx(ctx context.Context, tx bun.IDB, cal *workday.Calendar, r *Request, log []deadline.Event, now time.Time) error {
	res, err := deadline.ComputeDue(log, s.rules, cal, s.today())
	if err != nil {
		return err
	}
	r.State, r.DueOn, r.RepliedOn, r.ClosedOn = res.State, res.DueOn, res.RepliedOn, res.ClosedOn
	r.OutcomeOn = res.RepliedOn
	if res.LapsedBy != "" {
		r.OutcomeOn = res.LapsedOn
	}
	switch {
	case res.LapsedBy == deadline.SupplementLapsed:
		r.Outcome = "other_no_supplement" // row （六）1, Art. 30
	case res.LapsedBy == deadline.FeeLapsed:
		r.Outcome = "other_fee_unpaid" // row （六）2
	case res.State == deadline.StateClosed && res.RepliedOn.IsZero() && res.LapsedBy == "":
		// Closed without a reply (the applicant withdrew): row （六）3 其他.
		r.Outcome = "other"
		r.OutcomeOn = res.ClosedOn
	case res.State == deadline.StateOpen || res.State == deadline.StatePaused:
		// Not answered yet, or reopened: no outcome stands until the reply.
		r.Outcome, r.OutcomeBasis, r.Withheld, r.ReplyText = "", "", "", ""
	}
	r.CalendarVersion = cal.Version()
	r.UpdatedAt = now
	_, err = tx.NewUpdate().Model(r).
		Column("received_on", "state", "due_on", "outcome", "outcome_basis", "withheld", "reply_text", "replied_on", "closed_on", "outcome_on", "handler_id", "calendar_version", "updated_at").
		Where("tenant_id = ? AND id = ?", r.TenantID, r.ID).Exec(ctx)
	return err
}

// get loads a request of the tenant inside tx.
func get(ctx context.Context, tx bun.IDB, tenantID, id int64) (*Request, error) {
	var r Request
	if err := tx.NewSelect().Model(&r).Where("tenant_id = ? AND id = ?", tenantID, id).Scan(ctx); err != nil {
		return nil, db.NotFound(err, "request")
	}
	return &r, nil
}
