// Package browsertest drives Debian's Chromium with chromedp for tests of
// the console and the portal. Without Chromium the tests skip, unless
// GONGKAI_TEST_REQUIRE_CHROMIUM=1 (CI), which makes its absence a failure.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// stepTimeout bounds one step of a test, so a page that never loads fails
// the test with what it was doing instead of hanging it.
const stepTimeout = 30 * time.Second

// ExecPath finds the Chromium binary: $GONGKAI_CHROMIUM, /usr/bin/chromium
// (Debian's package), or chromium on the PATH; "" when there is none.
func ExecPath() string {
	for _, p := range []string{os.Getenv("GONGKAI_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p != "" {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	return ""
}

// New starts a headless Chromium with a fresh profile and returns a browser
// context that the test's cleanup closes. Each call is one browser, so
// parallel tests do not share cookies.
func New(t testing.TB) context.Context {
	t.Helper()
	path := ExecPath()
	if path == "" {
		if os.Getenv("GONGKAI_TEST_REQUIRE_CHROMIUM") == "1" {
			t.Fatal("Chromium is required (GONGKAI_TEST_REQUIRE_CHROMIUM=1) but not installed: apt-get install -y chromium")
		}
		t.Skip("Chromium not installed (apt-get install -y chromium); GONGKAI_TEST_REQUIRE_CHROMIUM=1 makes this a failure")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
	})
	// The first run starts the browser; it lives as long as ctx (no
	// timeout on this one, see chromedp.Run).
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

// Step runs actions with a time limit, failing the test with what was being
// done when one fails.
func Step(t testing.TB, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// Open navigates to url and returns the HTTP status of the page.
func Open(t testing.TB, ctx context.Context, url string) int {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	res, err := chromedp.Run(sctx, chromedp.NavigateResponse(url))
	if err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	return int(res.Status)
}

// Submit clicks sel (a submit button or a link) and waits for the page it
// leads to; it returns that page's HTTP status.
func Submit(t testing.TB, ctx context.Context, what string, sel string) int {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	res, err := chromedp.RunResponse(sctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return int(res.Status)
}

// Text returns the visible text of the first element matching sel.
func Text(t testing.TB, ctx context.Context, sel string) string {
	t.Helper()
	return Get(t, ctx, "text of "+sel, chromedp.Text(chromedp.CSS(sel)))
}

// Value returns the value of the form control matching sel.
func Value(t testing.TB, ctx context.Context, sel string) string {
	t.Helper()
	return Get(t, ctx, "value of "+sel, chromedp.Value(chromedp.CSS(sel)))
}

// Location returns the URL of the current page.
func Location(t testing.TB, ctx context.Context) string {
	t.Helper()
	return Get(t, ctx, "location", chromedp.Location())
}

// Eval evaluates a JavaScript expression in the page.
func Eval[T any](t testing.TB, ctx context.Context, expr string) T {
	t.Helper()
	return Get(t, ctx, "evaluate "+expr, chromedp.Evaluate[T](expr))
}

// Get runs one action that returns a value, with a time limit.
func Get[T any](t testing.TB, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(sctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// Screenshot writes a PNG of the whole current page to path.
func Screenshot(t testing.TB, ctx context.Context, path string) {
	t.Helper()
	png := Get(t, ctx, "screenshot", chromedp.FullScreenshot(100))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// Viewport sets the size of the page's viewport in CSS pixels.
func Viewport(t testing.TB, ctx context.Context, width, height int64) {
	t.Helper()
	Step(t, ctx, "viewport", chromedp.EmulateViewport(width, height))
}
