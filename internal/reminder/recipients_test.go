package reminder_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"gongkai/internal/audit"
	"gongkai/internal/authz"
	"gongkai/internal/dbtest"
	"gongkai/internal/fault"
	"gongkai/internal/identity"
	"gongkai/internal/reminder"
)

// TestRecipients: a bureau's choice of recipients. With "handler and
// officers" and a copy to a viewer, hank (the handler), olive (another
// officer) and cora (the copy) each get the reminder exactly once, in the
// inbox and by mail; back on the default, only hank does. A name that is
// not a member of the bureau is refused, naming it.
func TestRecipients(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			e := setup(t, dialect)
			cora, err := e.app.Identity.AddMember(e.sys, e.tenant, identity.NewMember{Username: "cora", DisplayName: "cora", Email: "cora@example.org",
				Password: "Correct-Horse-9-Battery", Roles: []string{authz.Viewer}})
			if err != nil {
				t.Fatal(err)
			}
			e.users["cora"] = cora.User.ID
			other, err := e.app.Tenants.BySlug(e.sys, "welfare-home")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.app.Identity.AddMember(e.sys, other.ID, identity.NewMember{Username: "bob", DisplayName: "bob", Password: "Correct-Horse-9-Battery",
				Roles: []string{authz.BureauAdmin}}); err != nil {
				t.Fatal(err)
			}
			adaCtx := authz.WithActor(context.Background(), authz.Actor{Subject: authz.UserSubject(e.users["ada"]), UserID: e.users["ada"], TenantID: e.tenant})

			// Unknown names and members of another bureau are refused.
			base := reminder.DefaultSettings()
			bad := base
			bad.Recipients, bad.CopyTo = reminder.RecipientsHandlerAndOfficers, []string{"cora", "nobody", "bob"}
			_, err = e.app.Reminders.SetSettings(adaCtx, e.tenant, bad)
			fields := fault.FieldsOf(err)
			if len(fields) != 1 || fields[0].Field != "copy_to" || !strings.Contains(fields[0].Message, "nobody") || !strings.Contains(fields[0].Message, "bob") ||
				strings.Contains(fields[0].Message, "cora") {
				t.Fatalf("unknown names: %v", err)
			}
			bad.CopyTo, bad.Recipients = nil, "everyone"
			if _, err := e.app.Reminders.SetSettings(adaCtx, e.tenant, bad); len(fault.FieldsOf(err)) != 1 || fault.FieldsOf(err)[0].Field != "recipients" {
				t.Fatalf("unknown mode: %v", err)
			}

			set := base
			set.Recipients, set.CopyTo = reminder.RecipientsHandlerAndOfficers, []string{" Cora ", "cora"}
			got, err := e.app.Reminders.SetSettings(adaCtx, e.tenant, set)
			if err != nil {
				t.Fatal(err)
			}
			if got.Recipients != reminder.RecipientsHandlerAndOfficers || !slices.Equal(got.CopyTo, []string{"cora"}) {
				t.Fatalf("stored %+v", got)
			}
			if st, err := e.app.Reminders.Settings(adaCtx, e.tenant); err != nil || !slices.Equal(st.CopyTo, []string{"cora"}) || !st.Custom {
				t.Fatalf("read back %+v %v", st, err)
			}

			cal, err := e.app.Calendar.Calendar(e.sys)
			if err != nil {
				t.Fatal(err)
			}
			due := e.request.DueOn
			code := e.request.TrackingCode
			in5 := "申请 " + code + " 还有 5 个工作日到期"
			e.clk.setDay(workingDayBefore(t, cal, due, 5))
			e.run(t) // twice: the second run fires nothing
			for _, who := range []string{"hank", "olive", "cora"} {
				if got := e.titles(t, who); !slices.Equal(got, []string{in5}) {
					t.Fatalf("%s's inbox %q, want the reminder once", who, got)
				}
				mails := e.smtp.WaitTo(who+"@example.org", 1, 15*time.Second)
				if len(mails) != 1 || mails[0].Subject != "【政府信息公开】"+in5 {
					t.Fatalf("%s's mail: %+v", who, mails)
				}
			}
			if got := e.titles(t, "ada"); len(got) != 0 {
				t.Fatalf("ada (admin, not escalated) got %q", got)
			}

			// Back to the default: the handler only; cora no longer copied.
			if _, err := e.app.Reminders.SetSettings(adaCtx, e.tenant, base); err != nil {
				t.Fatal(err)
			}
			in3 := "申请 " + code + " 还有 3 个工作日到期"
			e.clk.setDay(workingDayBefore(t, cal, due, 3))
			e.run(t)
			if got := e.titles(t, "hank"); !slices.Equal(got, []string{in5, in3}) {
				t.Fatalf("hank's inbox %q", got)
			}
			for _, who := range []string{"olive", "cora"} {
				if got := e.titles(t, who); !slices.Equal(got, []string{in5}) {
					t.Fatalf("%s's inbox %q: the default mode reaches the handler only", who, got)
				}
			}
			time.Sleep(200 * time.Millisecond) // a stray mail would have arrived by now
			if n := len(e.smtp.To("cora@example.org")); n != 1 {
				t.Fatalf("cora received %d mails, want 1", n)
			}

			// The changes are in the audit trail.
			evs, err := e.app.Audit.List(e.sys, audit.Filter{TenantID: e.tenant, Action: "reminders.settings_set"})
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) != 2 || !strings.Contains(evs[1].Summary, `"copy_to":["cora"]`) || !strings.Contains(evs[1].Summary, `"recipients":"handler_and_officers"`) {
				t.Fatalf("audit %+v", evs)
			}
		})
	}
}
