//go:build aix || darwin || dragonfly || freebsd || linux || netbsd || openbsd || solaris || windows

package bolt

import (
	"time"

	berrors "github.com/boltkv/bolt/errors"
)

// lockRetryInterval is how long flock sleeps between attempts while another
// holder has the lock. It is also the slack in the timeout rule: an attempt
// that would start later than the deadline is not made.
const lockRetryInterval = 50 * time.Millisecond

// retryLock calls try until it succeeds, fails with an error that busy does
// not recognise, or runs out of time. The timeout rule is bbolt's, which
// callers rely on: 0 waits forever; otherwise give up with ErrTimeout, once
// a refused attempt is more than timeout-lockRetryInterval after the first.
// A negative timeout therefore fails on the first refusal.
func retryLock(timeout time.Duration, try func() error, busy func(error) bool) error {
	start := time.Now()
	for {
		err := try()
		if err == nil || !busy(err) {
			return err
		}
		if timeout != 0 && time.Since(start) > timeout-lockRetryInterval {
			return berrors.ErrTimeout
		}
		time.Sleep(lockRetryInterval)
	}
}
