package notify

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"github.com/uptrace/bun"

	"gongkai/internal/db"
	"gongkai/internal/fault"
)

// How a person gets the e-mail copy of a kind of notification. The inbox
// entry is always written.
const (
	DeliveryImmediate = "immediate" // one mail per notification, at once
	DeliveryDigest    = "digest"    // one mail a day listing them
	DeliveryOff       = "off"       // no mail
)

// AllKinds is the Kind of the preference row that applies to every kind
// without a row of its own.
const AllKinds = "*"

// preference is the storage form of a Preference.
type preference struct {
	bun.BaseModel `bun:"table:notification_preferences"`
	UserID        int64     `bun:",pk"`
	Kind          string    `bun:",pk"`
	Delivery      string    `bun:",notnull"`
	UpdatedAt     time.Time `bun:",notnull"`
}

// Preference is how a person wants the mail of one kind (or AllKinds).
type Preference struct {
	Kind     string
	Delivery string
}

// preferenceTx returns the delivery for (user, kind): the kind's row, else
// the AllKinds row, else immediate.
func preferenceTx(ctx context.Context, tx bun.IDB, userID int64, kind string) (string, error) {
	var rows []preference
	if err := tx.NewSelect().Model(&rows).Where("user_id = ? AND kind IN (?)", userID, bun.List([]string{kind, AllKinds})).Scan(ctx); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", db.Translate(err)
	}
	d := DeliveryImmediate
	for _, r := range rows {
		if r.Kind == kind {
			return r.Delivery, nil
		}
		d = r.Delivery
	}
	return d, nil
}

// Preferences returns userID's delivery for AllKinds and for every kind
// (the effective value, defaults filled in). Only the person may read them.
func (s *Service) Preferences(ctx context.Context, userID int64) ([]Preference, error) {
	if _, err := owner(ctx, userID); err != nil {
		return nil, err
	}
	var rows []preference
	if err := s.db.Bun.NewSelect().Model(&rows).Where("user_id = ?", userID).Scan(ctx); err != nil {
		return nil, db.Translate(err)
	}
	set := map[string]string{}
	for _, r := range rows {
		set[r.Kind] = r.Delivery
	}
	def := DeliveryImmediate
	if d, ok := set[AllKinds]; ok {
		def = d
	}
	out := []Preference{{AllKinds, def}}
	for _, k := range Kinds {
		d, ok := set[k.Code]
		if !ok {
			d = def
		}
		out = append(out, Preference{k.Code, d})
	}
	return out, nil
}

// SetPreferences stores userID's delivery for the given kinds (AllKinds for
// the default) and returns the effective preferences.
func (s *Service) SetPreferences(ctx context.Context, userID int64, prefs []Preference) ([]Preference, error) {
	if _, err := owner(ctx, userID); err != nil {
		return nil, err
	}
	var p []fault.FieldError
	for i, pr := range prefs {
		if pr.Kind != AllKinds && !KnownKind(pr.Kind) {
			p = append(p, fault.FieldError{Field: fieldName(i, "kind"), Message: "unknown kind " + pr.Kind + ": use * or one of the listed kinds"})
		}
		if pr.Delivery != DeliveryImmediate && pr.Delivery != DeliveryDigest && pr.Delivery != DeliveryOff {
			p = append(p, fault.FieldError{Field: fieldName(i, "delivery"), Message: "must be immediate, digest or off"})
		}
	}
	if err := fault.Fields(p); err != nil {
		return nil, err
	}
	now := s.opts.Now().UTC()
	err := s.db.InTx(ctx, db.AllTenants, func(ctx context.Context, tx bun.Tx) error {
		for _, pr := range prefs {
			row := &preference{UserID: userID, Kind: pr.Kind, Delivery: pr.Delivery, UpdatedAt: now}
			if _, err := tx.NewInsert().Model(row).On("CONFLICT (user_id, kind) DO UPDATE").
				Set("delivery = EXCLUDED.delivery").Set("updated_at = EXCLUDED.updated_at").Exec(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.Preferences(ctx, userID)
}

func fieldName(i int, f string) string {
	return "preferences[" + strconv.Itoa(i) + "]." + f
}
