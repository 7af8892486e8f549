package bolt

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The kill test runs a writer in another process (this test binary, re-run
// as TestKill_Child), kills it with SIGKILL at a random moment, and checks
// that the file holds every commit the child acknowledged and at most the
// one it was making: the process dies, the page cache survives, so this
// tests the order of writes and the recovery on Open rather than syncs.

const (
	// killDBEnv names the database the child writes; when it is unset,
	// TestKill_Child is not the child and skips.
	killDBEnv = "BOLT_TEST_KILL_DB"
	// killNoFreelistSyncEnv, when set, makes the child open with
	// NoFreelistSync.
	killNoFreelistSyncEnv = "BOLT_TEST_KILL_NOFREELISTSYNC"
	// killNoSyncEnv, when set, makes the child commit with NoSync: a
	// killed process loses nothing it wrote, so syncs only slow the child
	// down, and more commits per round get killed.
	killNoSyncEnv = "BOLT_TEST_KILL_NOSYNC"
	// noReexecEnv, when set, says the test binary cannot be re-executed
	// here (for instance under an emulator): TestKill_Process skips.
	noReexecEnv = "BOLT_NO_REEXEC"
)

// Exit codes of the child when it stops by itself, which it never should.
const (
	killChildOpenFailed   = 11
	killChildCommitFailed = 12
	killChildNotKilled    = 13
)

var killRounds = flag.Int("kill.rounds", 0, "rounds of TestKill_Process (0: 30, or 8 with -short)")

// killKey is the key of transaction n: big-endian, so that the last key of
// the acks bucket is the last transaction committed.
func killKey(n uint64) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], n)
	return string(b[:])
}

// killValue returns size bytes that depend on n and on their position, so
// that a value written in part, or in the wrong place, is noticed.
func killValue(n uint64, size int) string {
	b := make([]byte, size)
	for i := range b {
		b[i] = byte(n*131 + uint64(i)*7 + uint64(i>>9))
	}
	return string(b)
}

// killMutations returns the mutations of transaction n of the child's
// workload. They depend on n alone, so the state after n transactions is
// known whatever rounds they were made in: the ack key n; every fifth
// transaction a value of two to five pages, deleted seven transactions
// later; a key in nested buckets, deleted three transactions later; and
// every eleventh transaction one of the nested bucket trees deleted whole.
func killMutations(n uint64) []kvMutation {
	muts := []kvMutation{{path: []string{"acks"}, key: killKey(n), val: killValue(n, 16+int(n%200))}}
	if n%5 == 0 {
		muts = append(muts, kvMutation{path: []string{"blobs"}, key: killKey(n), val: killValue(n, 4096*(2+int(n/5%4)))})
	}
	if n%5 == 2 && n > 7 {
		muts = append(muts, kvMutation{path: []string{"blobs"}, key: killKey(n - 7), del: true})
	}
	nested := func(n uint64) []string {
		return []string{"nest", "g" + strconv.FormatUint(n%4, 10), "h" + strconv.FormatUint(n%3, 10)}
	}
	muts = append(muts, kvMutation{path: nested(n), key: killKey(n), val: killValue(n, 40)})
	if n > 3 {
		muts = append(muts, kvMutation{path: nested(n - 3), key: killKey(n - 3), del: true})
	}
	if n%11 == 0 {
		muts = append(muts, kvMutation{path: []string{"nest", "g" + strconv.FormatUint(n/11%4, 10)}, del: true})
	}
	return muts
}

// TestKill_Child is the child of TestKill_Process: it commits numbered
// transactions until it is killed, printing "ack N" once the commit of N
// returned. Run on its own it skips: it needs the parent's environment.
func TestKill_Child(t *testing.T) {
	path := os.Getenv(killDBEnv)
	if path == "" {
		t.Skip("the child process of TestKill_Process; it runs only when started by it")
	}
	os.Exit(killChild(path, &Options{
		NoFreelistSync: os.Getenv(killNoFreelistSyncEnv) != "",
		NoSync:         os.Getenv(killNoSyncEnv) != "",
	}))
}

func killChild(path string, opts *Options) int {
	fmt.Println("start")
	db, err := Open(path, 0o600, opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		return killChildOpenFailed
	}
	var last uint64
	if err := db.View(func(tx *Tx) error {
		if b := tx.Bucket([]byte("acks")); b != nil {
			if k, _ := b.Cursor().Last(); k != nil {
				last = binary.BigEndian.Uint64(k)
			}
		}
		return nil
	}); err != nil {
		fmt.Fprintln(os.Stderr, "view:", err)
		return killChildOpenFailed
	}
	fmt.Printf("ready %d\n", last)
	// A child whose parent died without killing it stops on its own: its
	// next write to the closed pipe kills it, or else this deadline.
	deadline := time.Now().Add(2 * time.Minute)
	for n := last + 1; time.Now().Before(deadline); n++ {
		muts := killMutations(n)
		if err := db.Update(func(tx *Tx) error { return applyTx(tx, muts) }); err != nil {
			fmt.Fprintf(os.Stderr, "commit %d: %v\n", n, err)
			return killChildCommitFailed
		}
		fmt.Printf("ack %d\n", n)
	}
	return killChildNotKilled
}

// killReport is what the parent read from one child.
type killReport struct {
	ready  bool
	start  uint64   // the last transaction in the file when the child began
	acks   []uint64 // in the order printed
	status string   // how the child ended
}

// killRound starts a child on path, kills it at a random moment, and
// returns what it printed.
func killRound(t *testing.T, path string, rng *rand.Rand) killReport {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKill_Child$", "-test.count=1")
	cmd.Env = append(os.Environ(), killDBEnv+"="+path)
	if rng.IntN(3) == 0 {
		cmd.Env = append(cmd.Env, killNoFreelistSyncEnv+"=1")
	}
	if rng.IntN(3) > 0 {
		cmd.Env = append(cmd.Env, killNoSyncEnv+"=1")
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	killed := false
	defer func() {
		if !killed {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	}()

	// The reader owns rep and bad until it closes done.
	var rep killReport
	var bad []string
	started, ready, done := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			switch f := strings.Fields(line); {
			case line == "start":
				close(started)
			case len(f) == 2 && f[0] == "ready":
				n, err := strconv.ParseUint(f[1], 10, 64)
				rep.ready, rep.start = err == nil, n
				close(ready)
			case len(f) == 2 && f[0] == "ack":
				n, err := strconv.ParseUint(f[1], 10, 64)
				if err != nil {
					bad = append(bad, line)
				}
				rep.acks = append(rep.acks, n)
			default:
				bad = append(bad, line)
			}
		}
	}()

	// Most rounds kill the child while it commits; one in four kills it
	// early, perhaps in Open or its first commit.
	var from chan struct{}
	var delay time.Duration
	if rng.IntN(4) == 0 {
		from, delay = started, time.Duration(rng.IntN(10))*time.Millisecond
	} else {
		from, delay = ready, time.Duration(5+rng.IntN(46))*time.Millisecond
	}
	timedOut := false
	select {
	case <-from:
		time.Sleep(delay)
	case <-done:
		// The child stopped by itself; Wait below reports how.
	case <-time.After(2 * time.Minute):
		timedOut = true
	}
	_ = cmd.Process.Kill()
	<-done
	werr := cmd.Wait()
	killed = true
	require.False(t, timedOut, "the child did not start in 2 minutes; stderr: %s", stderr.String())

	var exit *exec.ExitError
	switch {
	case errors.As(werr, &exit) && exit.ExitCode() >= killChildOpenFailed && exit.ExitCode() <= killChildNotKilled:
		t.Fatalf("the child stopped by itself (%v): %s", werr, stderr.String())
	case werr == nil:
		t.Fatalf("the child exited normally: %s", stderr.String())
	}
	rep.status = werr.Error()
	require.Empty(t, bad, "unexpected lines from the child; stderr: %s", stderr.String())
	return rep
}

// TestKill_Process kills a committing child process at random moments,
// round after round on the same file, and checks after each round that the
// file opens, passes the consistency check, and holds exactly the state
// after the last acknowledged transaction or after the one in flight. Some
// rounds write with NoFreelistSync, most with NoSync (a killed process
// loses no write it made), and the check opens the file read-only or
// plainly (which gives a NoFreelistSync file its free list back), so that
// children start on either kind of file.
func TestKill_Process(t *testing.T) {
	if os.Getenv(noReexecEnv) != "" {
		t.Skip(noReexecEnv + " is set: this test binary cannot be re-executed here")
	}
	if host := os.Getenv("GOHOSTARCH"); host != "" && host != runtime.GOARCH {
		t.Skipf("running as %s on a %s host (emulated?): not re-executing", runtime.GOARCH, host)
	}
	rounds := *killRounds
	if rounds == 0 {
		rounds = 30
		if testing.Short() {
			rounds = 8
		}
	}
	seed := testSeed(t)
	rng := rand.New(rand.NewPCG(seed, 5))
	path := filepath.Join(scratchDir(t), "db")

	state, known := kvState{}, uint64(0) // the state after transaction known
	acked, inFlight := 0, 0
	for round := 1; round <= rounds; round++ {
		rep := killRound(t, path, rng)
		if rep.ready {
			require.Equal(t, known, rep.start, "round %d: the child started from another transaction than the file held", round)
		}
		for i, n := range rep.acks {
			require.Equal(t, known+uint64(i)+1, n, "round %d: acknowledgements out of order: %v", round, rep.acks)
		}
		last := known + uint64(len(rep.acks))
		acked += len(rep.acks)
		for ; known < last; known++ {
			state.apply(killMutations(known + 1))
		}
		next := state.clone()
		next.apply(killMutations(last + 1))

		readOnly := rng.IntN(2) == 0
		if fi, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) || err == nil && fi.Size() == 0 {
			// Killed early in the first rounds (a slow start, as under
			// wine), before it created the file or wrote its meta
			// pages: only a writable open creates and initializes the
			// file, in bbolt too.
			require.Zero(t, known, "round %d: no file, or an empty one, after acknowledged transactions", round)
			readOnly = false
		}
		db, err := Open(path, 0o600, &Options{ReadOnly: readOnly})
		require.NoError(t, err, "round %d: open after the kill", round)
		var got kvState
		err = db.View(func(tx *Tx) error {
			if err := checkErr(tx); err != nil {
				return fmt.Errorf("consistency check: %w", err)
			}
			var err error
			got, err = readState(tx)
			return err
		})
		require.NoError(t, db.Close())
		require.NoError(t, err, "round %d", round)
		switch {
		case state.diff(got) == "":
		case next.diff(got) == "":
			state, known = next, last+1
			inFlight++
		default:
			t.Fatalf("round %d (%s): the file holds neither transaction %d, the last acknowledged, nor %d: %s",
				round, rep.status, last, last+1, state.diff(got))
		}
	}
	require.Positive(t, acked, "no child ever acknowledged a commit")
	t.Logf("kill: %d rounds, %d commits acknowledged, %d killed after the meta of an unacknowledged commit landed; %d transactions in the file",
		rounds, acked, inFlight, known)
}
