package identity

import (
	"context"
	"database/sql"
	"errors"
	"net/mail"
	"regexp"
	"strconv"
	"strings"

	"github.com/uptrace/bun"

	"gongkai/internal/audit"
	"gongkai/internal/authz"
	"gongkai/internal/db"
	"gongkai/internal/fault"
)

// Member is a user with roles in a bureau.
type Member struct {
	User  User
	Roles []string
}

// Members lists the people with roles in the bureau.
func (s *Service) Members(ctx context.Context, tenantID int64) ([]Member, error) {
	if err := s.authz.Require(ctx, tenantID, "members", "read"); err != nil {
		return nil, err
	}
	ms, err := s.authz.MembersOf(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(ms))
	for i, m := range ms {
		if rest, ok := strings.CutPrefix(m.Subject, "user:"); ok {
			ids[i], _ = strconv.ParseInt(rest, 10, 64)
		}
	}
	users := map[int64]User{}
	if len(ids) > 0 { // one query for every member's account
		var rows []User
		if err := s.db.Bun.NewSelect().Model(&rows).Where("id IN (?)", bun.List(ids)).Scan(ctx); err != nil {
			return nil, db.Translate(err)
		}
		for _, u := range rows {
			users[u.ID] = u
		}
	}
	var out []Member
	for i, m := range ms {
		if u, ok := users[ids[i]]; ok && ids[i] != 0 {
			out = append(out, Member{User: u, Roles: m.Roles})
		}
	}
	return out, nil
}

// NewMember is what a bureau admin enters to add someone to the bureau.
type NewMember struct {
	Username    string
	DisplayName string
	Email       string
	// Password is the initial password of a new account; ignored when the
	// account exists already (the person keeps their password).
	Password string
	Roles    []string
}

var validUsername = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{2,39}$`)

// AddMember gives roles in the bureau to a person, creating their account if
// it does not exist. No role may rank above the adder's own.
func (s *Service) AddMember(ctx context.Context, tenantID int64, in NewMember) (*Member, error) {
	in.Username = strings.ToLower(strings.TrimSpace(in.Username))
	in.DisplayName = strings.TrimSpace(in.DisplayName)
	var problems []fault.FieldError
	if !validUsername.MatchString(in.Username) {
		problems = append(problems, fault.FieldError{Field: "username", Message: "must be 3–40 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter or digit"})
	}
	if len(in.Roles) == 0 {
		problems = append(problems, fault.FieldError{Field: "roles", Message: "choose at least one role"})
	}
	if in.Email != "" {
		if _, err := mail.ParseAddress(in.Email); err != nil {
			problems = append(problems, fault.FieldError{Field: "email", Message: "is not an e-mail address"})
		}
	}
	if err := fault.Fields(problems); err != nil {
		return nil, err
	}
	if err := s.authz.CheckGrant(ctx, tenantID, in.Roles); err != nil {
		return nil, err
	}
	var existing User
	err := s.db.Bun.NewSelect().Model(&existing).Where("username = ?", in.Username).Scan(ctx)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, db.Translate(err)
	}
	exists := err == nil
	var hash string
	if !exists {
		if in.DisplayName == "" {
			return nil, fault.Field("display_name", "is required for a new account")
		}
		if err := s.policy.Check(in.Username, in.Password); err != nil {
			return nil, err
		}
		if hash, err = HashPassword(in.Password); err != nil {
			return nil, fault.Wrap(err, fault.Internal, "hash password")
		}
	}
	now := s.now().UTC()
	u := existing
	err = s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		if !exists {
			u = User{Username: in.Username, DisplayName: in.DisplayName, Email: in.Email, PasswordHash: hash, Locale: "zh-CN", CreatedAt: now, UpdatedAt: now}
			if _, err := tx.NewInsert().Model(&u).Returning("id").Exec(ctx); err != nil {
				return err
			}
		}
		if err := authz.SetRolesTx(ctx, tx, now, u.Subject(), tenantID, in.Roles); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Entry{TenantID: tenantID, Action: "member.added", ObjectType: "user", ObjectID: u.Username,
			Changes: map[string]any{"roles": in.Roles, "new_account": !exists}})
	})
	if err != nil {
		return nil, err
	}
	return &Member{User: u, Roles: in.Roles}, nil
}

// SetRoles replaces a member's roles in the bureau; an empty list removes
// them from the bureau. It takes effect on the next request everywhere.
func (s *Service) SetRoles(ctx context.Context, tenantID int64, username string, roles []string) error {
	if err := s.authz.CheckGrant(ctx, tenantID, roles); err != nil {
		return err
	}
	var u User
	if err := s.db.Bun.NewSelect().Model(&u).Where("username = ?", strings.ToLower(username)).Scan(ctx); err != nil {
		return db.NotFound(err, "member "+username)
	}
	have, err := s.authz.RolesOf(ctx, authz.Actor{Subject: u.Subject()}, tenantID)
	if err != nil {
		return err
	}
	if len(have) == 0 {
		return fault.New(fault.NotFound, "member %s not found", username)
	}
	// Taking roles away from someone who outranks you is granting above your own.
	if err := s.authz.CheckGrant(ctx, tenantID, have); err != nil {
		return err
	}
	actor, _ := authz.ActorFrom(ctx)
	if actor.UserID == u.ID && len(roles) == 0 {
		return fault.New(fault.Conflict, "you cannot remove yourself from the bureau")
	}
	now := s.now().UTC()
	return s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		if err := authz.SetRolesTx(ctx, tx, now, u.Subject(), tenantID, roles); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Entry{TenantID: tenantID, Action: "member.roles_set", ObjectType: "user", ObjectID: u.Username,
			Changes: map[string]any{"from": have, "to": roles}})
	})
}
