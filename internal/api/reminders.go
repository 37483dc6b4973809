package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"gongkai/internal/reminder"
)

// ReminderSettings are a bureau's reminder thresholds in working days and
// who gets the reminders.
type ReminderSettings struct {
	DueDays          []int    `json:"due_days" maxItems:"10" doc:"Reminders of the reply deadline N working days before it (Art. 33: 20 working days); due today and overdue always fire" example:"[5,3,1]"`
	SupplementDays   int      `json:"supplement_days" minimum:"0" maximum:"7" doc:"Remind this many working days before the window to ask for a supplement closes (Art. 30: 7 working days); 0: off"`
	ConsultationDays int      `json:"consultation_days" minimum:"0" maximum:"15" doc:"Remind this many working days before a consultation answer is due (Art. 32, 34: 15 working days); 0: off"`
	FeeDays          int      `json:"fee_days" minimum:"0" maximum:"20" doc:"Remind this many working days before the fee payment period ends (国办函〔2020〕109号: 20 working days); 0: off"`
	OverdueDaily     bool     `json:"overdue_daily" doc:"Repeat the overdue reminder every working day"`
	EscalateOverdue  bool     `json:"escalate_overdue" doc:"Also tell the bureau admins when a request is overdue"`
	Recipients       string   `json:"recipients" required:"false" enum:"handler_else_officers,handler_and_officers" doc:"Who hears about a request: handler_else_officers (the assigned handler, else every information officer; the default) or handler_and_officers (the handler and every information officer). With neither, the bureau admins do."`
	CopyTo           []string `json:"copy_to" required:"false" maxItems:"20" doc:"User names of members of the bureau who get a copy of every reminder" example:"[\"wang.li\"]"`
	Custom           bool     `json:"custom" required:"false" readOnly:"true" doc:"The bureau set its own values (false: the defaults)"`
}

func reminderOut(st reminder.Settings) ReminderSettings {
	days := st.DueDays
	if days == nil {
		days = []int{}
	}
	copyTo := st.CopyTo
	if copyTo == nil {
		copyTo = []string{}
	}
	return ReminderSettings{DueDays: days, SupplementDays: st.SupplementDays, ConsultationDays: st.ConsultationDays, FeeDays: st.FeeDays,
		OverdueDaily: st.OverdueDaily, EscalateOverdue: st.EscalateOverdue, Recipients: st.Recipients, CopyTo: copyTo, Custom: st.Custom}
}

type reminderSettingsInput struct {
	Slug string `path:"slug" doc:"Slug of the bureau"`
	Body ReminderSettings
}

// registerReminderSettings registers GET and PUT
// /v1/bureaus/{slug}/reminder-settings.
func (s *Server) registerReminderSettings() {
	errs := []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound}
	register(s.API, huma.Operation{
		OperationID: "get-reminder-settings", Method: http.MethodGet, Path: "/v1/bureaus/{slug}/reminder-settings", Summary: "Reminder settings of a bureau",
		Description: "When the bureau's people are reminded of deadlines, and who is. By default reminders go to the request's handler, else the bureau's information officers, else its admins; each fires once.",
		Tags:        []string{"notifications"}, Security: security, Errors: errs,
	}, func(ctx context.Context, in *slugInput) (*struct{ Body ReminderSettings }, error) {
		st, err := s.bg.reminders.Settings(ctx, tenantFrom(ctx).ID)
		if err != nil {
			return nil, err
		}
		return &struct{ Body ReminderSettings }{Body: reminderOut(st)}, nil
	})
	register(s.API, huma.Operation{
		OperationID: "set-reminder-settings", Method: http.MethodPut, Path: "/v1/bureaus/{slug}/reminder-settings", Summary: "Set the reminder settings of a bureau",
		Description: "Replaces the bureau's reminder thresholds and recipients (recipients omitted: handler_else_officers; copy_to omitted: nobody). " +
			"A name in copy_to that is not a member of the bureau is refused (422, naming it). Reminders already sent are not sent again.",
		Tags: []string{"notifications"}, Security: security, Errors: append(errs, http.StatusUnprocessableEntity),
	}, func(ctx context.Context, in *reminderSettingsInput) (*struct{ Body ReminderSettings }, error) {
		b := in.Body
		st, err := s.bg.reminders.SetSettings(ctx, tenantFrom(ctx).ID, reminder.Settings{DueDays: b.DueDays, SupplementDays: b.SupplementDays,
			ConsultationDays: b.ConsultationDays, FeeDays: b.FeeDays, OverdueDaily: b.OverdueDaily, EscalateOverdue: b.EscalateOverdue,
			Recipients: b.Recipients, CopyTo: b.CopyTo})
		if err != nil {
			return nil, err
		}
		return &struct{ Body ReminderSettings }{Body: reminderOut(st)}, nil
	})
}
