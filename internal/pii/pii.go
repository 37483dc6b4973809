// Package pii encrypts applicants' personal information at rest (个人信息保护法):
// identity document numbers are stored sealed with AES-256-GCM under a key
// from configuration, and shown masked.
package pii

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
)

// Cipher seals and opens values with one key.
type Cipher struct {
	aead cipher.AEAD
	// indexKey keys Index; it is derived from the key, so one setting
	// covers both.
	indexKey []byte
}

// prefix marks sealed values (and their format version).
const prefix = "v1:"

// New returns a cipher for a base64-encoded 32-byte key.
func New(keyB64 string) (*Cipher, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(keyB64))
	if err != nil || len(key) != 32 {
		return nil, errors.New("expected 32 random bytes, base64-encoded (e.g. openssl rand -base64 32)")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("gongkai applicant index v1"))
	return &Cipher{aead: aead, indexKey: mac.Sum(nil)}, nil
}

// NewKey returns a fresh base64-encoded key.
func NewKey() string {
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	return base64.StdEncoding.EncodeToString(k)
}

// KeyFile returns the key kept in path, creating it (mode 0600) with a fresh
// key when it does not exist: the zero-setup default of a single SQLite
// process.
func KeyFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return "", err
	}
	key := NewKey()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := f.WriteString(key + "\n"); err != nil {
		return "", err
	}
	return key, nil
}

// Seal encrypts s; the empty string stays empty.
func (c *Cipher) Seal(s string) string {
	if s == "" {
		return ""
	}
	nonce := make([]byte, c.aead.NonceSize())
	_, _ = rand.Read(nonce)
	return prefix + base64.RawStdEncoding.EncodeToString(c.aead.Seal(nonce, nonce, []byte(s), nil))
}

// Open decrypts a sealed value.
func (c *Cipher) Open(sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	raw, ok := strings.CutPrefix(sealed, prefix)
	if !ok {
		return "", errors.New("pii: value is not sealed")
	}
	b, err := base64.RawStdEncoding.DecodeString(raw)
	if err != nil || len(b) < c.aead.NonceSize() {
		return "", errors.New("pii: sealed value is corrupt")
	}
	plain, err := c.aead.Open(nil, b[:c.aead.NonceSize()], b[c.aead.NonceSize():], nil)
	if err != nil {
		return "", errors.New("pii: cannot open the value with this key")
	}
	return string(plain), nil
}

// Index returns a keyed hash of an identity document (its type and number,
// spaces removed, letters upper-cased) that finds the same applicant's
// records without storing the number in the clear; "" when number is
// empty. Equal documents give equal indexes under one key.
func (c *Cipher) Index(docType, number string) string {
	number = strings.ToUpper(strings.Join(strings.Fields(number), ""))
	if number == "" {
		return ""
	}
	mac := hmac.New(sha256.New, c.indexKey)
	mac.Write([]byte(strings.TrimSpace(docType) + "\x00" + number))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// Mask shows an identity document number as its first 3 and last 4
// characters, the rest hidden (110***********1234).
func Mask(id string) string {
	r := []rune(id)
	if len(r) <= 7 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:3]) + strings.Repeat("*", len(r)-7) + string(r[len(r)-4:])
}
