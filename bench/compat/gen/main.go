// Command gen writes the forwarding files of the compatibility module
// compat/bbolt (module go.etcd.io/bbolt): one declaration for every exported
// identifier of go.etcd.io/bbolt and go.etcd.io/bbolt/errors, at the version
// the bench module requires, each forwarding to the same name in
// github.com/boltkv/bolt:
//
//   - a type becomes an alias (type DB = bolt.DB), so methods, fields and
//     type identity are bolt's;
//   - a constant becomes a constant of bolt's (const MaxKeySize =
//     bolt.MaxKeySize), keeping its type, or its untypedness;
//   - a variable becomes a variable initialized from bolt's; for the error
//     values that is the very value, so == and errors.Is hold across the
//     two import paths;
//   - a function becomes a function with bbolt's exact signature that calls
//     bolt's. Open also reads this package's DefaultOptions when given nil,
//     so that code which replaces bbolt.DefaultOptions keeps working.
//
// Only bbolt's own names are forwarded: bolt's extras stay in bolt, so a
// program that builds against the compatibility module builds against
// bbolt too. The compatibility module is complete by construction, and
// TestCompatUpToDate (bench/compat) fails when these files are stale, for
// instance after bench/go.mod moves to a newer bbolt.
//
// Usage, from bench (or via `go generate ./compat` there):
//
//	go run ./compat/gen            # writes compat/bbolt/bbolt.go and compat/bbolt/errors/errors.go
//	go run ./compat/gen -dir DIR   # writes DIR/bbolt.go and DIR/errors/errors.go
package main

import (
	"bytes"
	"encoding/json"
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
)

const (
	bboltPath  = "go.etcd.io/bbolt"
	errorsPath = "go.etcd.io/bbolt/errors"

	boltPath       = "github.com/boltkv/bolt"
	boltErrorsPath = "github.com/boltkv/bolt/errors"

	rootFile   = "bbolt.go"
	errorsFile = "errors/errors.go"
)

// bodies replaces the plain forwarding body of a few functions. The key is
// the function's name, the value its body; the parameters are named as in
// bbolt's declaration.
var bodies = map[string]string{
	// bolt.Open reads bolt.DefaultOptions for nil options. This package's
	// DefaultOptions starts as the same pointer, but a caller may assign a
	// new one to it; bbolt's Open would then use that.
	"Open": "if options == nil {\n\toptions = DefaultOptions\n}\nreturn bolt.Open(path, mode, options)",
}

// docs replaces the generated doc comment of a few declarations.
var docs = map[string]string{
	"DefaultOptions": "DefaultOptions starts as the very pointer [bolt.DefaultOptions]; Open\nreads this variable, so assigning a new value to it works as in bbolt.",
	"Open":           "Open calls [bolt.Open], with DefaultOptions (this package's) for nil\noptions.",
}

func main() {
	dir := flag.String("dir", "", "root directory of the compatibility module (default: compat/bbolt of the bolt checkout the bench module uses)")
	flag.Parse()
	if *dir == "" {
		out, err := goCmd("list", "-m", "-f", "{{.Dir}}", boltPath)
		if err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
		*dir = filepath.Join(strings.TrimSpace(string(out)), "compat", "bbolt")
	}
	files, version, err := generate()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	for name, src := range files {
		path := filepath.Join(*dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
		if err := os.WriteFile(path, src, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
	}
	fmt.Printf("gen: forwarded %s %s to %s in %s\n", bboltPath, version, boltPath, *dir)
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

// load reads the export data of bbolt's two public packages, as the Go
// tool compiled them for the bench module.
func load() (root, errs *types.Package, version string, err error) {
	out, err := goCmd("list", "-m", "-json", bboltPath)
	if err != nil {
		return nil, nil, "", err
	}
	var mod struct{ Version string }
	if err := json.Unmarshal(out, &mod); err != nil {
		return nil, nil, "", err
	}
	out, err = goCmd("list", "-export", "-deps", "-f", "{{.ImportPath}}\t{{.Export}}", bboltPath, errorsPath)
	if err != nil {
		return nil, nil, "", err
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
	if root, err = imp.Import(bboltPath); err != nil {
		return nil, nil, "", err
	}
	if errs, err = imp.Import(errorsPath); err != nil {
		return nil, nil, "", err
	}
	return root, errs, mod.Version, nil
}

func generate() (map[string][]byte, string, error) {
	root, errs, version, err := load()
	if err != nil {
		return nil, "", err
	}
	files := map[string][]byte{}
	for _, f := range []struct {
		name   string
		pkg    *types.Package
		target string // import path of the bolt package forwarded to
		local  string // name the generated file gives it
	}{
		{rootFile, root, boltPath, "bolt"},
		{errorsFile, errs, boltErrorsPath, "berrors"},
	} {
		src, err := file(f.pkg, version, f.target, f.local)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %v", f.name, err)
		}
		files[f.name] = src
	}
	return files, version, nil
}

// file writes the forwarding declarations for pkg, whose exported names
// are forwarded to the package target, imported as local.
func file(pkg *types.Package, version, target, local string) ([]byte, error) {
	imports := map[string]string{target: local} // path -> name
	// qual spells a package in a signature: bbolt's own types by this
	// package's alias names, internal ones by bolt's (which exports them),
	// others by their package name.
	var qerr error
	qual := func(p *types.Package) string {
		switch {
		case p == pkg:
			return ""
		case p.Path() == bboltPath || strings.HasPrefix(p.Path(), bboltPath+"/"):
			if p.Path() != bboltPath+"/internal/common" || pkg.Path() != bboltPath {
				qerr = fmt.Errorf("cannot spell a type of %s in %s", p.Path(), pkg.Path())
			}
			return local
		case p.Name() == local:
			qerr = fmt.Errorf("package %s clashes with the name %s", p.Path(), local)
		}
		imports[p.Path()] = p.Name()
		return p.Name()
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
			if d, ok := docs[n]; ok && pkg.Path() == bboltPath {
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
		b, ok := bodies[name]
		switch {
		case ok && pkg.Path() == bboltPath:
		case len(results) == 0:
			b = call
		default:
			b = "return " + call
		}
		if d, ok := docs[name]; ok && pkg.Path() == bboltPath {
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
	fmt.Fprintf(&buf, "// Code generated by bench/compat/gen from %s %s; DO NOT EDIT.\n\n", bboltPath, version)
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
