package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// toolReport is what etcd's benchmark tool prints at the end of a run
// (go.etcd.io/etcd/pkg/v3/report): the summary and the latency
// percentiles, in seconds.
type toolReport struct {
	Total, Slowest, Fastest, Average float64 // seconds
	RPS                              float64
	Pct                              map[float64]float64 // percentile (50, 99, ...) to seconds
	Errors                           []string            // "N\t<error>" lines of the error distribution
}

// parseToolReport reads the tool's report. It fails when the report has no
// summary (no request finished) or lists errors: a run whose requests
// failed measures nothing.
func parseToolReport(out []byte) (toolReport, error) {
	r := toolReport{Pct: map[float64]float64{}}
	var summary, inErrors bool
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "Summary:":
			summary = true
			continue
		case line == "Error distribution:":
			inErrors = true
			continue
		case inErrors:
			if line != "" {
				r.Errors = append(r.Errors, line)
			}
			continue
		}
		if name, val, ok := strings.Cut(line, ":\t"); ok {
			v, err := leadingFloat(val)
			if err != nil {
				return r, fmt.Errorf("benchmark report: %q: %w", line, err)
			}
			switch name {
			case "Total":
				r.Total = v
			case "Slowest":
				r.Slowest = v
			case "Fastest":
				r.Fastest = v
			case "Average":
				r.Average = v
			case "Requests/sec":
				r.RPS = v
			}
			continue
		}
		// "99% in 0.0123 secs."
		if pct, rest, ok := strings.Cut(line, "% in "); ok {
			p, err1 := strconv.ParseFloat(pct, 64)
			v, err2 := leadingFloat(rest)
			if err1 == nil && err2 == nil {
				r.Pct[p] = v
			}
		}
	}
	if err := sc.Err(); err != nil {
		return r, err
	}
	if len(r.Errors) > 0 {
		return r, fmt.Errorf("benchmark: requests failed: %s", strings.Join(r.Errors, "; "))
	}
	if !summary || r.Total <= 0 {
		return r, errors.New("benchmark: no summary in the output (no request finished)")
	}
	return r, nil
}

// leadingFloat parses the number at the start of s ("0.0123 secs.").
func leadingFloat(s string) (float64, error) {
	f := strings.Fields(s)
	if len(f) == 0 {
		return 0, errors.New("no number")
	}
	return strconv.ParseFloat(strings.TrimSuffix(f[0], "."), 64)
}

// runTool runs etcd's benchmark tool against endpoint with the given
// subcommand and arguments, appends its output to logPath, and parses the
// report.
func runTool(ctx context.Context, procs *procSet, tool, endpoint, logPath string, clients, conns int, args ...string) (toolReport, error) {
	full := append([]string{
		"--endpoints", endpoint,
		"--clients", strconv.Itoa(clients),
		"--conns", strconv.Itoa(conns),
		"--precise",
	}, args...)
	cmd := exec.CommandContext(ctx, tool, full...)
	// The client logs every gRPC connection change at INFO unless told.
	cmd.Env = append(os.Environ(), "GRPC_GO_LOG_SEVERITY_LEVEL=error")
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out // the progress bar and errors
	if err := procs.start(cmd); err != nil {
		return toolReport{}, err
	}
	err := procs.wait(cmd)
	if f, ferr := os.OpenFile(logPath, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); ferr == nil {
		fmt.Fprintf(f, "$ benchmark %s\n%s\n", strings.Join(full, " "), out.Bytes())
		f.Close()
	}
	if err != nil {
		return toolReport{}, fmt.Errorf("benchmark %s: %w (output in %s)", args[0], err, logPath)
	}
	r, err := parseToolReport(out.Bytes())
	if err != nil {
		return r, fmt.Errorf("%w (output in %s)", err, logPath)
	}
	return r, nil
}
