package bolt

import (
	"sync/atomic"
	"time"
)

// Stats are the DB's statistics, as returned by DB.Stats.
type Stats struct {
	// TxStats sums the counters of every finished transaction. It comes
	// first so that its 64-bit fields are aligned on 32-bit platforms.
	TxStats TxStats

	// FreePageN is the number of free pages.
	FreePageN int
	// PendingPageN is the number of freed pages not yet reusable.
	PendingPageN int
	// FreeAlloc is the bytes in free and pending pages.
	FreeAlloc int
	// FreelistInuse is the serialized size of the free list, in bytes.
	FreelistInuse int

	// TxN is the number of read-only transactions begun.
	TxN int
	// OpenTxN is the number of read-only transactions open.
	OpenTxN int
}

// Sub returns the difference between s and an earlier snapshot other: the
// transaction counters are subtracted, the free-list figures are s's, and
// OpenTxN is zero. A nil other returns s.
func (s *Stats) Sub(other *Stats) Stats {
	if other == nil {
		return *s
	}
	return Stats{
		TxStats:       s.TxStats.Sub(&other.TxStats),
		FreePageN:     s.FreePageN,
		PendingPageN:  s.PendingPageN,
		FreeAlloc:     s.FreeAlloc,
		FreelistInuse: s.FreelistInuse,
		TxN:           s.TxN - other.TxN,
	}
}

// TxStats counts what a transaction did. The DB sums the counters of every
// closed transaction into Stats.TxStats. Fields are read and written with
// atomic operations by the methods below; read them directly only from a
// copy.
type TxStats struct {
	// PageCount is the number of pages allocated.
	PageCount int64
	// PageAlloc is the number of bytes allocated.
	PageAlloc int64

	// CursorCount is the number of cursors created.
	CursorCount int64

	// NodeCount is the number of nodes materialized from pages.
	NodeCount int64
	// NodeDeref is the number of nodes copied off an old mapping. bolt keeps
	// old mappings alive instead, so it stays 0.
	NodeDeref int64

	// Rebalance is the number of node rebalances.
	Rebalance int64
	// RebalanceTime is the time spent rebalancing.
	RebalanceTime time.Duration

	// Split is the number of node splits.
	Split int64
	// Spill is the number of nodes written.
	Spill int64
	// SpillTime is the time spent spilling.
	SpillTime time.Duration

	// Write is the number of page buffers written (a page with overflow is
	// one), the meta page included.
	Write int64
	// WriteTime is the time spent writing pages and meta.
	WriteTime time.Duration
}

func (s *TxStats) add(o *TxStats) {
	s.IncPageCount(o.GetPageCount())
	s.IncPageAlloc(o.GetPageAlloc())
	s.IncCursorCount(o.GetCursorCount())
	s.IncNodeCount(o.GetNodeCount())
	s.IncNodeDeref(o.GetNodeDeref())
	s.IncRebalance(o.GetRebalance())
	s.IncRebalanceTime(o.GetRebalanceTime())
	s.IncSplit(o.GetSplit())
	s.IncSpill(o.GetSpill())
	s.IncSpillTime(o.GetSpillTime())
	s.IncWrite(o.GetWrite())
	s.IncWriteTime(o.GetWriteTime())
}

// load returns a copy of s read field by field with atomic loads, safe
// while other goroutines add to s.
func (s *TxStats) load() TxStats {
	var c TxStats
	c.add(s)
	return c
}

// Sub returns s minus other, field by field: the activity between two
// snapshots.
func (s *TxStats) Sub(other *TxStats) TxStats {
	var d TxStats
	d.PageCount = s.GetPageCount() - other.GetPageCount()
	d.PageAlloc = s.GetPageAlloc() - other.GetPageAlloc()
	d.CursorCount = s.GetCursorCount() - other.GetCursorCount()
	d.NodeCount = s.GetNodeCount() - other.GetNodeCount()
	d.NodeDeref = s.GetNodeDeref() - other.GetNodeDeref()
	d.Rebalance = s.GetRebalance() - other.GetRebalance()
	d.RebalanceTime = s.GetRebalanceTime() - other.GetRebalanceTime()
	d.Split = s.GetSplit() - other.GetSplit()
	d.Spill = s.GetSpill() - other.GetSpill()
	d.SpillTime = s.GetSpillTime() - other.GetSpillTime()
	d.Write = s.GetWrite() - other.GetWrite()
	d.WriteTime = s.GetWriteTime() - other.GetWriteTime()
	return d
}

// GetPageCount returns PageCount atomically.
func (s *TxStats) GetPageCount() int64 { return atomic.LoadInt64(&s.PageCount) }

// IncPageCount adds delta to PageCount atomically and returns the new value.
func (s *TxStats) IncPageCount(delta int64) int64 { return atomic.AddInt64(&s.PageCount, delta) }

// GetPageAlloc returns PageAlloc atomically.
func (s *TxStats) GetPageAlloc() int64 { return atomic.LoadInt64(&s.PageAlloc) }

// IncPageAlloc adds delta to PageAlloc atomically and returns the new value.
func (s *TxStats) IncPageAlloc(delta int64) int64 { return atomic.AddInt64(&s.PageAlloc, delta) }

// GetCursorCount returns CursorCount atomically.
func (s *TxStats) GetCursorCount() int64 { return atomic.LoadInt64(&s.CursorCount) }

// IncCursorCount adds delta to CursorCount atomically and returns the new
// value.
func (s *TxStats) IncCursorCount(delta int64) int64 { return atomic.AddInt64(&s.CursorCount, delta) }

// GetNodeCount returns NodeCount atomically.
func (s *TxStats) GetNodeCount() int64 { return atomic.LoadInt64(&s.NodeCount) }

// IncNodeCount adds delta to NodeCount atomically and returns the new value.
func (s *TxStats) IncNodeCount(delta int64) int64 { return atomic.AddInt64(&s.NodeCount, delta) }

// GetNodeDeref returns NodeDeref atomically.
func (s *TxStats) GetNodeDeref() int64 { return atomic.LoadInt64(&s.NodeDeref) }

// IncNodeDeref adds delta to NodeDeref atomically and returns the new value.
func (s *TxStats) IncNodeDeref(delta int64) int64 { return atomic.AddInt64(&s.NodeDeref, delta) }

// GetRebalance returns Rebalance atomically.
func (s *TxStats) GetRebalance() int64 { return atomic.LoadInt64(&s.Rebalance) }

// IncRebalance adds delta to Rebalance atomically and returns the new value.
func (s *TxStats) IncRebalance(delta int64) int64 { return atomic.AddInt64(&s.Rebalance, delta) }

// GetRebalanceTime returns RebalanceTime atomically.
func (s *TxStats) GetRebalanceTime() time.Duration {
	return time.Duration(atomic.LoadInt64((*int64)(&s.RebalanceTime)))
}

// IncRebalanceTime adds delta to RebalanceTime atomically and returns the
// new value.
func (s *TxStats) IncRebalanceTime(delta time.Duration) time.Duration {
	return time.Duration(atomic.AddInt64((*int64)(&s.RebalanceTime), int64(delta)))
}

// GetSplit returns Split atomically.
func (s *TxStats) GetSplit() int64 { return atomic.LoadInt64(&s.Split) }

// IncSplit adds delta to Split atomically and returns the new value.
func (s *TxStats) IncSplit(delta int64) int64 { return atomic.AddInt64(&s.Split, delta) }

// GetSpill returns Spill atomically.
func (s *TxStats) GetSpill() int64 { return atomic.LoadInt64(&s.Spill) }

// IncSpill adds delta to Spill atomically and returns the new value.
func (s *TxStats) IncSpill(delta int64) int64 { return atomic.AddInt64(&s.Spill, delta) }

// GetSpillTime returns SpillTime atomically.
func (s *TxStats) GetSpillTime() time.Duration {
	return time.Duration(atomic.LoadInt64((*int64)(&s.SpillTime)))
}

// IncSpillTime adds delta to SpillTime atomically and returns the new value.
func (s *TxStats) IncSpillTime(delta time.Duration) time.Duration {
	return time.Duration(atomic.AddInt64((*int64)(&s.SpillTime), int64(delta)))
}

// GetWrite returns Write atomically.
func (s *TxStats) GetWrite() int64 { return atomic.LoadInt64(&s.Write) }

// IncWrite adds delta to Write atomically and returns the new value.
func (s *TxStats) IncWrite(delta int64) int64 { return atomic.AddInt64(&s.Write, delta) }

// GetWriteTime returns WriteTime atomically.
func (s *TxStats) GetWriteTime() time.Duration {
	return time.Duration(atomic.LoadInt64((*int64)(&s.WriteTime)))
}

// IncWriteTime adds delta to WriteTime atomically and returns the new value.
func (s *TxStats) IncWriteTime(delta time.Duration) time.Duration {
	return time.Duration(atomic.AddInt64((*int64)(&s.WriteTime), int64(delta)))
}
