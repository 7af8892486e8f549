package main

import (
	"errors"
	"time"
)

// groupCommitter is an engine with bolt's DB.GroupCommit, which bbolt lacks.
type groupCommitter interface {
	SetGroupCommit(bool)
}

func (e boltEngine) SetGroupCommit(v bool) { e.db.GroupCommit = v }

// withGroupCommit returns a copy of e whose engine, if it is bolt's, has
// GroupCommit on. bbolt keeps its default Batch, so the ratio is bolt with
// the option against bbolt as its users run it.
func (e *env) withGroupCommit() *env {
	ge := *e
	open := e.kind.open
	ge.kind.open = func(path string) (engine, error) {
		db, err := open(path)
		if g, ok := db.(groupCommitter); ok && err == nil {
			g.SetGroupCommit(true)
		}
		return db, err
	}
	return &ge
}

// batchGroup is row 6 with bolt's GroupCommit on.
func batchGroup(e *env) ([]phase, error) {
	return batch(e.withGroupCommit())
}

// soloBatchRound is how many commits batchSolo makes in a row with one
// method before it switches to the other.
const soloBatchRound = 20

// batchSolo has one goroutine put random records into an empty
// database, one per call, alternating rounds of DB.Batch calls and of
// DB.Update calls, so that both see the same file and the same disk. bolt
// runs with GroupCommit: a lone Batch call commits at once, and should cost
// what Update does. bbolt's waits for MaxBatchDelay (10 ms) each time.
// The Batch row's figure "batch/update" is the ratio of the two rows within
// one engine.
func batchSolo(e *env) ([]phase, error) {
	return e.withGroupCommit().withDB(func(db engine) ([]phase, error) {
		commits := max(e.cfg.smallCommits/2, soloBatchRound)
		n := e.cfg.n
		next := 0
		var elapsed [2]time.Duration // batch, update
		var mallocs [2]uint64
		for done := 0; done < commits; done += soloBatchRound {
			k := min(soloBatchRound, commits-done)
			for method := range 2 {
				call := db.Update
				if method == 0 {
					call = db.Batch
				}
				m := startMeter()
				for range k {
					key := e.data.key(int(e.data.perm[next%n]))
					next++
					if err := call(func(t tx) error { return t.Bucket().Put(key, e.data.value) }); err != nil {
						return nil, err
					}
				}
				p := m.stop(k)
				elapsed[method] += p.elapsed
				mallocs[method] += p.mallocs
			}
		}
		if elapsed[0] <= 0 || elapsed[1] <= 0 {
			return nil, errors.New("batch-1g: a phase took no time")
		}
		batchPhase := phase{ops: commits, elapsed: elapsed[0], mallocs: mallocs[0], figures: []figure{
			{"batch/update", "", elapsed[1].Seconds() / elapsed[0].Seconds()},
		}}
		updatePhase := phase{ops: commits, elapsed: elapsed[1], mallocs: mallocs[1]}
		return []phase{batchPhase, updatePhase}, nil
	})
}
