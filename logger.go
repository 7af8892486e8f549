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
	Debug(v ...interface{})
	Debugf(format string, v ...interface{})

	Error(v ...interface{})
	Errorf(format string, v ...interface{})

	Info(v ...interface{})
	Infof(format string, v ...interface{})

	Warning(v ...interface{})
	Warningf(format string, v ...interface{})

	Fatal(v ...interface{})
	Fatalf(format string, v ...interface{})

	Panic(v ...interface{})
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
