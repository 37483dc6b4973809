package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/uptrace/bun"

	"gongkai/internal/audit"
	"gongkai/internal/authz"
	"gongkai/internal/db"
	"gongkai/internal/fault"
)

// Session is a signed-in console session. The cookie carries a random secret;
// the database keeps only its SHA-256 (ID).
type Session struct {
	bun.BaseModel `bun:"table:sessions"`
	ID            string    `bun:",pk"`
	UserID        int64     `bun:",notnull"`
	TenantID      *int64    // the bureau the user is working in
	CSRFToken     string    `bun:"csrf_token,notnull"`
	IP            string    `bun:",notnull"`
	UserAgent     string    `bun:",notnull"`
	CreatedAt     time.Time `bun:",notnull"`
	LastSeenAt    time.Time `bun:",notnull"`
	ExpiresAt     time.Time `bun:",notnull"`
}

// CurrentTenant returns the bureau the session works in, 0 for none.
func (s *Session) CurrentTenant() int64 {
	if s.TenantID == nil {
		return 0
	}
	return *s.TenantID
}

type loginFailure struct {
	bun.BaseModel `bun:"table:login_failures"`
	ID            int64     `bun:",pk,autoincrement"`
	Key           string    `bun:",notnull"`
	FailedAt      time.Time `bun:",notnull"`
}

func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// dummyHash is compared against when the account does not exist, so that
// the time taken does not reveal whether it does.
var dummyHash, _ = argon2id.CreateHash("no such account", argonParams)

// ErrBadCredentials is the one answer to every failed sign-in: it does not
// say whether the account exists.
var ErrBadCredentials = fault.New(fault.Unauthenticated, "wrong user name or password")

// Login checks the credentials and opens a session. Repeated failures for the
// account or from the address are throttled (fault.TooMany) whether or not
// the account exists. It returns the cookie value.
func (s *Service) Login(ctx context.Context, username, password, ip, userAgent string) (string, *Session, error) {
	username = strings.TrimSpace(username)
	now := s.now().UTC()
	accountKey, ipKey := "account:"+strings.ToLower(username), "ip:"+ip
	since := now.Add(-s.policy.FailureWindow)
	var accountFails, ipFails int64
	var err error
	if accountFails, err = s.db.Bun.NewSelect().Model((*loginFailure)(nil)).Where("key = ? AND failed_at > ?", accountKey, since).Count(ctx); err != nil {
		return "", nil, db.Translate(err)
	}
	if ipFails, err = s.db.Bun.NewSelect().Model((*loginFailure)(nil)).Where("key = ? AND failed_at > ?", ipKey, since).Count(ctx); err != nil {
		return "", nil, db.Translate(err)
	}
	if accountFails >= int64(s.policy.MaxFailures) || ipFails >= int64(s.policy.MaxIPFailures) {
		return "", nil, fault.New(fault.TooMany, "too many failed sign-ins; try again in %d minutes", int(s.policy.FailureWindow.Minutes()))
	}

	var u User
	err = s.db.Bun.NewSelect().Model(&u).Where("username = ?", username).Scan(ctx)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", nil, db.Translate(err)
	}
	found := err == nil && u.DisabledAt == nil
	hash := dummyHash
	if found {
		hash = u.PasswordHash
	}
	match, _ := argon2id.ComparePasswordAndHash(password, hash)
	actx := authz.WithActor(ctx, actorWithRequest(ctx, authz.Actor{Subject: "anonymous", Name: username, IP: ip}))
	if !found || !match {
		err := s.db.InTx(actx, db.AllTenants, func(ctx context.Context, tx bun.Tx) error {
			for _, k := range []string{accountKey, ipKey} {
				if _, err := tx.NewInsert().Model(&loginFailure{Key: k, FailedAt: now}).Exec(ctx); err != nil {
					return err
				}
			}
			return audit.Record(ctx, tx, now, audit.Entry{Action: "auth.login_failed", ObjectType: "user", ObjectID: username})
		})
		if err != nil {
			return "", nil, err
		}
		return "", nil, ErrBadCredentials
	}

	tenants, _, err := s.authz.TenantsOf(ctx, u.Subject())
	if err != nil {
		return "", nil, err
	}
	secret := randomToken(32)
	sess := &Session{ID: hashSecret(secret), UserID: u.ID, CSRFToken: randomToken(24), IP: ip, UserAgent: truncate(userAgent, 300),
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(s.policy.SessionMaxLife)}
	if len(tenants) > 0 {
		sess.TenantID = &tenants[0]
	}
	actx = authz.WithActor(ctx, actorWithRequest(ctx, authz.Actor{Subject: u.Subject(), UserID: u.ID, Name: u.DisplayName, IP: ip}))
	err = s.db.InTx(actx, db.AllTenants, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewDelete().Model((*loginFailure)(nil)).Where("key = ?", accountKey).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(sess).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Entry{Action: "auth.login", ObjectType: "user", ObjectID: u.Username})
	})
	if err != nil {
		return "", nil, err
	}
	return secret, sess, nil
}

// actorWithRequest copies the request ID of an actor already in ctx (set by
// the HTTP layer before authentication) into a.
func actorWithRequest(ctx context.Context, a authz.Actor) authz.Actor {
	if prev, ok := authz.ActorFrom(ctx); ok {
		a.RequestID = prev.RequestID
		if a.IP == "" {
			a.IP = prev.IP
		}
	}
	return a
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// Authenticate returns the session and user of a cookie value, extending the
// idle time-out; an unknown, expired or idle session is Unauthenticated.
func (s *Service) Authenticate(ctx context.Context, cookie string) (*Session, *User, error) {
	if cookie == "" {
		return nil, nil, fault.New(fault.Unauthenticated, "not signed in")
	}
	now := s.now().UTC()
	var sess Session
	if err := s.db.Bun.NewSelect().Model(&sess).Where("id = ?", hashSecret(cookie)).Scan(ctx); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil, fault.New(fault.Unauthenticated, "your session has ended; sign in again")
		}
		return nil, nil, db.Translate(err)
	}
	if now.After(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) > s.policy.SessionIdle {
		_, _ = s.db.Bun.NewDelete().Model((*Session)(nil)).Where("id = ?", sess.ID).Exec(ctx)
		return nil, nil, fault.New(fault.Unauthenticated, "your session has ended; sign in again")
	}
	var u User
	if err := s.db.Bun.NewSelect().Model(&u).Where("id = ?", sess.UserID).Scan(ctx); err != nil {
		return nil, nil, db.NotFound(err, "user")
	}
	if u.DisabledAt != nil {
		return nil, nil, fault.New(fault.Unauthenticated, "this account is disabled")
	}
	if now.Sub(sess.LastSeenAt) > time.Minute {
		sess.LastSeenAt = now
		if _, err := s.db.Bun.NewUpdate().Model(&sess).Column("last_seen_at").WherePK().Exec(ctx); err != nil {
			return nil, nil, db.Translate(err)
		}
	}
	return &sess, &u, nil
}

// CheckCSRF compares a submitted CSRF token with the session's in constant time.
func (sess *Session) CheckCSRF(token string) error {
	if token == "" || subtle.ConstantTimeCompare([]byte(token), []byte(sess.CSRFToken)) != 1 {
		return fault.New(fault.Forbidden, "the form has expired or did not come from this site; reload the page and try again")
	}
	return nil
}

// Logout ends the session of the cookie.
func (s *Service) Logout(ctx context.Context, cookie string) error {
	sess, u, err := s.Authenticate(ctx, cookie)
	if err != nil {
		return nil
	}
	now := s.now().UTC()
	return s.db.InTx(ctx, db.AllTenants, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewDelete().Model((*Session)(nil)).Where("id = ?", sess.ID).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Entry{Action: "auth.logout", ObjectType: "user", ObjectID: u.Username})
	})
}

// LogoutEverywhere ends every session of the user.
func (s *Service) LogoutEverywhere(ctx context.Context, userID int64) error {
	now := s.now().UTC()
	return s.db.InTx(ctx, db.AllTenants, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewDelete().Model((*Session)(nil)).Where("user_id = ?", userID).Exec(ctx)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		return audit.Record(ctx, tx, now, audit.Entry{Action: "auth.logout_everywhere", ObjectType: "user", ObjectID: authz.UserSubject(userID),
			Changes: map[string]any{"sessions_ended": n}})
	})
}

// SwitchTenant makes the session work in another bureau the user belongs to.
func (s *Service) SwitchTenant(ctx context.Context, sess *Session, tenantID int64) error {
	actor, _ := authz.ActorFrom(ctx)
	ok, err := s.authz.CanSeeTenant(ctx, actor, tenantID)
	if err != nil {
		return err
	}
	if !ok {
		return fault.New(fault.NotFound, "bureau not found")
	}
	sess.TenantID = &tenantID
	_, err = s.db.Bun.NewUpdate().Model(sess).Column("tenant_id").WherePK().Exec(ctx)
	return db.Translate(err)
}

// ChangePassword sets a new password for the user after checking the old one
// and the policy, and ends the user's other sessions (every one but keep,
// the session that made the change; "" ends them all).
func (s *Service) ChangePassword(ctx context.Context, userID int64, oldPassword, newPassword, keep string) error {
	var u User
	if err := s.db.Bun.NewSelect().Model(&u).Where("id = ?", userID).Scan(ctx); err != nil {
		return db.NotFound(err, "user")
	}
	if ok, _ := argon2id.ComparePasswordAndHash(oldPassword, u.PasswordHash); !ok {
		return fault.Field("old_password", "is not your current password")
	}
	if err := s.policy.Check(u.Username, newPassword); err != nil {
		return err
	}
	hash, err := HashPassword(newPassword)
	if err != nil {
		return fault.Wrap(err, fault.Internal, "hash password")
	}
	now := s.now().UTC()
	return s.db.InTx(ctx, db.AllTenants, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewUpdate().Model(&u).Set("password_hash = ?", hash).Set("updated_at = ?", now).WherePK().Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*Session)(nil)).Where("user_id = ? AND id <> ?", u.ID, keep).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Entry{Action: "user.password_changed", ObjectType: "user", ObjectID: u.Username})
	})
}

// UserByID returns a user.
func (s *Service) UserByID(ctx context.Context, id int64) (*User, error) {
	var u User
	if err := s.db.Bun.NewSelect().Model(&u).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, db.NotFound(err, "user")
	}
	return &u, nil
}
