package api_test

import (
	"strings"
	"testing"

	"gongkai/internal/apptest"
	"gongkai/internal/dbtest"
)

// TestReminderRecipientsAPI: the reminder settings carry who is reminded;
// a name that is not a member of the bureau is refused, naming it.
func TestReminderRecipientsAPI(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			w := setup(t, dialect)
			bob := withJSON(sessionPrincipal("bob", w.bCookie, w.bCSRF).header)
			url := w.base + "/api/v1/bureaus/welfare-home/reminder-settings"
			res, body := apptest.Do(t, "GET", url, "", bob)
			if res.StatusCode != 200 || !strings.Contains(body, `"recipients":"handler_else_officers"`) || !strings.Contains(body, `"copy_to":[]`) {
				t.Fatalf("defaults = %d %s", res.StatusCode, body)
			}
			const rest = `"due_days":[5,3,1],"supplement_days":2,"consultation_days":3,"fee_days":3,"overdue_daily":true,"escalate_overdue":false`
			res, body = apptest.Do(t, "PUT", url, `{`+rest+`,"recipients":"handler_and_officers","copy_to":["bob","alice","ghost"]}`, bob)
			if res.StatusCode != 422 || !strings.Contains(body, "copy_to") || !strings.Contains(body, "alice, ghost: not a member of the bureau") {
				t.Fatalf("strangers = %d %s", res.StatusCode, body)
			}
			res, body = apptest.Do(t, "PUT", url, `{`+rest+`,"recipients":"everyone"}`, bob)
			if res.StatusCode != 422 || !strings.Contains(body, "recipients") {
				t.Fatalf("bad mode = %d %s", res.StatusCode, body)
			}
			res, body = apptest.Do(t, "PUT", url, `{`+rest+`,"recipients":"handler_and_officers","copy_to":["bob"]}`, bob)
			if res.StatusCode != 200 || !strings.Contains(body, `"recipients":"handler_and_officers"`) || !strings.Contains(body, `"copy_to":["bob"]`) {
				t.Fatalf("set = %d %s", res.StatusCode, body)
			}
			res, body = apptest.Do(t, "GET", url, "", bob)
			if res.StatusCode != 200 || !strings.Contains(body, `"copy_to":["bob"]`) || !strings.Contains(body, `"escalate_overdue":false`) || !strings.Contains(body, `"custom":true`) {
				t.Fatalf("read back = %d %s", res.StatusCode, body)
			}
			// Omitted recipients fall back to the default.
			res, body = apptest.Do(t, "PUT", url, `{`+rest+`}`, bob)
			if res.StatusCode != 200 || !strings.Contains(body, `"recipients":"handler_else_officers"`) || !strings.Contains(body, `"copy_to":[]`) {
				t.Fatalf("omitted = %d %s", res.StatusCode, body)
			}
		})
	}
}
