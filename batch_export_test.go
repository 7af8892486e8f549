package bolt

// BatchState reports, for the black-box tests of Batch, how many calls the
// batch taking new calls holds and how many batches have started and not
// yet finished. A test polls it to know that calls have joined a batch,
// which no public API shows.
func BatchState(db *DB) (pending, running int) {
	db.batchMu.Lock()
	defer db.batchMu.Unlock()
	if db.batch != nil {
		pending = len(db.batch.calls)
	}
	return pending, db.batchRunning
}
