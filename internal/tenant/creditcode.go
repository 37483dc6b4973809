package tenant

import (
	"strings"
	"unicode/utf8"

	"gongkai/internal/fault"
)

// creditCodeCharset lists the 31 characters of a unified social credit code
// in the order of their values 0–30 (GB 32100-2015): digits and upper-case
// letters without I, O, S, V and Z.
const creditCodeCharset = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// creditCodeWeights are the weights of positions 1–17 in the check character
// computation: 3^(i−1) mod 31.
var creditCodeWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// orgCodeWeights are the GB 11714 weights of the eight body characters of an
// organisation code.
var orgCodeWeights = [8]int{3, 7, 9, 10, 5, 8, 4, 2}

// creditCodeValue returns the GB 32100 value (0–30) of c, or -1 when c is not
// in the character set.
func creditCodeValue(c byte) int {
	return strings.IndexByte(creditCodeCharset, c)
}

// orgCodeValue returns the GB 11714 value of c: 0–9 for digits and 10–35 for
// the letters A–Z, or -1 for anything else.
func orgCodeValue(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10
	}
	return -1
}

// checkCreditCodeChars reports the first character of s that is not in the
// credit code character set, naming its 1-based position.
func checkCreditCodeChars(s string) error {
	pos := 0
	for _, r := range s {
		pos++
		if r < utf8.RuneSelf && creditCodeValue(byte(r)) >= 0 {
			continue
		}
		switch {
		case r >= 'a' && r <= 'z':
			return fault.New(fault.Invalid, "character %d %q is not allowed: letters must be upper case", pos, r)
		case r == 'I' || r == 'O' || r == 'S' || r == 'V' || r == 'Z':
			return fault.New(fault.Invalid, "character %d %q is not allowed: the letters I, O, S, V and Z are never used", pos, r)
		default:
			return fault.New(fault.Invalid, "character %d %q is not allowed: use digits and upper-case letters except I, O, S, V and Z", pos, r)
		}
	}
	return nil
}

// CreditCodeCheckChar computes the check character (position 18) of a unified
// social credit code from its first 17 characters, as GB 32100-2015 defines
// it: c18 = 31 − (Σ value(ci)·wi mod 31), with 31 mapped to 0. It is used to
// validate codes and to make test and demo codes.
func CreditCodeCheckChar(first17 string) (byte, error) {
	if n := utf8.RuneCountInString(first17); n != 17 {
		return 0, fault.New(fault.Invalid, "need the first 17 characters of the code, got %d", n)
	}
	if err := checkCreditCodeChars(first17); err != nil {
		return 0, err
	}
	sum := 0
	for i := range 17 {
		sum += creditCodeValue(first17[i]) * creditCodeWeights[i]
	}
	v := (31 - sum%31) % 31
	return creditCodeCharset[v], nil
}

// orgCodeCheckDigit computes the GB 11714 check digit of an organisation code
// from its 8 body characters: c9 = 11 − (Σ value(ci)·wi mod 11), with 10
// written as X and 11 as 0.
func orgCodeCheckDigit(body string) (byte, error) {
	if len(body) != 8 {
		return 0, fault.New(fault.Invalid, "need the 8 body characters of the organisation code, got %d", len(body))
	}
	sum := 0
	for i := range 8 {
		v := orgCodeValue(body[i])
		if v < 0 {
			return 0, fault.New(fault.Invalid, "organisation code character %d %q is not a digit or upper-case letter", i+1, body[i])
		}
		sum += v * orgCodeWeights[i]
	}
	switch c := 11 - sum%11; c {
	case 10:
		return 'X', nil
	case 11:
		return '0', nil
	default:
		return byte('0' + c), nil
	}
}

// ValidateCreditCode checks an 18-character unified social credit code
// (统一社会信用代码, GB 32100-2015): the character set, the administrative
// division code (positions 3–8, digits), the check character (position 18)
// and the check digit of the embedded organisation code (position 17,
// GB 11714), which GB 32100 requires of every code. The error message says
// exactly what is wrong, e.g. "check character should be 3, got 4".
func ValidateCreditCode(s string) error {
	if n := utf8.RuneCountInString(s); n != 18 {
		return fault.New(fault.Invalid, "must be 18 characters, got %d", n)
	}
	if err := checkCreditCodeChars(s); err != nil {
		return err
	}
	for i := 2; i < 8; i++ {
		if s[i] < '0' || s[i] > '9' {
			return fault.New(fault.Invalid, "character %d %q is not allowed: characters 3–8 are the administrative division code (GB/T 2260) and must be digits", i+1, s[i])
		}
	}
	want, err := CreditCodeCheckChar(s[:17])
	if err != nil {
		return err
	}
	if s[17] != want {
		return fault.New(fault.Invalid, "check character should be %c, got %c", want, s[17])
	}
	org := OrganizationCode(s)
	wantOrg, err := orgCodeCheckDigit(org[:8])
	if err != nil {
		return err
	}
	if org[8] != wantOrg {
		return fault.New(fault.Invalid, "organisation code %s: check digit (character 17) should be %c, got %c", org, wantOrg, org[8])
	}
	return nil
}

// OrganizationCode returns the organisation code (组织机构代码, GB 11714)
// embedded in a credit code: positions 9–17, the usual front part of catalog
// index numbers. It does not validate; it returns "" when code is shorter
// than 17 bytes.
func OrganizationCode(code string) string {
	if len(code) < 17 {
		return ""
	}
	return code[8:17]
}
