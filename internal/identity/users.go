// Package identity holds the people and integrations that act in Gongkai:
// users with argon2id password hashes, their sessions, and API tokens.
package identity

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/uptrace/bun"

	"gongkai/internal/audit"
	"gongkai/internal/authz"
	"gongkai/internal/db"
	"gongkai/internal/fault"
)

// User is a person who signs in to the console.
type User struct {
	bun.BaseModel `bun:"table:users"`
	ID            int64  `bun:",pk,autoincrement"`
	Username      string `bun:",notnull"`
	DisplayName   string `bun:",notnull"`
	Email         string `bun:",notnull"`
	PasswordHash  string `bun:",notnull"`
	Locale        string `bun:",notnull"`
	DisabledAt    *time.Time
	CreatedAt     time.Time `bun:",notnull"`
	UpdatedAt     time.Time `bun:",notnull"`
}

// Subject is how authorization names the user: "user:<id>".
func (u *User) Subject() string { return authz.UserSubject(u.ID) }

// AdminUsername is the login of the platform administrator created on first start.
const AdminUsername = "admin"

// Service manages users, sessions, API tokens and bureau membership.
type Service struct {
	db     *db.DB
	authz  *authz.Authorizer
	now    func() time.Time
	policy Policy
}

// NewService returns the identity service; now is the clock.
func NewService(d *db.DB, az *authz.Authorizer, now func() time.Time, policy Policy) *Service {
	return &Service{db: d, authz: az, now: now, policy: policy.withDefaults()}
}

// argonParams are the argon2id parameters for password hashes (RFC 9106's
// second recommended option, scaled to a small server).
var argonParams = &argon2id.Params{Memory: 64 * 1024, Iterations: 3, Parallelism: 2, SaltLength: 16, KeyLength: 32}

// HashPassword returns the argon2id hash of password.
func HashPassword(password string) (string, error) {
	return argon2id.CreateHash(password, argonParams)
}

// EnsureAdmin creates the platform administrator on first start. With an
// empty password it generates one and returns it so the caller can print it
// once; when the administrator already exists it changes nothing and returns
// created == false.
func (s *Service) EnsureAdmin(ctx context.Context, password string) (generated string, created bool, err error) {
	err = s.db.InTx(ctx, db.AllTenants, func(ctx context.Context, tx bun.Tx) error {
		var existing User
		err := tx.NewSelect().Model(&existing).Where("username = ?", AdminUsername).Scan(ctx)
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if password == "" {
			password = RandomPassword()
			generated = password
		}
		if err := s.policy.Check(AdminUsername, password); err != nil {
			return err
		}
		hash, err := HashPassword(password)
		if err != nil {
			return fault.Wrap(err, fault.Internal, "hash password")
		}
		now := s.now().UTC()
		u := &User{Username: AdminUsername, DisplayName: "平台管理员", PasswordHash: hash, Locale: "zh-CN", CreatedAt: now, UpdatedAt: now}
		if _, err := tx.NewInsert().Model(u).Returning("id").Exec(ctx); err != nil {
			return err
		}
		if err := authz.SetRolesTx(ctx, tx, now, u.Subject(), 0, []string{authz.PlatformAdmin}); err != nil {
			return err
		}
		created = true
		return audit.Record(ctx, tx, now, audit.Entry{Action: "user.created", ObjectType: "user", ObjectID: u.Username,
			Changes: map[string]any{"roles": []string{authz.PlatformAdmin}}})
	})
	if err != nil {
		return "", false, err
	}
	return generated, created, nil
}

// passwordAlphabet leaves out characters that are easily confused (0/O, 1/l/I).
const passwordAlphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// RandomPassword returns a 20-character random password.
func RandomPassword() string {
	return randomFrom(passwordAlphabet, 20)
}

// randomFrom draws n characters uniformly from alphabet (rejection sampling,
// so no character is more likely than another).
func randomFrom(alphabet string, n int) string {
	limit := 256 - 256%len(alphabet)
	out := make([]byte, 0, n)
	buf := make([]byte, 1)
	for len(out) < n {
		_, _ = rand.Read(buf)
		if int(buf[0]) < limit {
			out = append(out, alphabet[int(buf[0])%len(alphabet)])
		}
	}
	return string(out)
}

// UserByUsername returns the user with the login name.
func (s *Service) UserByUsername(ctx context.Context, username string) (*User, error) {
	var u User
	if err := s.db.Bun.NewSelect().Model(&u).Where("username = ?", username).Scan(ctx); err != nil {
		return nil, db.NotFound(err, "user "+username)
	}
	return &u, nil
}
