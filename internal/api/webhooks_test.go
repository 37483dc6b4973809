package api_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"gongkai/internal/apptest"
	"gongkai/internal/db"
)

func TestWebhooksAPI(t *testing.T) {
	t.Parallel()
	w := setup(t, db.SQLite)
	bob := withJSON(tokenPrincipal("bob token", w.bToken).header)
	url := w.base + "/api/v1/bureaus/welfare-home/webhooks"

	// Private, loopback, link-local and non-http targets are refused at
	// creation with the reason.
	for target, want := range map[string]string{
		"http://10.0.0.1/hook":                     "10.0.0.1 is a private address",
		"http://192.168.1.1/hook":                  "192.168.1.1 is a private address",
		"http://127.0.0.1:8080/hook":               "127.0.0.1 is a loopback address",
		"http://169.254.169.254/latest/meta-data/": "169.254.169.254 is a link-local address",
		"http://[::1]/hook":                        "::1 is a loopback address",
		"http://0.0.0.0/hook":                      "0.0.0.0 is a unspecified address",
		"http://localhost:9/hook":                  "localhost resolves to",
		"ftp://203.0.113.10/hook":                  "must use http or https",
		"https://user:pw@203.0.113.10/hook":        "must not carry a user name",
	} {
		res, body := apptest.Do(t, "POST", url, `{"url":"`+target+`","events":["request.registered"]}`, bob)
		if res.StatusCode != 422 || !strings.Contains(body, want) || !strings.Contains(body, "body.url") {
			t.Errorf("create %s = %d %s, want 422 with %q", target, res.StatusCode, body, want)
		}
	}
	res, body := apptest.Do(t, "POST", url, `{"url":"https://203.0.113.10/hooks/gongkai","events":["request.registered","request.overdue"],"description":"热线系统"}`, bob)
	if res.StatusCode != 201 || !strings.Contains(body, `"secret":"whsec_`) {
		t.Fatalf("create = %d %s", res.StatusCode, body)
	}
	var created struct {
		Webhook struct {
			ID int64 `json:"id"`
		} `json:"webhook"`
	}
	if err := json.Unmarshal([]byte(body), &created); err != nil {
		t.Fatal(err)
	}
	res, body = apptest.Do(t, "GET", url, "", bob)
	if res.StatusCode != 200 || strings.Contains(body, "whsec_") || !strings.Contains(body, `"events":["request.registered","request.overdue"]`) || !strings.Contains(body, `"active":true`) {
		t.Fatalf("list = %d %s (the secret must not be listed)", res.StatusCode, body)
	}
	one := fmt.Sprintf("%s/%d", url, created.Webhook.ID)
	res, body = apptest.Do(t, "PATCH", one, `{"events":["request.replied"],"active":false}`, bob)
	if res.StatusCode != 200 || !strings.Contains(body, `"events":["request.replied"]`) || !strings.Contains(body, `"active":false`) {
		t.Fatalf("patch = %d %s", res.StatusCode, body)
	}
	res, body = apptest.Do(t, "PATCH", one, `{"url":"http://10.1.2.3/"}`, bob)
	if res.StatusCode != 422 || !strings.Contains(body, "private") {
		t.Fatalf("patch to a private address = %d %s", res.StatusCode, body)
	}
	res, body = apptest.Do(t, "GET", one+"/deliveries", "", bob)
	if res.StatusCode != 200 || body != "[]\n" && body != "[]" {
		t.Fatalf("deliveries = %d %q", res.StatusCode, body)
	}
	res, body = apptest.Do(t, "POST", one+"/deliveries/999/redeliver", "", bob)
	if res.StatusCode != 409 || !strings.Contains(body, "disabled") {
		t.Fatalf("redeliver on a paused endpoint = %d %s", res.StatusCode, body)
	}
	if res, body := apptest.Do(t, "DELETE", one, "", bob); res.StatusCode != 204 {
		t.Fatalf("delete = %d %s", res.StatusCode, body)
	}
	if res, body := apptest.Do(t, "GET", url, "", bob); res.StatusCode != 200 || body != "[]\n" && body != "[]" {
		t.Fatalf("list after delete = %d %s", res.StatusCode, body)
	}
	// The operations document the signature.
	_, spec := apptest.Get(t, w.base+"/api/openapi.json")
	if !strings.Contains(spec, "X-Gongkai-Signature") {
		t.Fatal("the OpenAPI document does not describe X-Gongkai-Signature")
	}
}
