// Command gen writes the forwarding files of the compatibility modules in
// compat/: compat/bbolt (module go.etcd.io/bbolt) and compat/boltdb (module
// github.com/boltdb/bolt). Each holds one declaration for every exported
// identifier of the original's public packages (go.etcd.io/bbolt and
// go.etcd.io/bbolt/errors; github.com/boltdb/bolt), at the version the
// bench module requires, forwarding to the same name in
// github.com/boltkv/bolt:
//
//   - a type becomes an alias (type DB = bolt.DB), so methods, fields and
//     type identity are bolt's;
//   - a constant becomes a constant of bolt's (const MaxKeySize =
//     bolt.MaxKeySize), keeping its type, or its untypedness;
//   - a variable becomes a variable initialized from bolt's; for the error
//     values that is the very value, so == and errors.Is hold across the
//     import paths;
//   - a function becomes a function with the original's exact signature
//     that calls bolt's. Open also reads its own package's DefaultOptions
//     when given nil, so that code which replaces DefaultOptions keeps
//     working.
//
// Only the original's names are forwarded: bolt's extras stay in bolt, so a
// program that builds against a compatibility module builds against the
// original too. The modules are complete by construction, and
// TestCompatUpToDate (bench/compat) fails when these files are stale, for
// instance after bench/go.mod moves to a newer bbolt.
//
// Usage, from bench (or via `go generate ./compat` there):
//
//	go run ./compat/gen            # writes into compat/ of the bolt checkout
//	go run ./compat/gen -dir DIR   # writes DIR/bbolt/... and DIR/boltdb/...
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"go/importer"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	// The originals whose export data gen reads: imported so that the
	// bench module requires them, at the versions forwarded.
	_ "github.com/boltdb/bolt"
	_ "go.etcd.io/bbolt"
	_ "go.etcd.io/bbolt/errors"
)

const (
	boltPath       = "github.com/boltkv/bolt"
	boltErrorsPath = "github.com/boltkv/bolt/errors"
)

// A target is one generated file: the exported names of the package
// original, forwarded to the package to (imported as local).
type target struct {
	module   string // the original's module path
	original string // package forwarded
	file     string // file written, relative to the -dir directory
	to       string // bolt's package it forwards to
	local    string // the import name of to in the file
}

// Targets is every file gen writes. A compatibility module's own package is
// named as the original's (bbolt; bolt for boltdb), so bolt's root package
// takes another import name in compat/boltdb.
var targets = []target{
	{"go.etcd.io/bbolt", "go.etcd.io/bbolt", "bbolt/bbolt.go", boltPath, "bolt"},
	{"go.etcd.io/bbolt", "go.etcd.io/bbolt/errors", "bbolt/errors/errors.go", boltErrorsPath, "berrors"},
	{"github.com/boltdb/bolt", "github.com/boltdb/bolt", "boltdb/bolt.go", boltPath, "boltkv"},
}

// internalTypes are the packages whose types may appear in an original's
// signatures although they are not the original's own: bbolt's internal
// package, whose leaked types bolt exports under the same names.
var internalTypes = map[string]bool{"go.etcd.io/bbolt/internal/common": true}

// bodies replaces the plain forwarding body of a few functions of a root
// package. The key is the function's name, the value its body, where LOCAL
// stands for bolt's import name; the parameters are named as in the
// original's declaration.
var bodies = map[string]string{
	// bolt.Open reads bolt.DefaultOptions for nil options. This package's
	// DefaultOptions starts as the same pointer, but a caller may assign a
	// new one to it; the original's Open would then use that.
	"Open": "if options == nil {\n\toptions = DefaultOptions\n}\nreturn LOCAL.Open(path, mode, options)",
}

// docs replaces the generated doc comment of a few declarations of a root
// package (LOCAL as in bodies).
var docs = map[string]string{
	"DefaultOptions": "DefaultOptions starts as the very pointer [LOCAL.DefaultOptions]; Open\nreads this variable, so assigning a new value to it works as in the original.",
	"Open":           "Open calls [LOCAL.Open], with DefaultOptions (this package's) for nil\noptions.",
}

func main() {
	dir := flag.String("dir", "", "directory holding the compatibility modules (default: compat/ of the bolt checkout the bench module uses)")
	flag.Parse()
	if err := run(*dir); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	if dir == "" {
		out, err := goCmd("list", "-m", "-f", "{{.Dir}}", boltPath)
		if err != nil {
			return err
		}
		dir = filepath.Join(strings.TrimSpace(string(out)), "compat")
	}
	pkgs, versions, err := load()
	if err != nil {
		return err
	}
	for _, t := range targets {
		src, err := file(t, pkgs[t.original], versions[t.module])
		if err != nil {
			return fmt.Errorf("%s: %v", t.file, err)
		}
		path := filepath.Join(dir, filepath.FromSlash(t.file))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, src, 0o644); err != nil {
			return err
		}
		fmt.Printf("gen: %s %s -> %s\n", t.original, versions[t.module], path)
	}
	return nil
}

func goCmd(args ...string) ([]byte, error) {
	cmd := exec.Command("go", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return out, nil
}

// load reads the export data of the originals' packages, as the Go tool
// compiled them for the bench module, and the versions of their modules.
func load() (map[string]*types.Package, map[string]string, error) {
	versions := map[string]string{}
	var paths []string
	for _, t := range targets {
		if _, ok := versions[t.module]; !ok {
			out, err := goCmd("list", "-m", "-f", "{{.Version}}", t.module)
			if err != nil {
				return nil, nil, err
			}
			versions[t.module] = strings.TrimSpace(string(out))
		}
		paths = append(paths, t.original)
	}
	out, err := goCmd(append([]string{"list", "-export", "-deps", "-f", "{{.ImportPath}}\t{{.Export}}"}, paths...)...)
	if err != nil {
		return nil, nil, err
	}
	exports := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, file, _ := strings.Cut(line, "\t")
		exports[path] = file
	}
	imp := importer.ForCompiler(token.NewFileSet(), "gc", func(path string) (io.ReadCloser, error) {
		f := exports[path]
		if f == "" {
			return nil, fmt.Errorf("no export data for %q", path)
		}
		return os.Open(f)
	})
	pkgs := map[string]*types.Package{}
	for _, path := range paths {
		p, err := imp.Import(path)
		if err != nil {
			return nil, nil, err
		}
		pkgs[path] = p
	}
	return pkgs, versions, nil
}

// file writes the forwarding declarations for the target's original
// package pkg.
func file(t target, pkg *types.Package, version string) ([]byte, error) {
	local := t.local
	root := t.original == t.module
	imports := map[string]string{t.to: local} // path -> name
	// qual spells a package in a signature: the original's own types by
	// this package's alias names, internal ones by bolt's (which exports
	// them), others by their package name.
	var qerr error
	qual := func(p *types.Package) string {
		switch {
		case p == pkg:
			return ""
		case internalTypes[p.Path()] && root:
			return local
		case p.Path() == t.module || strings.HasPrefix(p.Path(), t.module+"/"):
			qerr = fmt.Errorf("cannot spell a type of %s in %s", p.Path(), pkg.Path())
			return local
		case p.Name() == local || p.Name() == pkg.Name():
			qerr = fmt.Errorf("package %s clashes with the name %s", p.Path(), p.Name())
		}
		imports[p.Path()] = p.Name()
		return p.Name()
	}
	special := func(m map[string]string, name string) (string, bool) {
		v, ok := m[name]
		return strings.ReplaceAll(v, "LOCAL", local), ok && root
	}

	var consts, vars, typeNames, funcs []string
	for _, name := range pkg.Scope().Names() {
		if !token.IsExported(name) {
			continue
		}
		switch pkg.Scope().Lookup(name).(type) {
		case *types.Const:
			consts = append(consts, name)
		case *types.Var:
			vars = append(vars, name)
		case *types.TypeName:
			typeNames = append(typeNames, name)
		case *types.Func:
			funcs = append(funcs, name)
		default:
			return nil, fmt.Errorf("unexpected exported object %s", name)
		}
	}

	var body bytes.Buffer
	p := func(format string, args ...any) { fmt.Fprintf(&body, format+"\n", args...) }
	group := func(kw string, names []string, what string) {
		if len(names) == 0 {
			return
		}
		p("%s (", kw)
		for i, n := range names {
			if i > 0 {
				p("")
			}
			if d, ok := special(docs, n); ok {
				p("\t// %s", strings.ReplaceAll(d, "\n", "\n\t// "))
			} else {
				p("\t// %s is [%s.%s]%s.", n, local, n, what)
			}
			p("\t%s = %s.%s", n, local, n)
		}
		p(")")
		p("")
	}
	group("const", consts, "")
	group("var", vars, ", the same value")
	group("type", typeNames, "")
	for _, name := range funcs {
		fn := pkg.Scope().Lookup(name).(*types.Func)
		sig := fn.Type().(*types.Signature)
		if sig.TypeParams().Len() > 0 {
			return nil, fmt.Errorf("generic function %s is not supported", name)
		}
		var params, args []string
		for i := 0; i < sig.Params().Len(); i++ {
			v := sig.Params().At(i)
			pname := v.Name()
			if pname == "" || pname == "_" || pname == local {
				pname = fmt.Sprintf("p%d", i)
			}
			t := types.TypeString(v.Type(), qual)
			arg := pname
			if sig.Variadic() && i == sig.Params().Len()-1 {
				t = "..." + types.TypeString(v.Type().(*types.Slice).Elem(), qual)
				arg += "..."
			}
			params = append(params, pname+" "+t)
			args = append(args, arg)
		}
		var results []string
		for i := 0; i < sig.Results().Len(); i++ {
			results = append(results, types.TypeString(sig.Results().At(i).Type(), qual))
		}
		res := strings.Join(results, ", ")
		if len(results) > 1 {
			res = "(" + res + ")"
		}
		call := fmt.Sprintf("%s.%s(%s)", local, name, strings.Join(args, ", "))
		b, ok := special(bodies, name)
		switch {
		case ok:
		case len(results) == 0:
			b = call
		default:
			b = "return " + call
		}
		if d, ok := special(docs, name); ok {
			p("// %s", strings.ReplaceAll(d, "\n", "\n// "))
		} else {
			p("// %s calls [%s.%s].", name, local, name)
		}
		p("func %s(%s) %s {\n%s\n}", name, strings.Join(params, ", "), res, b)
		p("")
	}
	if qerr != nil {
		return nil, qerr
	}

	var buf bytes.Buffer
	fmt.Fprintf(&buf, "// Code generated by bench/compat/gen from %s %s; DO NOT EDIT.\n\n", t.module, version)
	fmt.Fprintf(&buf, "package %s\n\n", pkg.Name())
	var paths []string
	for path := range imports {
		paths = append(paths, path)
	}
	sort.Slice(paths, func(i, j int) bool {
		si, sj := !strings.Contains(strings.Split(paths[i], "/")[0], "."), !strings.Contains(strings.Split(paths[j], "/")[0], ".")
		if si != sj {
			return si // standard library first
		}
		return paths[i] < paths[j]
	})
	buf.WriteString("import (\n")
	for i, path := range paths {
		if i > 0 && strings.Contains(strings.Split(path, "/")[0], ".") && !strings.Contains(strings.Split(paths[i-1], "/")[0], ".") {
			buf.WriteString("\n")
		}
		if name := imports[path]; name != path[strings.LastIndex(path, "/")+1:] {
			fmt.Fprintf(&buf, "\t%s %q\n", name, path)
		} else {
			fmt.Fprintf(&buf, "\t%q\n", path)
		}
	}
	buf.WriteString(")\n\n")
	buf.Write(body.Bytes())
	src, err := format.Source(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("gofmt: %v\n%s", err, buf.Bytes())
	}
	return src, nil
}
