package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"gongkai/internal/apptest"
	"gongkai/internal/audit"
	"gongkai/internal/dbtest"
)

type reqView struct {
	Request struct {
		ID           int64  `json:"id"`
		TrackingCode string `json:"tracking_code"`
		State        string `json:"state"`
		DueOn        string `json:"due_on"`
		Outcome      string `json:"outcome"`
		IDNumber     string `json:"id_number"`
	} `json:"request"`
	Deadline struct {
		DueOn       string   `json:"due_on"`
		Explanation []string `json:"explanation"`
	} `json:"deadline"`
	Allowed []string `json:"allowed_actions"`
}

func TestRequestLifecycleThroughTheAPI(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			w := setup(t, dialect)
			h := withJSON(tokenPrincipal("A", w.aToken).header)
			base := w.base + "/api/v1/bureaus/civil-affairs/requests"
			get := func(id int64) reqView {
				t.Helper()
				res, body := apptest.Do(t, "GET", fmt.Sprintf("%s/%d", base, id), "", h)
				if res.StatusCode != 200 {
					t.Fatalf("get request: %d %s", res.StatusCode, body)
				}
				var v reqView
				if err := json.Unmarshal([]byte(body), &v); err != nil {
					t.Fatal(err)
				}
				return v
			}
			act := func(id int64, body string, want int) string {
				t.Helper()
				res, out := apptest.Do(t, "POST", fmt.Sprintf("%s/%d/actions", base, id), body, h)
				if res.StatusCode != want {
					t.Fatalf("action %s: %d, want %d: %s", body, res.StatusCode, want, out)
				}
				return out
			}

			// The worked example: received Fri 2026-02-13, due Thu 2026-03-19.
			v := get(w.aRequestID)
			if v.Request.State != "open" || v.Request.DueOn != "2026-03-19" || v.Request.IDNumber != "110***********1234" {
				t.Fatalf("registered: %+v", v.Request)
			}
			if !strings.Contains(strings.Join(v.Deadline.Explanation, "\n"), "2026-03-19") {
				t.Fatalf("explanation does not reach the due date: %v", v.Deadline.Explanation)
			}

			// Idempotent registration.
			hk := h.Clone()
			hk.Set("Idempotency-Key", "portal-42")
			res1, b1 := apptest.Do(t, "POST", base, requestBody, hk)
			res2, b2 := apptest.Do(t, "POST", base, requestBody, hk)
			var r1, r2 struct {
				ID   int64  `json:"id"`
				Code string `json:"tracking_code"`
			}
			_ = json.Unmarshal([]byte(b1), &r1)
			_ = json.Unmarshal([]byte(b2), &r2)
			if res1.StatusCode != 201 || res2.StatusCode != 201 || r1.ID == 0 || r1 != r2 {
				t.Fatalf("idempotent register: %d %s / %d %s", res1.StatusCode, b1, res2.StatusCode, b2)
			}

			// Supplement requested within 7 working days (by 2026-03-02): the
			// clock stops; an extension now is refused naming the state and
			// the allowed actions.
			act(w.aRequestID, `{"kind":"supplement_requested","on":"2026-02-26","reason":"请明确所需信息的年份"}`, 200)
			out := act(w.aRequestID, `{"kind":"extended","on":"2026-02-27","days":10,"reason":"x"}`, 409)
			if !strings.Contains(out, "supplement_received") {
				t.Fatalf("409 does not name the allowed actions: %s", out)
			}
			// Supplement received Mon 2026-03-02: 20 days restart -> 2026-03-30.
			act(w.aRequestID, `{"kind":"supplement_received","on":"2026-03-02"}`, 200)
			if v = get(w.aRequestID); v.Request.DueOn != "2026-03-30" {
				t.Fatalf("after supplement due %s, want 2026-03-30", v.Request.DueOn)
			}
			// Consultation 2026-03-03 .. 2026-03-06 pauses 3 working days -> 2026-04-02.
			act(w.aRequestID, `{"kind":"consultation_started","on":"2026-03-03","reason":"征求第三方意见"}`, 200)
			act(w.aRequestID, `{"kind":"consultation_ended","on":"2026-03-06"}`, 200)
			if v = get(w.aRequestID); v.Request.DueOn != "2026-04-02" {
				t.Fatalf("after consultation due %s, want 2026-04-02", v.Request.DueOn)
			}
			// Extension of 5 working days, once: Fri 3 Apr, then (Qingming, 4–6 Apr
			// rest) 7, 8, 9, 10 Apr -> 2026-04-10.
			act(w.aRequestID, `{"kind":"extended","on":"2026-03-20","days":5,"reason":"需要跨部门检索"}`, 200)
			if v = get(w.aRequestID); v.Request.DueOn != "2026-04-10" {
				t.Fatalf("after extension due %s, want 2026-04-10", v.Request.DueOn)
			}
			act(w.aRequestID, `{"kind":"extended","on":"2026-03-21","days":5,"reason":"again"}`, 422)

			// A refusal needs its legal basis.
			res, body := apptest.Do(t, "POST", fmt.Sprintf("%s/%d/reply", base, w.aRequestID), `{"on":"2026-04-01","outcome":"refused_third_party"}`, h)
			if res.StatusCode != 422 || !strings.Contains(body, "basis") {
				t.Fatalf("refusal without basis: %d %s", res.StatusCode, body)
			}
			res, body = apptest.Do(t, "POST", fmt.Sprintf("%s/%d/reply", base, w.aRequestID), `{"on":"2026-04-01","outcome":"partially_granted","basis":"第三十七条","withheld":"第三方个人信息已删除","text":"部分公开"}`, h)
			if res.StatusCode != 200 || !strings.Contains(body, `"state":"replied"`) || !strings.Contains(body, `"outcome":"partially_granted"`) {
				t.Fatalf("reply: %d %s", res.StatusCode, body)
			}

			// The applicant tracks it by code, without an account.
			res, body = apptest.Get(t, w.base+"/api/v1/tracking/"+w.aTracking)
			if res.StatusCode != 200 || !strings.Contains(body, `"state":"replied"`) || !strings.Contains(body, "部分公开") || strings.Contains(body, "张三") {
				t.Fatalf("tracking: %d %s", res.StatusCode, body)
			}
		})
	}
}

func TestCalendarChangeRecomputesRunningDeadlines(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			w := setup(t, dialect)
			cookie, sess, err := w.app.Identity.Login(context.Background(), "admin", apptest.AdminPassword, "127.0.0.1", "test")
			if err != nil {
				t.Fatal(err)
			}
			admin := withJSON(sessionPrincipal("admin", cookie, sess.CSRFToken).header)
			// A local rest day on Wed 2026-03-18 moves the due date of the
			// worked example from 2026-03-19 to 2026-03-20.
			res, body := apptest.Do(t, "PUT", w.base+"/api/v1/calendar/days/2026-03-18", `{"working":false,"reason":"本市地方性假日（测试）"}`, admin)
			if res.StatusCode != 200 {
				t.Fatalf("set day: %d %s", res.StatusCode, body)
			}
			deadline := time.Now().Add(15 * time.Second)
			for {
				_, body := apptest.Do(t, "GET", fmt.Sprintf("%s/api/v1/bureaus/civil-affairs/requests/%d", w.base, w.aRequestID), "", tokenPrincipal("A", w.aToken).header)
				if strings.Contains(body, `"due_on":"2026-03-20"`) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("due date not recomputed: %s", body)
				}
				time.Sleep(100 * time.Millisecond)
			}
			// Only the platform admin sets days.
			res, _ = apptest.Do(t, "PUT", w.base+"/api/v1/calendar/days/2026-03-17", `{"working":false,"reason":"x"}`, withJSON(tokenPrincipal("A", w.aToken).header))
			if res.StatusCode != http.StatusForbidden {
				t.Fatalf("bureau token setting a day: %d", res.StatusCode)
			}
		})
	}
}

func TestIdentityNumberIsSealedAndRevealedOnlyToTheHandler(t *testing.T) {
	t.Parallel()
	w := setup(t, dbtest.Dialects[0])
	// Stored sealed: the raw column does not hold the number.
	var raw string
	if err := w.app.DB.SQL.QueryRow("SELECT id_number FROM requests WHERE id = ?", w.aRequestID).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(raw, "v1:") || strings.Contains(raw, "1234") {
		t.Fatalf("stored id number %q", raw)
	}
	url := fmt.Sprintf("%s/api/v1/bureaus/civil-affairs/requests/%d/reveal-id-number", w.base, w.aRequestID)
	// The info-officer token is not the handler.
	if res, body := apptest.Do(t, "POST", url, "", tokenPrincipal("A", w.aToken).header); res.StatusCode != 403 {
		t.Fatalf("token reveal: %d %s", res.StatusCode, body)
	}
	cookie, sess, err := w.app.Identity.Login(context.Background(), "alice", pw, "127.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	res, body := apptest.Do(t, "POST", url, "", sessionPrincipal("alice", cookie, sess.CSRFToken).header)
	if res.StatusCode != 200 || !strings.Contains(body, "110101199001011234") {
		t.Fatalf("bureau admin reveal: %d %s", res.StatusCode, body)
	}
	evs, err := w.app.Audit.List(w.systemCtx, audit.Filter{TenantID: w.a, Action: "request.id_revealed"})
	if err != nil || len(evs) != 1 || evs[0].ActorName != "alice" {
		t.Fatalf("audit of the reveal: %+v %v", evs, err)
	}
}

func TestRefusedAuthorizationIsAudited(t *testing.T) {
	t.Parallel()
	w := setup(t, dbtest.Dialects[0])
	// The info-officer token may not manage members.
	res, _ := apptest.Do(t, "POST", w.base+"/api/v1/bureaus/civil-affairs/members", `{"username":"eve","display_name":"E","password":"`+pw+`","roles":["viewer"]}`,
		withJSON(tokenPrincipal("A", w.aToken).header))
	if res.StatusCode != 403 {
		t.Fatalf("status %d", res.StatusCode)
	}
	evs, err := w.app.Audit.List(w.systemCtx, audit.Filter{TenantID: w.a, Action: "authz.denied"})
	if err != nil || len(evs) == 0 || evs[0].ObjectType != "members" || !strings.Contains(evs[0].ActorName, "city portal") {
		t.Fatalf("denied events: %+v %v", evs, err)
	}
}

func TestReplyBecomesCatalogDraft(t *testing.T) {
	t.Parallel()
	w := setup(t, dbtest.Dialects[0])
	h := withJSON(tokenPrincipal("A", w.aToken).header)
	url := fmt.Sprintf("%s/api/v1/bureaus/civil-affairs/requests/%d", w.base, w.aRequestID)
	if res, body := apptest.Do(t, "POST", url+"/catalog-item", `{"category":"functions"}`, h); res.StatusCode != 409 {
		t.Fatalf("before the reply: %d %s", res.StatusCode, body)
	}
	if res, body := apptest.Do(t, "POST", url+"/reply", `{"on":"2026-03-02","outcome":"granted","text":"2025年养老服务补贴共发放1.2亿元，明细见附表。"}`, h); res.StatusCode != 200 {
		t.Fatalf("reply: %d %s", res.StatusCode, body)
	}
	res, body := apptest.Do(t, "POST", url+"/catalog-item", `{"category":"functions"}`, h)
	if res.StatusCode != 201 || !strings.Contains(body, `"state":"draft"`) || !strings.Contains(body, "2025年养老服务补贴发放情况") {
		t.Fatalf("proposal: %d %s", res.StatusCode, body)
	}
}

// TestFeeQuoteAndApplicantDataThroughTheAPI: the fee quote gives the
// reckoning and a clear 422 for a bad basis; the applicant's data export is
// for bureau admins only, finds the request by the identity number and is
// audited.
func TestFeeQuoteAndApplicantDataThroughTheAPI(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			w := setup(t, dialect)
			officer := withJSON(tokenPrincipal("A", w.aToken).header)
			url := fmt.Sprintf("%s/api/v1/bureaus/civil-affairs/requests/%d/fee-quote", w.base, w.aRequestID)
			res, body := apptest.Do(t, "GET", url+"?basis=pages&units=120", "", officer)
			var q struct {
				Basis      string `json:"basis"`
				AmountYuan int    `json:"amount_yuan"`
				Lines      []struct {
					From, To, Yuan, Subtotal int
				} `json:"lines"`
			}
			if res.StatusCode != 200 || json.Unmarshal([]byte(body), &q) != nil || q.AmountYuan != 70*10+20*20 || len(q.Lines) != 3 || q.Lines[2].From != 101 {
				t.Fatalf("quote by pages: %d %s", res.StatusCode, body)
			}
			if res, body := apptest.Do(t, "GET", url+"?basis=weight", "", officer); res.StatusCode != 422 || !strings.Contains(body, "basis") {
				t.Fatalf("bad basis: %d %s", res.StatusCode, body)
			}
			export := w.base + "/api/v1/bureaus/civil-affairs/applicant-data"
			ask := `{"id_doc_type":"居民身份证","id_number":"110101199001011234"}`
			if res, body := apptest.Do(t, "POST", export, ask, officer); res.StatusCode != 403 {
				t.Fatalf("info officer export: %d %s", res.StatusCode, body)
			}
			cookie, sess, err := w.app.Identity.Login(context.Background(), "alice", pw, "127.0.0.1", "test")
			if err != nil {
				t.Fatal(err)
			}
			admin := withJSON(sessionPrincipal("alice", cookie, sess.CSRFToken).header)
			res, body = apptest.Do(t, "POST", export, ask, admin)
			if res.StatusCode != 200 || !strings.Contains(body, w.aTracking) || !strings.Contains(body, `"id_number":"110101199001011234"`) {
				t.Fatalf("admin export: %d %s", res.StatusCode, body)
			}
			if res, body := apptest.Do(t, "POST", export, `{"id_doc_type":"居民身份证","id_number":""}`, admin); res.StatusCode != 422 || !strings.Contains(body, "id_number") {
				t.Fatalf("empty number: %d %s", res.StatusCode, body)
			}
			evs, err := w.app.Audit.List(w.systemCtx, audit.Filter{TenantID: w.a, Action: "request.applicant_exported"})
			if err != nil || len(evs) != 1 || evs[0].ActorName != "alice" {
				t.Fatalf("audit of the export: %+v %v", evs, err)
			}
		})
	}
}
