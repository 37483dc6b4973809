package appeal

import (
	"context"
	"strconv"
	"strings"

	"github.com/uptrace/bun"

	"gongkai/internal/db"
	"gongkai/internal/fault"
)

// RequestRef names a disclosure request a case can be about.
type RequestRef struct {
	ID           int64  `bun:"id"`
	TrackingCode string `bun:"tracking_code"`
}

// FindRequest resolves what a clerk typed to name a case's request: its
// tracking code (GK-XXXXX-XXXXX) or its number. It answers a field error on
// request_id when the bureau has no such request.
func (s *Service) FindRequest(ctx context.Context, tenantID int64, ref string) (RequestRef, error) {
	var out RequestRef
	if err := s.authz.Require(ctx, tenantID, "appeal", "read"); err != nil {
		return out, err
	}
	ref = strings.ToUpper(strings.TrimSpace(ref))
	err := s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		q := tx.NewSelect().Table("requests").Column("id", "tracking_code").Where("tenant_id = ?", tenantID)
		if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
			q = q.Where("id = ?", id)
		} else {
			q = q.Where("tracking_code = ?", ref)
		}
		return q.Limit(1).Scan(ctx, &out)
	})
	if err != nil {
		if fault.Is(db.NotFound(err, "request"), fault.NotFound) {
			return out, fault.Field("request_id", "no such request in this bureau")
		}
		return out, err
	}
	return out, nil
}

// Get returns one case of the bureau.
func (s *Service) Get(ctx context.Context, tenantID, id int64) (*Case, error) {
	if err := s.authz.Require(ctx, tenantID, "appeal", "read"); err != nil {
		return nil, err
	}
	var c Case
	err := s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		return db.NotFound(tx.NewSelect().Model(&c).Where("tenant_id = ? AND id = ?", tenantID, id).Scan(ctx), "appeal")
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// RequestCodes returns the tracking codes of the bureau's requests with
// the given ids (the requests cases are about).
func (s *Service) RequestCodes(ctx context.Context, tenantID int64, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	if err := s.authz.Require(ctx, tenantID, "appeal", "read"); err != nil {
		return nil, err
	}
	var refs []RequestRef
	err := s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Table("requests").Column("id", "tracking_code").Where("tenant_id = ? AND id IN (?)", tenantID, bun.List(ids)).Scan(ctx, &refs)
	})
	for _, r := range refs {
		out[r.ID] = r.TrackingCode
	}
	return out, err
}
