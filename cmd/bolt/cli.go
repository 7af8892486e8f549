package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Exit statuses.
const (
	exitOK      = 0
	exitFailure = 1 // the command ran and failed, e.g. check found problems
	exitUsage   = 2 // bad command line
)

// cli is one run of the tool: the streams every command reads and writes,
// and the few knobs tests turn. Commands never touch os.Stdout or os.Stderr.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer

	// benchReadTime is how long bench keeps re-reading the data set; bbolt
	// reads for at least a second.
	benchReadTime time.Duration
	// progressInterval is how often long-running commands report progress.
	progressInterval time.Duration
	// terminal reports whether w is an interactive terminal, for progress
	// bars.
	terminal func(w io.Writer) bool

	// lockTimeout is the --timeout of the commands that open a database:
	// how long Open waits for another process's lock (0: no limit).
	lockTimeout time.Duration
	// lockNotice is how long a command waits for a lock before saying so.
	lockNotice time.Duration
}

func newCLI(stdin io.Reader, stdout, stderr io.Writer) *cli {
	return &cli{
		stdin:            stdin,
		stdout:           stdout,
		stderr:           stderr,
		benchReadTime:    time.Second,
		progressInterval: time.Second,
		terminal:         isTerminal,
		lockNotice:       time.Second,
	}
}

// run executes the command line args and returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return newCLI(stdin, stdout, stderr).main(args)
}

// main dispatches args to a command, prints its error on one line and maps
// it to an exit status.
func (c *cli) main(args []string) (status int) {
	defer func() {
		// A last resort: commands and the library return errors for damaged
		// files, but a stack trace must never reach the user.
		if r := recover(); r != nil {
			fmt.Fprintf(c.stderr, "Error: internal error: %v\n", r)
			status = exitFailure
		}
	}()
	err := c.dispatch(rootCommand(), nil, args)
	var help helpRequest
	var reported reportedFailure
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &help):
		return exitOK
	case errors.As(err, &reported):
		return exitFailure
	default:
		fmt.Fprintf(c.stderr, "Error: %v\n", err)
		var u usageError
		if errors.As(err, &u) {
			return exitUsage
		}
		return exitFailure
	}
}

// timeoutUsage describes --timeout, the flag of every command that opens a
// database (command.opensDB).
const timeoutUsage = "give up after this `duration` if another process holds the database's lock (0: wait as long as it takes)"

// usageError is a bad command line: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

// reportedFailure is returned by a command that failed and has said why on
// its own (check's "N errors found"): exit status 1, no "Error:" line.
type reportedFailure struct{}

func (reportedFailure) Error() string { return "failed" }

// helpRequest is returned after help was printed on request: exit status 0.
type helpRequest struct{}

func (helpRequest) Error() string { return "help requested" }

// command is one command or group of subcommands.
type command struct {
	name    string
	args    string // synopsis of the positional arguments
	summary string // one line, for the command list
	help    string // more paragraphs for "bolt CMD --help"
	nargs   argCount
	subs    []*command
	// opensDB marks the commands that open a database with the library,
	// and so take --timeout.
	opensDB bool
	// setup declares the command's flags and returns the function that
	// runs it with the positional arguments once they are parsed.
	setup func(fs *flagSet) func(c *cli, args []string) error
}

// argCount is how many positional arguments a command accepts; max < 0
// means no limit.
type argCount struct{ min, max int }

func exactArgs(n int) argCount      { return argCount{n, n} }
func minArgs(n int) argCount        { return argCount{n, -1} }
func rangeArgs(lo, hi int) argCount { return argCount{lo, hi} }

// check returns cobra's messages, which scripts written for bbolt may match.
func (a argCount) check(n int) error {
	switch {
	case a.min == a.max && n != a.min:
		return usagef("accepts %d arg(s), received %d", a.min, n)
	case n < a.min:
		return usagef("requires at least %d arg(s), only received %d", a.min, n)
	case a.max >= 0 && n > a.max:
		return usagef("accepts between %d and %d arg(s), received %d", a.min, a.max, n)
	}
	return nil
}

func rootCommand() *command {
	return &command{
		name:    "bolt",
		args:    "<command> [arguments]",
		summary: "inspect, repair, benchmark, export and import bolt and bbolt databases",
		subs: []*command{
			benchCommand(),
			bucketsCommand(),
			checkCommand(),
			compactCommand(),
			completionCommand(),
			createBucketCommand(),
			deleteCommand(),
			deleteBucketCommand(),
			dumpCommand(),
			exportCommand(),
			getCommand(),
			importCommand(),
			infoCommand(),
			inspectCommand(),
			keysCommand(),
			pageCommand(),
			pageItemCommand(),
			pagesCommand(),
			putCommand(),
			statsCommand(),
			surgeryCommand(),
			versionCommand(),
		},
	}
}

func (cmd *command) sub(name string) *command {
	for _, s := range cmd.subs {
		if s.name == name {
			return s
		}
	}
	return nil
}

// dispatch runs cmd (reached through parents) with args.
func (c *cli) dispatch(cmd *command, parents []string, args []string) error {
	path := append(parents[:len(parents):len(parents)], cmd.name)
	if cmd.subs != nil {
		if len(args) == 0 {
			if len(parents) == 0 {
				// "bolt" alone: the usage on stdout, exit status 0, as
				// bbolt's CLI does.
				c.printHelp(c.stdout, cmd, path, nil)
				return helpRequest{}
			}
			return usagef("%s: missing subcommand (one of %s)", strings.Join(path[1:], " "), subNames(cmd))
		}
		name := args[0]
		switch {
		case name == "-h" || name == "--help" || name == "-help":
			c.printHelp(c.stdout, cmd, path, nil)
			return helpRequest{}
		case name == "help" && len(parents) == 0:
			return c.helpFor(cmd, path, args[1:])
		case (name == completeCmd || name == completeNoDescCmd) && len(parents) == 0:
			return c.complete(args[1:], name == completeCmd)
		case (name == "-v" || name == "--version") && len(parents) == 0:
			// bbolt's "bbolt version dev" line, with a real version.
			fmt.Fprintf(c.stdout, "bolt version %s\n", version())
			return nil
		}
		s := cmd.sub(name)
		if s == nil {
			return usagef("unknown command %q for %q", name, strings.Join(path, " "))
		}
		return c.dispatch(s, path, args[1:])
	}

	fs := newFlagSet()
	if cmd.opensDB {
		fs.DurationVar(&c.lockTimeout, "timeout", 0, timeoutUsage)
	}
	runFn := cmd.setup(fs)
	pos, help, err := fs.parse(args)
	if help {
		c.printHelp(c.stdout, cmd, path, fs)
		return helpRequest{}
	}
	if err == nil {
		err = fs.checkRequired()
	}
	if err == nil {
		err = cmd.nargs.check(len(pos))
	}
	if err == nil {
		err = runFn(c, pos)
	}
	// Usage errors name the command, which the message may not.
	var u usageError
	if errors.As(err, &u) {
		return usagef("%s: %s", strings.Join(path[1:], " "), u.msg)
	}
	return err
}

// helpFor implements "bolt help [command…]".
func (c *cli) helpFor(root *command, path []string, names []string) error {
	cmd := root
	for _, n := range names {
		s := cmd.sub(n)
		if s == nil {
			return usagef("unknown help topic %q", strings.Join(names, " "))
		}
		cmd = s
		path = append(path, n)
	}
	var fs *flagSet
	if cmd.setup != nil {
		fs = newFlagSet()
		if cmd.opensDB {
			fs.Duration("timeout", 0, timeoutUsage)
		}
		cmd.setup(fs)
	}
	c.printHelp(c.stdout, cmd, path, fs)
	return nil
}

func subNames(cmd *command) string {
	names := make([]string, len(cmd.subs))
	for i, s := range cmd.subs {
		names[i] = s.name
	}
	return strings.Join(names, ", ")
}

func (c *cli) printHelp(w io.Writer, cmd *command, path []string, fs *flagSet) {
	fmt.Fprintf(w, "%s\n\nUsage:\n  %s", cmd.summary, strings.Join(path, " "))
	if cmd.args != "" {
		fmt.Fprintf(w, " %s", cmd.args)
	}
	if fs != nil && fs.hasFlags() {
		fmt.Fprint(w, " [flags]")
	}
	fmt.Fprintln(w)
	if cmd.help != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimRight(cmd.help, "\n"))
	}
	if len(cmd.subs) > 0 {
		fmt.Fprint(w, "\nCommands:\n")
		width := 0
		for _, s := range cmd.subs {
			width = max(width, len(s.name))
		}
		for _, s := range cmd.subs {
			fmt.Fprintf(w, "  %-*s  %s\n", width, s.name, s.summary)
		}
		fmt.Fprintf(w, "\nRun '%s <command> --help' for the arguments and flags of a command.\n", strings.Join(path, " "))
	}
	if fs != nil {
		fmt.Fprint(w, "\nFlags:\n")
		fs.printDefaults(w)
	}
}

// flagSet is a flag.FlagSet that also knows shorthands and required flags,
// and accepts flags anywhere among the positional arguments, as cobra does
// ("surgery revert-meta-page DB --output DST").
type flagSet struct {
	*flag.FlagSet
	short    map[string]string // shorthand -> long name
	required []string
}

func newFlagSet() *flagSet {
	fs := flag.NewFlagSet("bolt", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &flagSet{FlagSet: fs, short: map[string]string{}}
}

// alias makes -short another name of the flag long.
func (fs *flagSet) alias(short, long string) {
	fs.short[short] = long
}

// require marks flags that must be given.
func (fs *flagSet) require(names ...string) {
	fs.required = append(fs.required, names...)
}

func (fs *flagSet) lookup(name string) *flag.Flag {
	if long, ok := fs.short[name]; ok {
		name = long
	}
	return fs.Lookup(name)
}

func (fs *flagSet) hasFlags() bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// parse separates flags from positional arguments, wherever they appear;
// "--" ends the flags. It reports whether -h or --help was given.
func (fs *flagSet) parse(args []string) (pos []string, help bool, err error) {
	var flags []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			pos = append(pos, a)
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-"), "=")
		if name == "h" || name == "help" {
			help = true
			continue
		}
		fl := fs.lookup(name)
		if fl == nil {
			return nil, false, usagef("unknown flag: %s", a)
		}
		if !hasValue && !isBoolFlag(fl) {
			if i+1 == len(args) {
				return nil, false, usagef("flag needs an argument: %s", a)
			}
			i++
			value, hasValue = args[i], true
		}
		if hasValue {
			flags = append(flags, "--"+fl.Name+"="+value)
		} else {
			flags = append(flags, "--"+fl.Name)
		}
	}
	if help {
		return nil, true, nil
	}
	if err := fs.Parse(flags); err != nil {
		return nil, false, usageError{strings.Replace(err.Error(), " -", " --", 1)}
	}
	return pos, false, nil
}

func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// checkRequired returns cobra's message for required flags not given.
func (fs *flagSet) checkRequired() error {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var missing []string
	for _, name := range fs.required {
		if !set[name] {
			missing = append(missing, strconv.Quote(name))
		}
	}
	if len(missing) > 0 {
		return usagef("required flag(s) %s not set", strings.Join(missing, ", "))
	}
	return nil
}

func (fs *flagSet) printDefaults(w io.Writer) {
	shortOf := map[string]string{}
	for s, l := range fs.short {
		shortOf[l] = s
	}
	type line struct{ names, usage string }
	var lines []line
	width := 0
	fs.VisitAll(func(f *flag.Flag) {
		typ, usage := flag.UnquoteUsage(f)
		names := "    --" + f.Name
		if s, ok := shortOf[f.Name]; ok {
			names = "-" + s + ", --" + f.Name
		}
		if typ != "" {
			names += " " + typ
		}
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "0s" {
			usage += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		lines = append(lines, line{names, usage})
		width = max(width, len(names))
	})
	lines = append(lines, line{"-h, --help", "help for this command"})
	width = max(width, len("-h, --help"))
	sort.SliceStable(lines, func(i, j int) bool {
		return strings.TrimLeft(lines[i].names, " -") < strings.TrimLeft(lines[j].names, " -")
	})
	for _, l := range lines {
		fmt.Fprintf(w, "  %-*s  %s\n", width, l.names, l.usage)
	}
}

// stringList is a flag holding comma-separated values; it may be repeated
// ("--fields root:16,freelist:8 --fields pgid:128").
type stringList []string

func (s *stringList) String() string { return strings.Join(*s, ",") }

func (s *stringList) Set(v string) error {
	*s = append(*s, strings.Split(v, ",")...)
	return nil
}

// isTerminal reports whether w is a character device, such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
