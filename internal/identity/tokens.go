package identity

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"gongkai/internal/audit"
	"gongkai/internal/authz"
	"gongkai/internal/db"
	"gongkai/internal/fault"
)

// Token is an API token of an integrator: one bureau, one role. The secret is
// shown once at creation; the database keeps its SHA-256 and a prefix by
// which people recognise it.
type Token struct {
	bun.BaseModel `bun:"table:api_tokens"`
	TenantID      int64     `bun:",notnull"`
	ID            int64     `bun:",pk,autoincrement"`
	Prefix        string    `bun:",notnull"`
	Hash          string    `bun:",notnull"`
	Name          string    `bun:",notnull"`
	Role          string    `bun:",notnull"`
	CreatedBy     int64     `bun:",notnull"`
	CreatedAt     time.Time `bun:",notnull"`
	ExpiresAt     *time.Time
	LastUsedAt    *time.Time
	RevokedAt     *time.Time
}

// Active reports whether the token can be used at t.
func (t *Token) Active(at time.Time) bool {
	return t.RevokedAt == nil && (t.ExpiresAt == nil || at.Before(*t.ExpiresAt))
}

// tokenPrefix starts every token, so secret scanners can recognise leaks.
const tokenPrefix = "gk_"

// CreateToken makes an API token for the bureau with one role, no higher than
// the creator's own. It returns the full secret, which is never shown again.
func (s *Service) CreateToken(ctx context.Context, tenantID int64, name, role string, expiresAt *time.Time) (string, *Token, error) {
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 100 {
		return "", nil, fault.Field("name", "is required, at most 100 characters (say which integration uses it)")
	}
	r, ok := authz.RoleByName(role)
	if !ok || r.CrossTenant {
		return "", nil, fault.Field("role", "must be one of bureau_admin, info_officer, reviewer, viewer")
	}
	if err := s.authz.Require(ctx, tenantID, "tokens", "manage"); err != nil {
		return "", nil, err
	}
	if err := s.authz.CheckGrant(ctx, tenantID, []string{role}); err != nil {
		return "", nil, err
	}
	now := s.now().UTC()
	if expiresAt != nil && !expiresAt.After(now) {
		return "", nil, fault.Field("expires_at", "must be in the future")
	}
	actor, _ := authz.ActorFrom(ctx)
	idPart := randomFrom("abcdefghijkmnpqrstuvwxyz23456789", 8)
	secret := tokenPrefix + idPart + "_" + randomToken(32)
	tok := &Token{TenantID: tenantID, Prefix: tokenPrefix + idPart, Hash: hashSecret(secret), Name: name, Role: role,
		CreatedBy: actor.UserID, CreatedAt: now}
	if expiresAt != nil {
		e := expiresAt.UTC()
		tok.ExpiresAt = &e
	}
	err := s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(tok).Returning("id").Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Entry{TenantID: tenantID, Action: "token.created", ObjectType: "token", ObjectID: tok.Prefix,
			Changes: map[string]any{"name": name, "role": role, "expires_at": tok.ExpiresAt}})
	})
	if err != nil {
		return "", nil, err
	}
	return secret, tok, nil
}

// ListTokens returns the bureau's tokens (never their secrets).
func (s *Service) ListTokens(ctx context.Context, tenantID int64) ([]Token, error) {
	if err := s.authz.Require(ctx, tenantID, "tokens", "read"); err != nil {
		return nil, err
	}
	var out []Token
	err := s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Model(&out).Where("tenant_id = ?", tenantID).Order("id").Scan(ctx)
	})
	return out, err
}

// RevokeToken revokes a token of the bureau; it stops working at once.
func (s *Service) RevokeToken(ctx context.Context, tenantID, id int64) error {
	if err := s.authz.Require(ctx, tenantID, "tokens", "manage"); err != nil {
		return err
	}
	now := s.now().UTC()
	return s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		var tok Token
		if err := tx.NewSelect().Model(&tok).Where("tenant_id = ? AND id = ?", tenantID, id).Scan(ctx); err != nil {
			return db.NotFound(err, "token")
		}
		if tok.RevokedAt != nil {
			return fault.New(fault.Conflict, "token %s is already revoked", tok.Prefix)
		}
		if _, err := tx.NewUpdate().Model(&tok).Set("revoked_at = ?", now).Where("tenant_id = ? AND id = ?", tenantID, id).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Entry{TenantID: tenantID, Action: "token.revoked", ObjectType: "token", ObjectID: tok.Prefix})
	})
}

// AuthenticateToken returns the actor of a bearer token; an unknown, revoked
// or expired token is Unauthenticated.
func (s *Service) AuthenticateToken(ctx context.Context, secret string) (authz.Actor, error) {
	bad := fault.New(fault.Unauthenticated, "the API token is unknown, revoked or expired")
	parts := strings.SplitN(secret, "_", 3)
	if len(parts) != 3 || parts[0]+"_" != tokenPrefix {
		return authz.Actor{}, bad
	}
	prefix := tokenPrefix + parts[1]
	now := s.now().UTC()
	var tok Token
	err := s.db.InTx(ctx, db.AllTenants, func(ctx context.Context, tx bun.Tx) error {
		if err := tx.NewSelect().Model(&tok).Where("prefix = ?", prefix).Scan(ctx); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return bad
			}
			return err
		}
		if subtle.ConstantTimeCompare([]byte(tok.Hash), []byte(hashSecret(secret))) != 1 || !tok.Active(now) {
			return bad
		}
		if tok.LastUsedAt == nil || now.Sub(*tok.LastUsedAt) > time.Minute {
			_, err := tx.NewUpdate().Model(&tok).Set("last_used_at = ?", now).Where("tenant_id = ? AND id = ?", tok.TenantID, tok.ID).Exec(ctx)
			return err
		}
		return nil
	})
	if err != nil {
		return authz.Actor{}, err
	}
	return authz.Actor{Subject: authz.TokenSubject(tok.ID), UserID: tok.CreatedBy, TokenID: tok.ID, Name: tok.Name + " (" + tok.Prefix + ")",
		TenantID: tok.TenantID, TokenRole: tok.Role}, nil
}
