package bolt

import (
	"fmt"
	"io"
	"log"
	"os"
)

// Logger receives the DB's log messages. Any logger with these methods fits,
// e.g. a zap SugaredLogger.
type Logger interface {
	// Debug logs details of an operation (a commit's steps), its arguments
	// formatted as by fmt.Sprint.
	Debug(v ...interface{})
	// Debugf is Debug with a fmt.Sprintf format.
	Debugf(format string, v ...interface{})

	// Error logs a failed operation, its arguments formatted as by
	// fmt.Sprint. The error is also returned to the caller.
	Error(v ...interface{})
	// Errorf is Error with a fmt.Sprintf format.
	Errorf(format string, v ...interface{})

	// Info logs a noteworthy event, its arguments formatted as by
	// fmt.Sprint.
	Info(v ...interface{})
	// Infof is Info with a fmt.Sprintf format.
	Infof(format string, v ...interface{})

	// Warning logs a problem the DB works around, its arguments formatted as
	// by fmt.Sprint.
	Warning(v ...interface{})
	// Warningf is Warning with a fmt.Sprintf format.
	Warningf(format string, v ...interface{})

	// Fatal logs a message, its arguments formatted as by fmt.Sprint, and
	// is expected to end the process. bolt itself never calls it: it
	// returns errors instead.
	Fatal(v ...interface{})
	// Fatalf is Fatal with a fmt.Sprintf format.
	Fatalf(format string, v ...interface{})

	// Panic logs a message, its arguments formatted as by fmt.Sprint, and
	// is expected to panic. bolt itself never calls it.
	Panic(v ...interface{})
	// Panicf is Panic with a fmt.Sprintf format.
	Panicf(format string, v ...interface{})
}

// Logger returns the DB's logger; one that discards everything if none was
// set or db is nil.
func (db *DB) Logger() Logger {
	if db == nil || db.logger == nil {
		return discard
	}
	return db.logger
}

var discard = &DefaultLogger{Logger: log.New(io.Discard, "", 0)}

// DefaultLogger is a Logger over the standard library's log.Logger. Each
// message is prefixed with its level; Debug messages are dropped unless
// EnableDebug was called. Fatal and Fatalf exit the process with status 1.
type DefaultLogger struct {
	*log.Logger
	debug bool
}

// EnableTimestamps adds the date and time to every message.
func (l *DefaultLogger) EnableTimestamps() {
	l.SetFlags(l.Flags() | log.Ldate | log.Ltime)
}

// EnableDebug turns Debug and Debugf on.
func (l *DefaultLogger) EnableDebug() { l.debug = true }

// Debug logs at debug level, if enabled.
func (l *DefaultLogger) Debug(v ...interface{}) {
	if l.debug {
		_ = l.Output(2, header("DEBUG", fmt.Sprint(v...)))
	}
}

// Debugf logs at debug level, if enabled.
func (l *DefaultLogger) Debugf(format string, v ...interface{}) {
	if l.debug {
		_ = l.Output(2, header("DEBUG", fmt.Sprintf(format, v...)))
	}
}

// Info logs at info level.
func (l *DefaultLogger) Info(v ...interface{}) { _ = l.Output(2, header("INFO", fmt.Sprint(v...))) }

// Infof logs at info level.
func (l *DefaultLogger) Infof(format string, v ...interface{}) {
	_ = l.Output(2, header("INFO", fmt.Sprintf(format, v...)))
}

// Error logs at error level.
func (l *DefaultLogger) Error(v ...interface{}) { _ = l.Output(2, header("ERROR", fmt.Sprint(v...))) }

// Errorf logs at error level.
func (l *DefaultLogger) Errorf(format string, v ...interface{}) {
	_ = l.Output(2, header("ERROR", fmt.Sprintf(format, v...)))
}

// Warning logs at warning level.
func (l *DefaultLogger) Warning(v ...interface{}) { _ = l.Output(2, header("WARN", fmt.Sprint(v...))) }

// Warningf logs at warning level.
func (l *DefaultLogger) Warningf(format string, v ...interface{}) {
	_ = l.Output(2, header("WARN", fmt.Sprintf(format, v...)))
}

// Fatal logs at fatal level and exits with status 1.
func (l *DefaultLogger) Fatal(v ...interface{}) {
	_ = l.Output(2, header("FATAL", fmt.Sprint(v...)))
	os.Exit(1)
}

// Fatalf logs at fatal level and exits with status 1.
func (l *DefaultLogger) Fatalf(format string, v ...interface{}) {
	_ = l.Output(2, header("FATAL", fmt.Sprintf(format, v...)))
	os.Exit(1)
}

// Panic logs the message and panics with it.
func (l *DefaultLogger) Panic(v ...interface{}) { l.Logger.Panic(v...) }

// Panicf logs the message and panics with it.
func (l *DefaultLogger) Panicf(format string, v ...interface{}) { l.Logger.Panicf(format, v...) }

func header(lvl, msg string) string { return lvl + ": " + msg }
