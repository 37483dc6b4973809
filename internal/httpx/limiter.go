package httpx

import (
	"sync"
	"time"
)

// Limiter allows at most n events per key within a window: the rate limit of
// public submissions per client address. It is per process; behind several
// instances each enforces it separately.
type Limiter struct {
	mu     sync.Mutex
	n      int
	window time.Duration
	seen   map[string][]time.Time
}

// NewLimiter returns a limiter of n events per window.
func NewLimiter(n int, window time.Duration) *Limiter {
	return &Limiter{n: n, window: window, seen: map[string][]time.Time{}}
}

// Allow records an event for key at now and reports whether it is within the limit.
func (l *Limiter) Allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	cut := now.Add(-l.window)
	kept := l.seen[key][:0]
	for _, t := range l.seen[key] {
		if t.After(cut) {
			kept = append(kept, t)
		}
	}
	if len(kept) >= l.n {
		l.seen[key] = kept
		return false
	}
	l.seen[key] = append(kept, now)
	if len(l.seen) > 10000 { // forget idle keys so memory stays bounded
		for k, ts := range l.seen {
			if len(ts) == 0 || ts[len(ts)-1].Before(cut) {
				delete(l.seen, k)
			}
		}
	}
	return true
}
