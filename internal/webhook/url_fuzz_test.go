package webhook

import (
	"context"
	"net/netip"
	"testing"
)

// FuzzCheckURL: an accepted endpoint is always an absolute http(s) URL
// without user information, and an IP literal host is never a loopback,
// private or link-local address (no name is resolved here: the context is
// already cancelled, as when the resolver fails).
func FuzzCheckURL(f *testing.F) {
	for _, s := range []string{"https://example.org/hook", "http://127.0.0.1:8080/x", "http://[::1]/", "http://169.254.169.254/latest", "ftp://example.org",
		"https://user:pw@example.org/", "http://10.0.0.1/", "http://0x7f000001/", "https://example.org/#frag", "//example.org", "http://[fe80::1%25eth0]/"} {
		f.Add(s)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	g := Guard{}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := g.CheckURL(ctx, raw)
		if err != nil {
			return
		}
		if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" || u.User != nil {
			t.Fatalf("%q accepted as %#v", raw, u)
		}
		if ip, err := netip.ParseAddr(u.Hostname()); err == nil {
			ip = ip.Unmap()
			if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsUnspecified() {
				t.Fatalf("%q: address %s accepted", raw, ip)
			}
		}
	})
}
