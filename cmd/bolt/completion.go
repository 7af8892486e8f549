package main

import (
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Shell completion, as bbolt's CLI offers it: "bolt completion SHELL"
// prints a script that, when the user presses Tab, runs the hidden command
// "bolt __complete WORD…" with the words typed so far (the last one being
// completed, possibly empty). That command prints one candidate per line,
// "value<TAB>description", then a last line saying what the shell should
// do when no candidate fits: ":files" to complete file names (database
// paths, output files), ":none" to offer nothing. The knowledge of
// commands and flags stays in the binary, so the scripts never go stale.

// completeCmd and completeNoDescCmd are the hidden commands the scripts
// call; the second leaves the descriptions out.
const (
	completeCmd       = "__complete"
	completeNoDescCmd = "__completeNoDesc"
)

// completionShells are the shells a script is written for, with what it
// says about installing it.
var completionShells = []struct {
	name, install, script string
}{
	{"bash", `Load it in the current shell with

	source <(bolt completion bash)

and for every new shell, for example:

	bolt completion bash > /etc/bash_completion.d/bolt`, bashCompletion},
	{"fish", `Load it in the current shell with

	bolt completion fish | source

and for every new shell:

	bolt completion fish > ~/.config/fish/completions/bolt.fish`, fishCompletion},
	{"powershell", `Load it in the current shell with

	bolt completion powershell | Out-String | Invoke-Expression

and for every new shell, add that line to your PowerShell profile.`, powershellCompletion},
	{"zsh", `Completion must be enabled in zsh ("autoload -U compinit; compinit" in
~/.zshrc). Load it in the current shell with

	source <(bolt completion zsh)

and for every new shell:

	bolt completion zsh > "${fpath[1]}/_bolt"`, zshCompletion},
}

func completionCommand() *command {
	cmd := &command{
		name:    "completion",
		summary: "print a shell completion script for bolt",
		help:    "Tab completes commands, subcommands, flags, and file names where a file is expected.",
	}
	for _, sh := range completionShells {
		cmd.subs = append(cmd.subs, &command{
			name:    sh.name,
			summary: "print the completion script for " + sh.name,
			help:    sh.install,
			nargs:   exactArgs(0),
			setup: func(fs *flagSet) func(*cli, []string) error {
				noDesc := fs.Bool("no-descriptions", false, "complete without descriptions")
				return func(c *cli, _ []string) error {
					helper := completeCmd
					if *noDesc {
						helper = completeNoDescCmd
					}
					_, err := io.WriteString(c.stdout, strings.ReplaceAll(sh.script, "@COMPLETE@", helper))
					return err
				}
			},
		})
	}
	return cmd
}

// complete prints the candidates for the last of words, the arguments
// typed after "bolt".
func (c *cli) complete(words []string, descriptions bool) error {
	if len(words) == 0 {
		words = []string{""}
	}
	// PowerShell cannot pass an empty argument to a program: its script
	// passes two double quotes for "nothing typed yet".
	if words[len(words)-1] == `""` {
		words[len(words)-1] = ""
	}
	cands, files := completions(rootCommand(), words[:len(words)-1], words[len(words)-1])
	for _, cd := range cands {
		if descriptions && cd.desc != "" {
			fmt.Fprintf(c.stdout, "%s\t%s\n", cd.value, cd.desc)
		} else {
			fmt.Fprintln(c.stdout, cd.value)
		}
	}
	if files {
		fmt.Fprintln(c.stdout, ":files")
	} else {
		fmt.Fprintln(c.stdout, ":none")
	}
	return nil
}

type candidate struct{ value, desc string }

// completions returns the candidates for cur after the words before it,
// and whether file names fit there.
func completions(root *command, before []string, cur string) (cands []candidate, files bool) {
	cmd := root
	var fs *flagSet
	var valueOf *flag.Flag // the flag the previous word named, if it takes a value
	for _, w := range before {
		switch {
		case valueOf != nil:
			valueOf = nil
		case strings.HasPrefix(w, "-") && len(w) > 1:
			if fs == nil {
				continue
			}
			name, _, hasValue := strings.Cut(strings.TrimLeft(w, "-"), "=")
			if f := fs.lookup(name); f != nil && !hasValue && !isBoolFlag(f) {
				valueOf = f
			}
		case cmd.subs != nil:
			if s := cmd.sub(w); s != nil {
				cmd = s
				if s.setup != nil {
					fs = commandFlags(s)
				}
			}
		}
	}
	prefixed := func(value, desc string) {
		if strings.HasPrefix(value, cur) {
			cands = append(cands, candidate{value, desc})
		}
	}
	switch {
	case valueOf != nil:
		for _, v := range flagChoices(valueOf) {
			prefixed(v, "")
		}
		return cands, takesFile(valueOf)
	case strings.HasPrefix(cur, "-"):
		if cmd == root {
			prefixed("--help", "help for bolt")
			prefixed("--version", "print the version of bolt")
			return cands, false
		}
		if fs != nil {
			var names []string
			fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
			sort.Strings(names)
			for _, n := range names {
				_, usage := flag.UnquoteUsage(fs.Lookup(n))
				prefixed("--"+n, usage)
			}
		}
		prefixed("--help", "help for this command")
		return cands, false
	case cmd.subs != nil:
		for _, s := range cmd.subs {
			prefixed(s.name, s.summary)
		}
		if cmd == root {
			prefixed("help", "help about any command")
		}
		return cands, false
	}
	// Positional arguments: the database file comes first; bucket names
	// and keys are not completed.
	return nil, true
}

// commandFlags returns the flags cmd declares, --timeout included.
func commandFlags(cmd *command) *flagSet {
	fs := newFlagSet()
	if cmd.opensDB {
		fs.Duration("timeout", 0, timeoutUsage)
	}
	cmd.setup(fs)
	return fs
}

// flagChoices returns the values f's usage lists ("one of a|b|c").
func flagChoices(f *flag.Flag) []string {
	_, list, ok := strings.Cut(f.Usage, "one of ")
	if !ok {
		return nil
	}
	list, _, _ = strings.Cut(list, " ")
	if !strings.Contains(list, "|") {
		return nil
	}
	return strings.Split(strings.TrimRight(list, ",.;)"), "|")
}

// takesFile reports whether f's value is a file name: its usage names the
// value `file`.
func takesFile(f *flag.Flag) bool {
	name, _ := flag.UnquoteUsage(f)
	return name == "file"
}

const bashCompletion = `# bash completion for bolt; generated by "bolt completion bash".
_bolt_completion() {
	local cur=${COMP_WORDS[COMP_CWORD]} line out directive=none
	local -a values=()
	out=$("${COMP_WORDS[0]}" @COMPLETE@ "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null) || return 0
	while IFS= read -r line; do
		case $line in
		:*) directive=${line#:} ;;
		*) values+=("${line%%$'\t'*}") ;;
		esac
	done <<<"$out"
	COMPREPLY=("${values[@]}")
	if [[ ${#COMPREPLY[@]} -eq 0 && $directive == files ]]; then
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
	fi
}
complete -F _bolt_completion bolt
`

const zshCompletion = `#compdef bolt
# zsh completion for bolt; generated by "bolt completion zsh".
_bolt() {
	local line directive=none
	local -a values
	for line in "${(@f)$("${words[1]}" @COMPLETE@ "${(@)words[2,CURRENT]}" 2>/dev/null)}"; do
		case $line in
		:*) directive=${line#:} ;;
		*) line=${line//:/\\:}; values+=("${line/$'\t'/:}") ;;
		esac
	done
	if (( ${#values} )); then
		_describe 'bolt' values
	elif [[ $directive == files ]]; then
		_files
	fi
}
if [[ $funcstack[1] == _bolt ]]; then
	_bolt "$@"
else
	compdef _bolt bolt
fi
`

const fishCompletion = `# fish completion for bolt; generated by "bolt completion fish".
function __bolt_completion
	set -l words (commandline -opc) (commandline -ct)
	for line in ($words[1] @COMPLETE@ $words[2..-1] 2>/dev/null)
		switch $line
			case :files
				__fish_complete_path (commandline -ct)
			case ':*'
			case '*'
				echo $line
		end
	end
end
complete -c bolt -f -a '(__bolt_completion)'
`

const powershellCompletion = `# PowerShell completion for bolt; generated by "bolt completion powershell".
Register-ArgumentCompleter -Native -CommandName bolt -ScriptBlock {
	param($wordToComplete, $commandAst, $cursorPosition)
	$words = @($commandAst.CommandElements | ForEach-Object { $_.ToString() })
	$rest = @($words | Select-Object -Skip 1)
	if ($wordToComplete -eq '') { $rest += '""' }
	foreach ($line in (& $words[0] @COMPLETE@ @rest 2>$null)) {
		if ($line.StartsWith(':')) { continue }
		$value, $desc = $line -split "` + "`" + `t", 2
		if (-not $desc) { $desc = $value }
		[System.Management.Automation.CompletionResult]::new($value, $value, 'ParameterValue', $desc)
	}
}
`
