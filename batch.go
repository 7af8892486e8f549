package bolt

import (
	"errors"
	"fmt"
	"runtime"
	"time"
)

// Batch runs fn in a read/write transaction shared with other concurrent
// Batch calls, which saves commits when many goroutines write at once.
//
// By default a batch runs when it holds MaxBatchSize calls or MaxBatchDelay
// after its first call, whichever comes first, as in bbolt: a lone caller
// waits MaxBatchDelay. With GroupCommit, a call made while no batch is
// committing starts one at once, and calls made while a batch commits join
// the next batch, which starts as soon as that commit ends (or when it holds
// MaxBatchSize calls, or MaxBatchDelay after its first call, whichever comes
// first). MaxBatchSize <= 0 or MaxBatchDelay <= 0 turn GroupCommit off: the
// call runs as it would without it.
//
// If one fn fails, the shared transaction is rolled back and that fn is
// run again on its own, so fn may run more than once and must be
// idempotent, with effects only through the transaction. Batch returns fn's
// error, or the commit's. A panic in fn is re-raised in its caller. Batch
// returns Update's errors too (ErrDatabaseNotOpen, ErrDatabaseReadOnly).
func (db *DB) Batch(fn func(*Tx) error) error {
	errCh := make(chan error, 1)
	group := db.GroupCommit && db.MaxBatchSize > 0 && db.MaxBatchDelay > 0
	var now *batch // a batch this goroutine starts and runs itself

	db.batchMu.Lock()
	b := db.batch
	if b == nil || len(b.calls) >= db.MaxBatchSize || b.group != group {
		b = &batch{db: db, group: group}
		db.batch = b
		if group && db.batchRunning == 0 {
			now = b
		} else {
			b.timer = time.AfterFunc(db.MaxBatchDelay, b.trigger)
		}
	}
	b.calls = append(b.calls, call{fn: fn, err: errCh})
	if now == nil && len(b.calls) >= db.MaxBatchSize {
		go b.trigger()
	}
	db.batchMu.Unlock()

	if now != nil {
		now.trigger()
	}
	err := <-errCh
	if err == errTrySolo {
		err = db.Update(fn)
	}
	return err
}

type call struct {
	fn  func(*Tx) error
	err chan<- error // buffered; receives exactly one value
}

// batch is a set of Batch calls run in one transaction. Until it starts it
// is db.batch and takes new calls; calls, started and timer are guarded by
// db.batchMu until then, and owned by the goroutine running it after.
type batch struct {
	db      *DB
	timer   *time.Timer // nil for a group-commit batch started at once
	calls   []call
	started bool
	group   bool // made under GroupCommit: starts the next one when done
}

// trigger runs the batch unless it has already been started: the timer, the
// size limit and the end of the previous commit may all fire.
func (b *batch) trigger() {
	db := b.db
	db.batchMu.Lock()
	ok := db.startBatchLocked(b)
	db.batchMu.Unlock()
	if ok {
		b.run()
	}
}

// startBatchLocked marks b started and detaches it from the DB, so that
// later calls go to a new batch. It reports false if b had been started
// already. db.batchMu must be held.
func (db *DB) startBatchLocked(b *batch) bool {
	if b.started {
		return false
	}
	b.started = true
	if b.timer != nil {
		b.timer.Stop()
	}
	if db.batch == b {
		db.batch = nil
	}
	db.batchRunning++
	return true
}

// run runs the calls of b in one Update; a failing call is taken out and
// told to run solo, and the rest retry. Every call gets exactly one answer,
// even if the engine itself panics (a failed StrictMode check): the calls
// not yet answered then get errBatchPanicked and the panic goes on.
func (b *batch) run() {
	defer b.done()
	defer func() {
		if p := recover(); p != nil {
			for _, c := range b.calls {
				c.err <- fmt.Errorf("%w: %v", errBatchPanicked, p)
			}
			panic(p)
		}
	}()
	db := b.db
	for len(b.calls) > 0 {
		failIdx := -1
		err := db.Update(func(tx *Tx) error {
			for i, c := range b.calls {
				if err := safelyCall(c.fn, tx); err != nil {
					failIdx = i
					return err
				}
			}
			return nil
		})
		if failIdx < 0 {
			for _, c := range b.calls {
				c.err <- err
			}
			b.calls = nil
			return
		}
		c := b.calls[failIdx]
		b.calls[failIdx], b.calls = b.calls[len(b.calls)-1], b.calls[:len(b.calls)-1]
		c.err <- errTrySolo
	}
}

// done ends a batch that has run. A group-commit batch then starts the
// batch that gathered while it ran, in a new goroutine, since done may run
// on a caller's goroutine, which must return.
func (b *batch) done() {
	db := b.db
	if b.group {
		db.letAnsweredRejoin()
	}
	db.batchMu.Lock()
	db.batchRunning--
	next := db.batch
	if !b.group || db.batchRunning > 0 || next == nil || !next.group || !db.startBatchLocked(next) {
		next = nil
	}
	db.batchMu.Unlock()
	if next != nil {
		go next.run()
	}
}

// joinYields is how many times a group-commit batch that has just
// committed yields the processor before it starts the next batch.
const joinYields = 4

// letAnsweredRejoin gives the callers a batch has just answered a moment
// to call Batch again before the batch counts as done. A caller that comes
// back while it still counts joins the next batch instead of starting a
// batch of its own at once; without the yields, goroutines writing in a
// loop split into two cohorts that take turns, each commit carrying half
// of them. Measured with 64 goroutines (headtohead row batch/group-commit,
// 3 to 5 runs): 32 puts per commit and 7.2x bbolt's default without
// yielding, 46 and 9.9x with one yield, 59-62 and 11.4-12.2x with four. A
// yield with nothing else runnable costs a fraction of a microsecond: a
// lone caller's Batch still costs what Update does (row batch-1g).
func (db *DB) letAnsweredRejoin() {
	for range joinYields {
		runtime.Gosched()
	}
}

// errBatchPanicked is the error of the calls of a batch whose transaction
// panicked inside the engine, not in a fn.
var errBatchPanicked = errors.New("bolt: the shared Batch transaction panicked")

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
