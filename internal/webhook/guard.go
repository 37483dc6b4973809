package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

	"gongkai/internal/fault"
)

// Guard decides which addresses webhook deliveries may reach: public
// unicast addresses only, unless an address is in the allow-list from
// configuration (webhook-allow-nets). It is applied to the URL when an
// endpoint is created and to every address actually dialled, after DNS
// resolution, so a name that resolves (or re-resolves: DNS rebinding) to an
// internal address is refused too.
type Guard struct {
	// Allow lists networks that may be reached even though they are not
	// public (e.g. 127.0.0.1/32 for a test receiver, or an internal
	// integration network the platform admin trusts).
	Allow []netip.Prefix
}

// blocked are the special-purpose networks refused besides what netip
// classifies (loopback, private, link-local, multicast, unspecified).
var blocked = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),      // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),  // carrier-grade NAT (RFC 6598)
	netip.MustParsePrefix("192.0.0.0/24"),   // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),  // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),    // reserved, and broadcast
	netip.MustParsePrefix("64:ff9b:1::/48"), // local-use NAT64
	netip.MustParsePrefix("100::/64"),       // discard-only
	netip.MustParsePrefix("fec0::/10"),      // deprecated site-local
	netip.MustParsePrefix("::ffff:0:0/96"),  // IPv4-mapped (checked unmapped)
	netip.MustParsePrefix("2002::/16"),      // 6to4 can embed private IPv4
	netip.MustParsePrefix("64:ff9b::/96"),   // NAT64 can embed private IPv4
	netip.MustParsePrefix("2001::/32"),      // Teredo
	netip.MustParsePrefix("fc00::/7"),       // unique local (IsPrivate too)
	netip.MustParsePrefix("255.255.255.255/32"),
}

// BlockedError says that an address is not a permitted webhook target.
type BlockedError struct {
	Addr   netip.Addr
	Reason string
}

// Error names the address and why it is refused.
func (e *BlockedError) Error() string {
	return fmt.Sprintf("%s is a %s address; webhook targets must be public addresses (a platform admin may allow a network with webhook-allow-nets)", e.Addr, e.Reason)
}

// Check returns nil when ip may be reached, else a *BlockedError.
func (g Guard) Check(ip netip.Addr) error {
	ip = ip.Unmap()
	for _, p := range g.Allow {
		if p.Contains(ip) {
			return nil
		}
	}
	reason := ""
	switch {
	case !ip.IsValid():
		reason = "invalid"
	case ip.IsUnspecified():
		reason = "unspecified"
	case ip.IsLoopback():
		reason = "loopback"
	case ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast():
		reason = "link-local"
	case ip.IsPrivate():
		reason = "private"
	case ip.IsMulticast(), ip.IsInterfaceLocalMulticast():
		reason = "multicast"
	default:
		for _, p := range blocked {
			if p.Contains(ip) {
				reason = "reserved"
				break
			}
		}
	}
	if reason != "" {
		return &BlockedError{Addr: ip, Reason: reason}
	}
	return nil
}

// control is the net.Dialer Control function: it runs for every address
// the dialer connects to, after resolution.
func (g Guard) control(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("dial %s: not an IP address", address)
	}
	return g.Check(ip)
}

// errRedirect is returned for any redirect: a webhook is delivered to the
// registered URL only.
var errRedirect = errors.New("the receiver answered with a redirect; redirects are not followed (register the final URL)")

// Client returns the HTTP client for deliveries: no proxy (a proxy would
// hide the target address), every dialled address checked, no redirects,
// and time-outs on every phase.
func (g Guard) Client(timeout time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second, Control: g.control}
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: timeout,
		ExpectContinueTimeout: time.Second,
		MaxIdleConns:          20,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       60 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{Transport: tr, Timeout: timeout, CheckRedirect: func(*http.Request, []*http.Request) error { return errRedirect }}
}

// CheckURL validates an endpoint URL: http or https, a host, no user
// information, and — when the host is an IP address or resolves now — only
// permitted addresses (every address of the name). A name that does not
// resolve now is accepted; each delivery checks again at dial time.
func (g Guard) CheckURL(ctx context.Context, raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || u.Opaque != "" {
		return nil, fault.Field("url", "is not an absolute URL such as https://example.org/gongkai-hook")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fault.Field("url", "must use http or https, not %q", u.Scheme)
	}
	if u.User != nil {
		return nil, fault.Field("url", "must not carry a user name or password; the signature authenticates deliveries")
	}
	if u.Fragment != "" {
		return nil, fault.Field("url", "must not have a fragment (#...)")
	}
	if len(u.String()) > 2000 {
		return nil, fault.Field("url", "must be at most 2000 characters")
	}
	host := u.Hostname()
	if ip, err := netip.ParseAddr(host); err == nil {
		if err := g.Check(ip); err != nil {
			return nil, fault.Field("url", "is refused: %v", err)
		}
		return u, nil
	}
	lctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	ips, err := net.DefaultResolver.LookupNetIP(lctx, "ip", host)
	if err != nil {
		return u, nil // checked again when delivering
	}
	for _, ip := range ips {
		if err := g.Check(ip); err != nil {
			return nil, fault.Field("url", "is refused: %s resolves to %v", host, err)
		}
	}
	return u, nil
}

// ParseAllowList parses a comma-separated list of networks (CIDR) or single
// addresses, as in the webhook-allow-nets setting.
func ParseAllowList(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		ip, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("%q is neither a network (10.1.0.0/16) nor an address", f)
		}
		out = append(out, netip.PrefixFrom(ip, ip.BitLen()))
	}
	return out, nil
}
