package tenant_test

import (
	"strings"
	"testing"

	"gongkai/internal/fault"
	"gongkai/internal/tenant"
)

const charset = "0123456789ABCDEFGHJKLMNPQRTUWXY"

func TestCreditCodeCheckCharWorkedExample(t *testing.T) {
	t.Parallel()
	// GB 32100-2015: weighted sum 1640, 1640 mod 31 = 28, 31 − 28 = 3.
	got, err := tenant.CreditCodeCheckChar("91350100M000100Y4")
	if err != nil {
		t.Fatal(err)
	}
	if got != '3' {
		t.Fatalf("check character = %c, want 3", got)
	}
	if err := tenant.ValidateCreditCode("91350100M000100Y43"); err != nil {
		t.Fatalf("worked example rejected: %v", err)
	}
}

func TestCreditCodeCheckCharErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"91350100M000100Y", "need the first 17 characters of the code, got 16"},
		{"91350100M000100Y43", "got 18"},
		{"91350100M000100YI", `character 17 'I' is not allowed`},
	} {
		if _, err := tenant.CreditCodeCheckChar(tc.in); err == nil || !strings.Contains(fault.MessageOf(err), tc.want) {
			t.Errorf("CreditCodeCheckChar(%q) = %v, want %q", tc.in, err, tc.want)
		}
	}
}

func TestValidateCreditCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, code, want string // want "" means valid
	}{
		{"worked example", "91350100M000100Y43", ""},
		{"government organ", "11370900004341590P", ""},
		{"organ with letters in the organisation code", "11341700MB1631138U", ""},
		{"demo civil affairs bureau", "112108000012358135", ""},
		{"demo oversight office, organisation check digit X", "1121080000123604XJ", ""},
		{"wrong check character", "91350100M000100Y44", "check character should be 3, got 4"},
		{"empty", "", "must be 18 characters, got 0"},
		{"too short", "91350100M000100Y4", "must be 18 characters, got 17"},
		{"too long", "91350100M000100Y433", "must be 18 characters, got 19"},
		{"lower case", "91350100m000100Y43", `character 9 'm' is not allowed: letters must be upper case`},
		{"letter O", "91350100O000100Y43", `character 9 'O' is not allowed: the letters I, O, S, V and Z are never used`},
		{"blank", "91350100 000100Y43", `character 9 ' ' is not allowed`},
		{"full-width digit", "９1350100M000100Y43", `character 1 '９' is not allowed`},
		{"letter in division code", "913501A0M000100Y43", `character 7 'A' is not allowed: characters 3–8 are the administrative division code`},
		// The check character is right for these 17 characters, but the
		// organisation code M000100Y5 has check digit 4.
		{"wrong organisation check digit", withCheckChar(t, "91350100M000100Y5"), "organisation code M000100Y5: check digit (character 17) should be 4, got 5"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tenant.ValidateCreditCode(tc.code)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("ValidateCreditCode(%q) = %v, want nil", tc.code, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("ValidateCreditCode(%q) = nil, want %q", tc.code, tc.want)
			}
			if !fault.Is(err, fault.Invalid) {
				t.Errorf("code = %s, want invalid", fault.CodeOf(err))
			}
			if got := fault.MessageOf(err); !strings.Contains(got, tc.want) {
				t.Errorf("message = %q, want it to contain %q", got, tc.want)
			}
		})
	}
}

// withCheckChar appends the computed check character to 17 characters.
func withCheckChar(t testing.TB, first17 string) string {
	t.Helper()
	c, err := tenant.CreditCodeCheckChar(first17)
	if err != nil {
		t.Fatal(err)
	}
	return first17 + string(c)
}

func TestCreditCodeDetectsEverySingleSubstitution(t *testing.T) {
	t.Parallel()
	// All weights are non-zero modulo the prime 31, so changing any one
	// character changes the weighted sum: no typo of one character passes.
	for _, code := range []string{"91350100M000100Y43", "12210800462581938T"} {
		for i := range len(code) {
			for _, c := range []byte(charset) {
				if c == code[i] {
					continue
				}
				typo := code[:i] + string(c) + code[i+1:]
				if tenant.ValidateCreditCode(typo) == nil {
					t.Errorf("%s (position %d changed) passed", typo, i+1)
				}
			}
		}
	}
}

func TestOrganizationCode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"91350100M000100Y43", "M000100Y4"},
		{"11370900004341590P", "004341590"},
		{"91350100M000100Y4", "M000100Y4"},
		{"91350100", ""},
		{"", ""},
	} {
		if got := tenant.OrganizationCode(tc.in); got != tc.want {
			t.Errorf("OrganizationCode(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzValidateCreditCode(f *testing.F) {
	for _, s := range []string{
		"91350100M000100Y43", "11370900004341590P", "11341700MB1631138U",
		"1121080000123604XJ", "91350100M000100Y44", "", "91350100m000100Y43",
		"９1350100M000100Y4", "\xff\xfe1350100M000100Y43",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := tenant.ValidateCreditCode(s)
		if err != nil {
			if !fault.Is(err, fault.Invalid) || fault.MessageOf(err) == "" {
				t.Fatalf("error without a message or code: %#v", err)
			}
		} else {
			if len(s) != 18 {
				t.Fatalf("%q accepted with %d bytes", s, len(s))
			}
			c, err := tenant.CreditCodeCheckChar(s[:17])
			if err != nil || c != s[17] {
				t.Fatalf("%q accepted but check character is %c (%v)", s, c, err)
			}
			if len(tenant.OrganizationCode(s)) != 9 {
				t.Fatalf("%q: organisation code %q", s, tenant.OrganizationCode(s))
			}
			for _, c := range []byte(charset) {
				if c != s[17] && tenant.ValidateCreditCode(s[:17]+string(c)) == nil {
					t.Fatalf("%q and %q both accepted", s, s[:17]+string(c))
				}
			}
		}
		// A computed check character is always accepted as such.
		if len(s) >= 17 {
			if c, err := tenant.CreditCodeCheckChar(s[:17]); err == nil {
				err := tenant.ValidateCreditCode(s[:17] + string(c))
				if err != nil && strings.Contains(fault.MessageOf(err), "check character") {
					t.Fatalf("computed check character refused: %v", err)
				}
			}
		}
	})
}
