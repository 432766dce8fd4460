package zhsearch

import (
	"errors"
	"fmt"
)

// Error codes. The api package maps each to one HTTP status; nothing else
// decides statuses.
const (
	EINVALID      = "invalid_argument"
	ENOTFOUND     = "not_found"
	EMETHOD       = "method_not_allowed" // the path exists, not for this method
	ECONFLICT     = "conflict"
	EUNAUTHORIZED = "unauthorized"
	ETOOLARGE     = "payload_too_large"
	EUNSUPPORTED  = "unsupported_media_type"
	EUNAVAILABLE  = "unavailable"
	ETIMEOUT      = "timeout"
	ERATELIMITED  = "rate_limited"
	ECANCELED     = "cancelled" // the client closed the request
	EINTERNAL     = "internal"
)

// Error is an application error whose Message is safe to show to a client.
// Errors that are not *Error are internal: their text is logged, never sent.
type Error struct {
	Code    string
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("zhsearch error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of an application error, or EINTERNAL.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the client-safe message of an application error, or a
// generic one for internal errors.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
