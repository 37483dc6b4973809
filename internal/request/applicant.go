package request

import (
	"context"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"gongkai/internal/audit"
	"gongkai/internal/authz"
	"gongkai/internal/db"
	"gongkai/internal/fault"
	"gongkai/internal/jobs"
	"gongkai/internal/pii"
	"gongkai/internal/workday"
)

// BackfillApplicantKeys gives every request with an identity number but no
// applicant key its key (requests registered before keys existed), and
// returns how many it updated. It runs at start-up; with nothing to do it is
// one indexed query.
func (s *Service) BackfillApplicantKeys(ctx context.Context) (int, error) {
	n := 0
	err := s.db.InTx(ctx, db.AllTenants, func(ctx context.Context, tx bun.Tx) error {
		var rows []Request
		if err := tx.NewSelect().Model(&rows).Column("tenant_id", "id", "id_doc_type", "id_number").
			Where("applicant_key = '' AND id_number <> '' AND erased_at IS NULL").Scan(ctx); err != nil {
			return err
		}
		for _, r := range rows {
			plain, err := s.pii.Open(r.IDNumber)
			if err != nil {
				return fault.Wrap(err, fault.Internal, "request %d: cannot open the identity number (is pii-key the key it was sealed with?)", r.ID)
			}
			if _, err := tx.NewUpdate().Model((*Request)(nil)).Set("applicant_key = ?", s.pii.Index(r.IDDocType, plain)).
				Where("tenant_id = ? AND id = ?", r.TenantID, r.ID).Exec(ctx); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// ApplicantRecord is one request in an applicant's data export, with the
// personal data in the clear.
type ApplicantRecord struct {
	TrackingCode  string          `json:"tracking_code"`
	Channel       string          `json:"channel"`
	ArrivedOn     workday.Date    `json:"arrived_on"`
	ReceivedOn    *workday.Date   `json:"received_on,omitempty"`
	ApplicantType string          `json:"applicant_type"`
	Name          string          `json:"name"`
	IDDocType     string          `json:"id_doc_type"`
	IDNumber      string          `json:"id_number"`
	Phone         string          `json:"phone"`
	Email         string          `json:"email"`
	Address       string          `json:"address"`
	Content       string          `json:"content"`
	Purpose       string          `json:"purpose"`
	State         string          `json:"state"`
	Outcome       string          `json:"outcome"`
	RepliedOn     *workday.Date   `json:"replied_on,omitempty"`
	Reply         string          `json:"reply"`
	Letters       []ApplicantMail `json:"letters"`
}

// ApplicantMail is a letter sent to the applicant, in the export.
type ApplicantMail struct {
	Kind     string       `json:"kind"`
	DocNo    string       `json:"doc_no"`
	SentOn   workday.Date `json:"sent_on"`
	Delivery string       `json:"delivery"`
}

// ApplicantData is everything a bureau holds about one applicant
// (个人信息保护法 Art. 45: the right to a copy).
type ApplicantData struct {
	IDDocType  string            `json:"id_doc_type"`
	IDMasked   string            `json:"id_masked"`
	ExportedAt time.Time         `json:"exported_at"`
	Requests   []ApplicantRecord `json:"requests"`
}

// ApplicantData finds every request of the bureau made with the identity
// document and returns them with the personal data in the clear. Only a
// bureau admin may; each export is recorded in the audit trail. Requests
// whose personal data was erased are not found.
func (s *Service) ApplicantData(ctx context.Context, tenantID int64, docType, number string) (*ApplicantData, error) {
	if err := s.authz.Require(ctx, tenantID, "request", "manage"); err != nil {
		return nil, err
	}
	number = strings.TrimSpace(number)
	if number == "" {
		return nil, fault.Field("id_number", "is required: the identity document number the applicant gave")
	}
	key := s.pii.Index(docType, number)
	out := &ApplicantData{IDDocType: strings.TrimSpace(docType), IDMasked: pii.Mask(number), ExportedAt: s.now().UTC(), Requests: []ApplicantRecord{}}
	err := s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		var rows []Request
		if err := tx.NewSelect().Model(&rows).Where("tenant_id = ? AND applicant_key = ? AND applicant_key <> ''", tenantID, key).OrderExpr("arrived_on, id").Scan(ctx); err != nil {
			return err
		}
		for _, r := range rows {
			plain, err := s.pii.Open(r.IDNumber)
			if err != nil {
				return fault.Wrap(err, fault.Internal, "cannot open the identity number")
			}
			rec := ApplicantRecord{TrackingCode: r.TrackingCode, Channel: r.Channel, ArrivedOn: r.ArrivedOn, ApplicantType: r.ApplicantType,
				Name: r.ApplicantName, IDDocType: r.IDDocType, IDNumber: plain, Phone: r.Phone, Email: r.Email, Address: r.Address,
				Content: r.Content, Purpose: r.Purpose, State: r.State, Outcome: r.Outcome, Reply: r.ReplyText, Letters: []ApplicantMail{}}
			if r.ReceivedOn.Valid() {
				d := r.ReceivedOn
				rec.ReceivedOn = &d
			}
			if r.RepliedOn.Valid() {
				d := r.RepliedOn
				rec.RepliedOn = &d
			}
			if err := tx.NewSelect().Model((*Letter)(nil)).Column("kind", "doc_no", "sent_on", "delivery").
				Where("tenant_id = ? AND request_id = ?", tenantID, r.ID).Order("id").Scan(ctx, &rec.Letters); err != nil {
				return err
			}
			out.Requests = append(out.Requests, rec)
		}
		return audit.Record(ctx, tx, s.now(), audit.Entry{TenantID: tenantID, Action: "request.applicant_exported", ObjectType: "applicant", ObjectID: out.IDMasked,
			Changes: map[string]any{"requests": len(out.Requests)}})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ErasureNotice replaces the body of a letter whose applicant's personal
// data was erased.
const ErasureNotice = "<p>申请人个人信息已按保存期限删除。</p>"

// EraseExpired erases the personal data (name, identity number, phone,
// e-mail, address, and the bodies of the letters sent) of every request that
// ended — replied, closed or lapsed — more than retentionDays days before
// today, in every bureau, and returns how many requests it erased. What the
// annual report counts (applicant type, channel, dates, outcome) stays.
// Each bureau's erasure is recorded in its audit trail.
func (s *Service) EraseExpired(ctx context.Context, retentionDays int) (int, error) {
	if retentionDays <= 0 {
		return 0, nil
	}
	cutoff := s.today().AddDays(-retentionDays)
	now := s.now().UTC()
	total := 0
	const ended = "erased_at IS NULL AND state IN ('replied', 'closed', 'lapsed') AND COALESCE(closed_on, outcome_on) < ?"
	err := s.db.InTx(ctx, db.AllTenants, func(ctx context.Context, tx bun.Tx) error {
		var perTenant []struct {
			TenantID int64 `bun:"tenant_id"`
			N        int   `bun:"n"`
		}
		if err := tx.NewSelect().Model((*Request)(nil)).Column("tenant_id").ColumnExpr("count(*) AS n").
			Where(ended, cutoff).Group("tenant_id").Scan(ctx, &perTenant); err != nil {
			return err
		}
		if len(perTenant) == 0 {
			return nil
		}
		// The letters first: they find their requests by the same condition.
		if _, err := tx.NewUpdate().Model((*Letter)(nil)).Set("body_html = ?", ErasureNotice).Set("erased_at = ?", now).
			Where("erased_at IS NULL AND request_id IN (?)", tx.NewSelect().Model((*Request)(nil)).Column("id").Where(ended, cutoff)).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model((*Request)(nil)).
			Set("applicant_name = '', id_number = '', id_masked = '', phone = '', email = '', address = '', applicant_key = ''").
			Set("erased_at = ?", now).Where(ended, cutoff).Exec(ctx); err != nil {
			return err
		}
		for _, t := range perTenant {
			total += t.N
			if err := audit.Record(ctx, tx, now, audit.Entry{TenantID: t.TenantID, Action: "request.personal_data_erased", ObjectType: "request",
				Changes: map[string]any{"requests": t.N, "retention_days": retentionDays, "ended_before": cutoff.String()}}); err != nil {
				return err
			}
		}
		return nil
	})
	return total, err
}

// EraseArgs is the daily job that erases expired personal data.
type EraseArgs struct{}

// Kind names the job.
func (EraseArgs) Kind() string { return "personal_data_erase" }

// EraseWorker works personal_data_erase jobs.
type EraseWorker struct {
	river.WorkerDefaults[EraseArgs]
	Service       *Service
	RetentionDays int
}

// Register adds the worker to the registry; set Service before jobs run.
func (w *EraseWorker) Register(r *jobs.Registry) { jobs.Add(r, w) }

// Work erases what has passed the retention period.
func (w *EraseWorker) Work(ctx context.Context, _ *river.Job[EraseArgs]) error {
	_, err := w.Service.EraseExpired(authz.WithActor(ctx, authz.System), w.RetentionDays)
	return err
}

// ErasePeriodicJob returns the erasure job, daily and once at start; River
// runs periodic jobs on the elected leader only.
func ErasePeriodicJob() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(24*time.Hour), func() (river.JobArgs, *river.InsertOpts) {
		return EraseArgs{}, nil
	}, &river.PeriodicJobOpts{ID: "personal_data_erase", RunOnStart: true})
}
