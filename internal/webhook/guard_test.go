package webhook

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestGuardClassifies(t *testing.T) {
	t.Parallel()
	g := Guard{}
	for addr, reason := range map[string]string{
		"10.0.0.1": "private", "172.16.5.4": "private", "192.168.1.1": "private", "fd00::1": "private",
		"127.0.0.1": "loopback", "::1": "loopback", "::ffff:127.0.0.1": "loopback",
		"169.254.169.254": "link-local", "fe80::1": "link-local",
		"0.0.0.0": "unspecified", "::": "unspecified",
		"100.64.0.1": "reserved", "239.1.1.1": "multicast", "255.255.255.255": "reserved",
		"64:ff9b::a00:1": "reserved",
	} {
		err := g.Check(netip.MustParseAddr(addr))
		var be *BlockedError
		if !errors.As(err, &be) || be.Reason != reason {
			t.Errorf("%s: %v, want %s", addr, err, reason)
		}
	}
	for _, addr := range []string{"203.0.113.10", "8.8.8.8", "2606:4700::1111"} {
		if err := g.Check(netip.MustParseAddr(addr)); err != nil {
			t.Errorf("%s refused: %v", addr, err)
		}
	}
	allowed := Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}
	if err := allowed.Check(netip.MustParseAddr("127.0.0.1")); err != nil {
		t.Errorf("allow-listed 127.0.0.1 refused: %v", err)
	}
	if err := allowed.Check(netip.MustParseAddr("127.0.0.2")); err == nil {
		t.Error("127.0.0.2 is outside the allow-list but was accepted")
	}
	if _, err := ParseAllowList("10.20.0.0/16, 127.0.0.1,::1"); err != nil {
		t.Error(err)
	}
	if _, err := ParseAllowList("nonsense"); err == nil {
		t.Error("ParseAllowList accepted nonsense")
	}
}

// TestClientChecksAtDialTime: the address is checked when dialling, after
// resolution, so a name resolving to loopback is refused like the literal.
func TestClientChecksAtDialTime(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") }))
	defer srv.Close()
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	for _, u := range []string{srv.URL, "http://localhost:" + port + "/"} {
		_, err := Guard{}.Client(5 * time.Second).Get(u)
		var be *BlockedError
		if !errors.As(err, &be) || be.Reason != "loopback" {
			t.Errorf("GET %s without allow-list: %v, want a loopback refusal", u, err)
		}
	}
	ok := Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}}
	res, err := ok.Client(5 * time.Second).Get(srv.URL)
	if err != nil {
		t.Fatalf("allow-listed GET: %v", err)
	}
	res.Body.Close()
}

func testService(g Guard) *Service {
	return NewService(Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}, g, Options{Timeout: 10 * time.Second})
}

// TestPostLimitsAndRedirects: redirects are not followed, and an endless
// response is read up to the cap only (the attempt returns at once).
func TestPostLimitsAndRedirects(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/redirect":
			http.Redirect(w, r, "http://10.0.0.1/", http.StatusFound)
		case "/endless":
			chunk := []byte(strings.Repeat("x", 4096))
			for r.Context().Err() == nil {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}
	}))
	defer srv.Close()
	s := testService(Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	d := Delivery{ID: 1, EventID: "evt_x", EventType: "request.registered"}
	res := s.post(context.Background(), srv.URL+"/redirect", "whsec_x", d, []byte(`{}`))
	if res.ok() || !strings.Contains(res.errText(), "redirects are not followed") {
		t.Fatalf("redirect: %+v", res)
	}
	start := time.Now()
	res = s.post(context.Background(), srv.URL+"/endless", "whsec_x", d, []byte(`{}`))
	if !res.ok() || len(res.snippet) != 512 || time.Since(start) > 5*time.Second {
		t.Fatalf("endless response: ok=%v snippet=%d took %s", res.ok(), len(res.snippet), time.Since(start))
	}
}

func TestSignAndVerify(t *testing.T) {
	t.Parallel()
	now := time.Unix(1772409600, 0)
	body := []byte(`{"id":"evt_1","type":"request.registered"}`)
	h := Sign("whsec_abc", now, body)
	if !strings.HasPrefix(h, "t=1772409600,v1=") || len(h) != len("t=1772409600,v1=")+64 {
		t.Fatalf("signature %q", h)
	}
	if err := Verify("whsec_abc", h, body, now.Add(time.Minute), 5*time.Minute); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"other secret": Verify("whsec_abd", h, body, now, 5*time.Minute),
		"other body":   Verify("whsec_abc", h, []byte(`{}`), now, 5*time.Minute),
		"too old":      Verify("whsec_abc", h, body, now.Add(10*time.Minute), 5*time.Minute),
		"garbled":      Verify("whsec_abc", "v1=00", body, now, 5*time.Minute),
	} {
		if err == nil {
			t.Errorf("%s: verified", name)
		}
	}
}

func TestBackoffSpansADay(t *testing.T) {
	t.Parallel()
	s := testService(Guard{})
	var total time.Duration
	for attempt := 1; attempt < MaxAttempts; attempt++ {
		d := s.Backoff(attempt)
		if d <= 0 || d > 6*time.Hour {
			t.Fatalf("backoff after attempt %d = %s", attempt, d)
		}
		total += d
	}
	if total < 20*time.Hour || total > 28*time.Hour {
		t.Fatalf("retries span %s, want about 24h", total)
	}
}
