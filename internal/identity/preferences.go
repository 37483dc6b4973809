package identity

import (
	"context"

	"github.com/uptrace/bun"

	"gongkai/internal/audit"
	"gongkai/internal/authz"
	"gongkai/internal/db"
	"gongkai/internal/fault"
)

// Locales the console is available in.
var Locales = []string{"zh-CN", "en"}

// SetLocale stores the user's console language.
func (s *Service) SetLocale(ctx context.Context, userID int64, locale string) error {
	if locale != "zh-CN" && locale != "en" {
		return fault.Field("locale", "must be zh-CN or en")
	}
	now := s.now().UTC()
	return s.db.InTx(ctx, db.AllTenants, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewUpdate().Model((*User)(nil)).Set("locale = ?", locale).Set("updated_at = ?", now).Where("id = ?", userID).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Entry{Action: "user.locale_set", ObjectType: "user", ObjectID: authz.UserSubject(userID), Changes: map[string]any{"locale": locale}})
	})
}
