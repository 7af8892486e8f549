package bolt

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// Batch runs fn in a read/write transaction shared with other concurrent
// Batch calls, which saves commits when many goroutines write at once. A
// batch runs when it holds MaxBatchSize calls or MaxBatchDelay after its
// first call, whichever comes first.
//
// If one fn fails, the shared transaction is rolled back and that fn is
// run again on its own, so fn may run more than once and must be
// idempotent, with effects only through the transaction. Batch returns fn's
// error, or the commit's. A panic in fn is re-raised in its caller.
func (db *DB) Batch(fn func(*Tx) error) error {
	errCh := make(chan error, 1)
	db.batchMu.Lock()
	if db.batch == nil || len(db.batch.calls) >= db.MaxBatchSize {
		db.batch = &batch{db: db}
		db.batch.timer = time.AfterFunc(db.MaxBatchDelay, db.batch.trigger)
	}
	db.batch.calls = append(db.batch.calls, call{fn: fn, err: errCh})
	if len(db.batch.calls) >= db.MaxBatchSize {
		go db.batch.trigger()
	}
	db.batchMu.Unlock()

	err := <-errCh
	if err == errTrySolo {
		err = db.Update(fn)
	}
	return err
}

type call struct {
	fn  func(*Tx) error
	err chan<- error
}

// batch is a set of Batch calls run in one transaction.
type batch struct {
	db    *DB
	timer *time.Timer
	start sync.Once
	calls []call
}

// trigger runs the batch, once, whether the timer or the size limit fires.
func (b *batch) trigger() { b.start.Do(b.run) }

// run detaches the batch from the DB and runs its calls in one Update; a
// failing call is taken out and told to run solo, and the rest retry.
func (b *batch) run() {
	b.db.batchMu.Lock()
	b.timer.Stop()
	if b.db.batch == b {
		b.db.batch = nil
	}
	b.db.batchMu.Unlock()

retry:
	for len(b.calls) > 0 {
		failIdx := -1
		err := b.db.Update(func(tx *Tx) error {
			for i, c := range b.calls {
				if err := safelyCall(c.fn, tx); err != nil {
					failIdx = i
					return err
				}
			}
			return nil
		})
		if failIdx >= 0 {
			c := b.calls[failIdx]
			b.calls[failIdx], b.calls = b.calls[len(b.calls)-1], b.calls[:len(b.calls)-1]
			c.err <- errTrySolo
			continue retry
		}
		for _, c := range b.calls {
			c.err <- err
		}
		break retry
	}
}

// errTrySolo tells a Batch caller to run its fn alone. It never reaches the
// caller's caller.
var errTrySolo = errors.New("batch function returned an error and should be re-run solo")

type panicked struct{ reason interface{} }

func (p panicked) Error() string {
	if err, ok := p.reason.(error); ok {
		return err.Error()
	}
	return fmt.Sprintf("panic: %v", p.reason)
}

// safelyCall runs fn, turning a panic into an error so that the rest of the
// batch can go on; the caller re-runs fn solo, where it panics again.
func safelyCall(fn func(*Tx) error, tx *Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = panicked{p}
		}
	}()
	return fn(tx)
}
