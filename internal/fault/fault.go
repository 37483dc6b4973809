// Package fault defines the one error type of Gongkai: a code, a message for
// the user and an optional cause, mapped to HTTP status codes in one place.
package fault

import (
	"errors"
	"fmt"
	"net/http"
)

// Code classifies an error by what the caller can do about it.
type Code string

// The error codes. Every error that leaves a service carries one of them.
const (
	Invalid         Code = "invalid"         // bad input; the message names the field and the rule
	NotFound        Code = "not_found"       // no such thing (or it belongs to another tenant)
	Conflict        Code = "conflict"        // the current state does not allow the action
	Forbidden       Code = "forbidden"       // authenticated, but not allowed
	Unauthenticated Code = "unauthenticated" // no or bad credentials
	Unavailable     Code = "unavailable"     // a dependency (the database) is down; retry later
	TooMany         Code = "too_many"        // throttled; retry later
	Internal        Code = "internal"        // a bug or an unexpected failure
)

// FieldError names one input field and what is wrong with it.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is the error type returned by services. Message is safe to show to
// the user; Cause is for logs only.
type Error struct {
	Code    Code
	Message string
	Fields  []FieldError
	Cause   error
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Cause)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Cause }

// New returns an error with a code and a formatted user-facing message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an error with a code and message that keeps cause for logs.
func Wrap(cause error, code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Cause: cause}
}

// Field returns an Invalid error about a single field.
func Field(field, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	return &Error{Code: Invalid, Message: field + ": " + msg, Fields: []FieldError{{Field: field, Message: msg}}}
}

// Fields returns an Invalid error about several fields; nil when fields is empty.
func Fields(fields []FieldError) error {
	if len(fields) == 0 {
		return nil
	}
	msg := fields[0].Field + ": " + fields[0].Message
	if len(fields) > 1 {
		msg = fmt.Sprintf("%s (and %d more)", msg, len(fields)-1)
	}
	return &Error{Code: Invalid, Message: msg, Fields: fields}
}

// CodeOf returns the code of err: the code of the first *Error in its chain,
// Internal for any other non-nil error, and "" for nil.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// MessageOf returns the user-facing message of err; errors that are not
// *Error get a generic message so that internals never leak.
func MessageOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// FieldsOf returns the field errors carried by err, if any.
func FieldsOf(err error) []FieldError {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// Is reports whether err carries the given code.
func Is(err error, code Code) bool { return CodeOf(err) == code }

// httpStatus is the one table from codes to HTTP status codes.
var httpStatus = map[Code]int{
	Invalid:         http.StatusUnprocessableEntity,
	NotFound:        http.StatusNotFound,
	Conflict:        http.StatusConflict,
	Forbidden:       http.StatusForbidden,
	Unauthenticated: http.StatusUnauthorized,
	Unavailable:     http.StatusServiceUnavailable,
	TooMany:         http.StatusTooManyRequests,
	Internal:        http.StatusInternalServerError,
}

// HTTPStatus maps err to an HTTP status code.
func HTTPStatus(err error) int {
	if s, ok := httpStatus[CodeOf(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}
