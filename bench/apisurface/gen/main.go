// Command gen writes bench/apisurface/surface_test.go: a test file that
// names every exported identifier of go.etcd.io/bbolt and
// go.etcd.io/bbolt/errors, at the version the bench module requires, with its
// exact type, but refers to it through github.com/boltkv/bolt. A name bolt
// lacks, or one whose type differs, makes that file fail to compile.
//
// It needs no go/packages: `go list -export` compiles bbolt and tells where
// its export data is, go/types reads the package from there, and go/parser
// reads bbolt's errors.go files for the error texts and the aliases of the
// root package.
//
// Checks that bolt fails but whose divergence from bbolt is known (listed in
// knownDivergences, with the reason) go to surface_strict_test.go instead,
// behind the build tag apisurface_strict, so that the default build passes
// while `go test -tags apisurface_strict ./apisurface/` still shows them;
// TestKnownDivergences fails once one of them compiles, so that the list
// shrinks when bolt is fixed.
//
// Usage, from bench/apisurface (or via `go generate ./apisurface`):
//
//	go run ./gen            # writes surface_test.go and surface_strict_test.go
//	go run ./gen -dir DIR   # writes them into DIR (used by the up-to-date test)
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"go/ast"
	"go/constant"
	"go/format"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

const (
	bboltPath  = "go.etcd.io/bbolt"
	errorsPath = "go.etcd.io/bbolt/errors"
	commonPath = "go.etcd.io/bbolt/internal/common"

	boltPath       = "github.com/boltkv/bolt"
	boltErrorsPath = "github.com/boltkv/bolt/errors"
)

// internalTypes are bbolt's internal types that leak into its exported API
// and that bolt exports under the same name from its root package
// (SPEC.md, "How bbolt names map to ours"). Any other internal type makes
// the declaration that uses it unrepresentable; it is then listed as
// skipped, with the reason, in the generated file.
var internalTypes = map[string]map[string]bool{
	commonPath: {"Pgid": true, "PageInfo": true},
}

// stdInterfaces are the standard interfaces checked against every bbolt
// type: when a bbolt type satisfies one, the bolt type must too.
var stdInterfaces = []struct{ pkg, name string }{
	{"fmt", "Stringer"},
	{"fmt", "GoStringer"},
	{"io", "Reader"},
	{"io", "Writer"},
	{"io", "WriterTo"},
	{"io", "ReaderFrom"},
	{"io", "Closer"},
	{"sort", "Interface"},
	{"encoding", "TextMarshaler"},
	{"encoding/json", "Marshaler"},
}

// knownDivergences are checks bolt is known to fail (reported, not yet
// fixed in the library), keyed by the name the generated file gives them.
var knownDivergences = map[string]string{
	"bolt.Options struct type": "bolt adds its own field GroupCommit (Batch as group commit), so the struct is bbolt's plus one field; each of bbolt's fields is still checked",
}

const (
	mainFile   = "surface_test.go"
	strictFile = "surface_strict_test.go"
	strictTag  = "apisurface_strict"
)

func main() {
	dir := flag.String("dir", ".", "directory to write "+mainFile+" and "+strictFile+" into")
	flag.Parse()
	files, err := generate()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(*dir, name), src, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
	}
}

type module struct {
	Path    string
	Version string
	Dir     string
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

func generate() (map[string][]byte, error) {
	out, err := goCmd("list", "-m", "-json", bboltPath)
	if err != nil {
		return nil, err
	}
	var mod module
	if err := json.Unmarshal(out, &mod); err != nil {
		return nil, err
	}
	if mod.Dir == "" {
		return nil, fmt.Errorf("module %s@%s is not in the module cache (run go mod download)", mod.Path, mod.Version)
	}

	// Export data for bbolt, its dependencies and the standard packages
	// whose interfaces are checked.
	args := []string{"list", "-export", "-deps", "-f", "{{.ImportPath}}\t{{.Export}}", bboltPath, errorsPath}
	for _, si := range stdInterfaces {
		args = append(args, si.pkg)
	}
	out, err = goCmd(args...)
	if err != nil {
		return nil, err
	}
	exports := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, file, _ := strings.Cut(line, "\t")
		exports[path] = file
	}
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		f, ok := exports[path]
		if !ok || f == "" {
			return nil, fmt.Errorf("no export data for %q", path)
		}
		return os.Open(f)
	})
	load := func(path string) (*types.Package, error) {
		p, err := imp.Import(path)
		if err != nil {
			return nil, fmt.Errorf("import %s: %v", path, err)
		}
		return p, nil
	}
	root, err := load(bboltPath)
	if err != nil {
		return nil, err
	}
	errs, err := load(errorsPath)
	if err != nil {
		return nil, err
	}
	var ifaces []*types.TypeName
	for _, si := range stdInterfaces {
		p, err := load(si.pkg)
		if err != nil {
			return nil, err
		}
		ifaces = append(ifaces, p.Scope().Lookup(si.name).(*types.TypeName))
	}
	ifaces = append(ifaces, types.Universe.Lookup("error").(*types.TypeName))

	messages, err := errorMessages(filepath.Join(mod.Dir, "errors", "errors.go"))
	if err != nil {
		return nil, err
	}
	aliases, err := errorAliases(filepath.Join(mod.Dir, "errors.go"))
	if err != nil {
		return nil, err
	}

	g := &gen{
		root:     root,
		errs:     errs,
		main:     &output{imports: map[string]string{}},
		strict:   &output{imports: map[string]string{}},
		internal: map[*types.TypeName]bool{},
		messages: messages,
		aliases:  aliases,
	}
	g.stdIfaces = ifaces
	g.cur = g.main
	g.body(mod)
	for what := range knownDivergences {
		if !g.diverged[what] {
			return nil, fmt.Errorf("knownDivergences lists %q, which the generator no longer emits", what)
		}
	}

	files := map[string][]byte{}
	for name, o := range map[string]*output{mainFile: g.main, strictFile: g.strict} {
		var buf bytes.Buffer
		if o == g.strict {
			fmt.Fprintf(&buf, "//go:build %s\n\n", strictTag)
		}
		fmt.Fprintf(&buf, "// Code generated by bench/apisurface/gen from %s %s; DO NOT EDIT.\n\n", mod.Path, mod.Version)
		buf.WriteString("package apisurface_test\n\n")
		var std, other []string
		for p := range o.imports {
			if strings.Contains(strings.Split(p, "/")[0], ".") {
				other = append(other, p)
			} else {
				std = append(std, p)
			}
		}
		if len(std)+len(other) > 0 {
			buf.WriteString("import (\n")
			for i, group := range [][]string{std, other} {
				sort.Strings(group)
				if i > 0 && len(std) > 0 && len(other) > 0 {
					buf.WriteString("\n")
				}
				for _, p := range group {
					if name := o.imports[p]; name != lastElem(p) {
						fmt.Fprintf(&buf, "\t%s %q\n", name, p)
					} else {
						fmt.Fprintf(&buf, "\t%q\n", p)
					}
				}
			}
			buf.WriteString(")\n\n")
		}
		buf.Write(o.buf.Bytes())
		src := buf.Bytes()
		for i := 0; i < 3; i++ { // gofmt is not always idempotent in one pass
			f, err := format.Source(src)
			if err != nil {
				return nil, fmt.Errorf("gofmt of %s: %v\n%s", name, err, src)
			}
			if bytes.Equal(f, src) {
				break
			}
			src = f
		}
		files[name] = src
	}
	return files, nil
}

func lastElem(p string) string { return p[strings.LastIndex(p, "/")+1:] }

// errorMessages reads `ErrX = errors.New("text")` from bbolt's errors package.
func errorMessages(file string) (map[string]string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		return nil, err
	}
	msgs := map[string]string{}
	eachValueSpec(f, func(name string, v ast.Expr) {
		call, ok := v.(*ast.CallExpr)
		if !ok || len(call.Args) != 1 {
			return
		}
		if sel, ok := call.Fun.(*ast.SelectorExpr); !ok || sel.Sel.Name != "New" {
			return
		}
		if lit, ok := call.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
			if s, err := strconv.Unquote(lit.Value); err == nil {
				msgs[name] = s
			}
		}
	})
	return msgs, nil
}

// errorAliases reads `ErrX = errors.ErrY` from bbolt's root errors.go: the
// root variables that are the errors package's values themselves.
func errorAliases(file string) (map[string]string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		return nil, err
	}
	local := ""
	for _, is := range f.Imports {
		if p, _ := strconv.Unquote(is.Path.Value); p == errorsPath {
			local = "errors"
			if is.Name != nil {
				local = is.Name.Name
			}
		}
	}
	aliases := map[string]string{}
	eachValueSpec(f, func(name string, v ast.Expr) {
		if sel, ok := v.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == local {
				aliases[name] = sel.Sel.Name
			}
		}
	})
	return aliases, nil
}

func eachValueSpec(f *ast.File, fn func(name string, v ast.Expr)) {
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.VAR {
			continue
		}
		for _, s := range gd.Specs {
			vs := s.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if i < len(vs.Values) {
					fn(n.Name, vs.Values[i])
				}
			}
		}
	}
}

// output is one generated file: its body and the imports it needs
// (import path -> name used in the file).
type output struct {
	buf     bytes.Buffer
	imports map[string]string
}

type gen struct {
	root, errs   *types.Package
	stdIfaces    []*types.TypeName
	main, strict *output
	cur          *output // where p and the type printer write
	internal     map[*types.TypeName]bool
	messages     map[string]string // errors package: name -> text
	aliases      map[string]string // root var -> errors package var
	diverged     map[string]bool   // knownDivergences entries emitted
	loose        *[]string         // see qual

	constTests []string // statements of TestConstantValues
	skipped    []string
}

func (g *gen) p(format string, args ...any) { fmt.Fprintf(&g.cur.buf, format+"\n", args...) }

// unrepresentable is returned by the type printer for a type that bolt
// cannot name (an internal type without a bolt counterpart, or an
// unexported one).
type unrepresentable struct{ what string }

func (u unrepresentable) Error() string { return u.what }

// qual gives the bolt-side qualified name of a named type. In loose mode
// (g.loose != nil) a named type bolt can't name becomes a type parameter,
// which g.loose collects.
func (g *gen) qual(tn *types.TypeName) (name string, err error) {
	if g.loose != nil {
		defer func() {
			if _, ok := err.(unrepresentable); ok {
				name, err = fmt.Sprintf("P%d", len(*g.loose)), nil
				*g.loose = append(*g.loose, name)
			}
		}()
	}
	pkg := tn.Pkg()
	if pkg == nil { // error, comparable, any
		return tn.Name(), nil
	}
	switch path := pkg.Path(); {
	case path == bboltPath:
		if !tn.Exported() {
			return "", unrepresentable{"unexported type " + path + "." + tn.Name()}
		}
		g.cur.imports[boltPath] = "bolt"
		return "bolt." + tn.Name(), nil
	case path == errorsPath:
		g.cur.imports[boltErrorsPath] = "berrors"
		return "berrors." + tn.Name(), nil
	case internalTypes[path] != nil:
		if !internalTypes[path][tn.Name()] {
			return "", unrepresentable{"internal type " + path + "." + tn.Name()}
		}
		g.cur.imports[boltPath] = "bolt"
		g.internal[tn] = true
		return "bolt." + tn.Name(), nil
	case strings.HasPrefix(path, bboltPath+"/"):
		return "", unrepresentable{"type " + path + "." + tn.Name()}
	default:
		name := pkg.Name()
		if name == "bolt" || name == "berrors" || name == "testing" {
			name = "std" + name
		}
		g.cur.imports[path] = name
		return name + "." + tn.Name(), nil
	}
}

// typ spells t in the generated file; bbolt names become bolt names.
func (g *gen) typ(t types.Type) (string, error) {
	switch t := t.(type) {
	case *types.Basic:
		if t.Info()&types.IsUntyped != 0 {
			return "", fmt.Errorf("untyped type %s", t)
		}
		return t.Name(), nil
	case *types.Alias:
		if t.Obj().Pkg() == nil {
			return t.Obj().Name(), nil // any
		}
		return g.typ(types.Unalias(t))
	case *types.Named:
		if t.TypeArgs().Len() > 0 {
			return "", fmt.Errorf("generic type %s not supported", t)
		}
		return g.qual(t.Obj())
	case *types.Pointer:
		e, err := g.typ(t.Elem())
		return "*" + e, err
	case *types.Slice:
		e, err := g.typ(t.Elem())
		return "[]" + e, err
	case *types.Array:
		e, err := g.typ(t.Elem())
		return fmt.Sprintf("[%d]%s", t.Len(), e), err
	case *types.Map:
		k, err := g.typ(t.Key())
		if err != nil {
			return "", err
		}
		e, err := g.typ(t.Elem())
		return "map[" + k + "]" + e, err
	case *types.Chan:
		e, err := g.typ(t.Elem())
		switch t.Dir() {
		case types.SendOnly:
			return "chan<- " + e, err
		case types.RecvOnly:
			return "<-chan " + e, err
		}
		if strings.HasPrefix(e, "<-") {
			e = "(" + e + ")"
		}
		return "chan " + e, err
	case *types.Signature:
		return g.sig(nil, t)
	case *types.Struct:
		var b strings.Builder
		b.WriteString("struct{")
		for i := 0; i < t.NumFields(); i++ {
			f := t.Field(i)
			if !f.Exported() {
				return "", unrepresentable{"unexported field " + f.Name()}
			}
			ft, err := g.typ(f.Type())
			if err != nil {
				return "", err
			}
			if i > 0 {
				b.WriteString("; ")
			}
			if !f.Embedded() {
				b.WriteString(f.Name() + " ")
			}
			b.WriteString(ft)
			if tag := t.Tag(i); tag != "" {
				if strings.Contains(tag, "`") {
					b.WriteString(" " + strconv.Quote(tag))
				} else {
					b.WriteString(" `" + tag + "`")
				}
			}
		}
		b.WriteString("}")
		return b.String(), nil
	case *types.Interface:
		if t.NumMethods() == 0 && t.NumEmbeddeds() == 0 {
			return "interface{}", nil
		}
		var parts []string
		for i := 0; i < t.NumMethods(); i++ { // all methods, embedded ones included
			m := t.Method(i)
			if !m.Exported() {
				return "", unrepresentable{"unexported interface method " + m.Name()}
			}
			s, err := g.sig(nil, m.Type().(*types.Signature))
			if err != nil {
				return "", err
			}
			parts = append(parts, m.Name()+strings.TrimPrefix(s, "func"))
		}
		return "interface{ " + strings.Join(parts, "; ") + " }", nil
	}
	return "", fmt.Errorf("unsupported type %T %s", t, t)
}

// sig spells a signature without parameter names; recv, if not nil, is
// prepended as the first parameter (the type of a method expression).
func (g *gen) sig(recv types.Type, s *types.Signature) (string, error) {
	var params []string
	if recv != nil {
		r, err := g.typ(recv)
		if err != nil {
			return "", err
		}
		params = append(params, r)
	}
	for i := 0; i < s.Params().Len(); i++ {
		pt := s.Params().At(i).Type()
		if s.Variadic() && i == s.Params().Len()-1 {
			e, err := g.typ(pt.(*types.Slice).Elem())
			if err != nil {
				return "", err
			}
			params = append(params, "..."+e)
			continue
		}
		p, err := g.typ(pt)
		if err != nil {
			return "", err
		}
		params = append(params, p)
	}
	var results []string
	for i := 0; i < s.Results().Len(); i++ {
		r, err := g.typ(s.Results().At(i).Type())
		if err != nil {
			return "", err
		}
		results = append(results, r)
	}
	str := "func(" + strings.Join(params, ", ") + ")"
	switch len(results) {
	case 0:
	case 1:
		str += " " + results[0]
	default:
		str += " (" + strings.Join(results, ", ") + ")"
	}
	return str, nil
}

// decl emits one check, or records why it was skipped when bbolt's type
// can't be named from bolt. build returns the Go source of the check.
func (g *gen) decl(what string, build func() (string, error)) {
	if reason, ok := knownDivergences[what]; ok {
		g.cur = g.strict
		src, err := build()
		if err != nil {
			panic(fmt.Sprintf("%s: %v", what, err))
		}
		g.p("// DIVERGENCE %s: %s.\n%s\n", what, reason, src)
		g.cur = g.main
		g.p("// %s: known divergence, checked in %s (-tags %s).", what, strictFile, strictTag)
		if g.diverged == nil {
			g.diverged = map[string]bool{}
		}
		g.diverged[what] = true
		return
	}
	src, err := build()
	if err != nil {
		if u, ok := err.(unrepresentable); ok {
			g.skipped = append(g.skipped, fmt.Sprintf("%s: uses %s", what, u.what))
			g.p("// skipped %s: it uses %s, which bolt does not export.", what, u.what)
			return
		}
		panic(fmt.Sprintf("%s: %v", what, err))
	}
	g.p("%s", src)
}

func sortedNames(p *types.Package) []string {
	var names []string
	for _, n := range p.Scope().Names() {
		if token.IsExported(n) {
			names = append(names, n)
		}
	}
	return names
}

func (g *gen) body(mod module) {
	g.cur.imports[boltPath] = "bolt"
	g.cur.imports[boltErrorsPath] = "berrors"
	g.cur.imports["testing"] = "testing"
	for _, p := range []string{"reflect", "runtime", "time"} { // used by boltdbExtras
		g.cur.imports[p] = p
	}

	g.p("// This file names every exported identifier of %s %s and of", mod.Path, mod.Version)
	g.p("// %s with its exact type, through bolt. It only has to compile;", errorsPath)
	g.p("// the tests at the end check the values of the constants and errors.")
	g.p("//")
	g.p("// Types are checked exactly: variables through a pointer to them, typed")
	g.p("// constants through a pointer to a copy, functions and methods by assigning")
	g.p("// them (method expressions) to a func type, untyped constants by assigning")
	g.p("// them to two distinct types, fields through a pointer to them, underlying")
	g.p("// types through a generic ~T constraint and interfaces by assigning both ways.")
	g.p("")
	g.p("// Distinct named types an untyped constant must be assignable to, besides")
	g.p("// its default type: a typed constant is assignable to only one of them.")
	g.p("type (")
	g.p("\tuntypedBool bool")
	g.p("\tuntypedInt int64")
	g.p("\tuntypedFloat float64")
	g.p("\tuntypedString string")
	g.p(")")
	g.p("")

	for _, pkg := range []*types.Package{g.root, g.errs} {
		q := "bolt"
		if pkg == g.errs {
			q = "berrors"
		}
		g.p("// ---- package %s ----", pkg.Path())
		g.p("")
		var typeNames []*types.TypeName
		for _, name := range sortedNames(pkg) {
			switch obj := pkg.Scope().Lookup(name).(type) {
			case *types.Const:
				g.constant(q, obj)
			case *types.Var:
				g.decl(q+"."+name, func() (string, error) {
					t, err := g.typ(obj.Type())
					return fmt.Sprintf("var _ *%s = &%s.%s", t, q, name), err
				})
			case *types.Func:
				g.decl(q+"."+name, func() (string, error) {
					s, err := g.sig(nil, obj.Type().(*types.Signature))
					return fmt.Sprintf("var _ %s = %s.%s", s, q, name), err
				})
			case *types.TypeName:
				typeNames = append(typeNames, obj)
			}
		}
		g.p("")
		for _, tn := range typeNames {
			g.typeName(tn)
		}
	}

	// Internal bbolt types reachable from its API, which bolt exports.
	done := map[*types.TypeName]bool{}
	for {
		var todo []*types.TypeName
		for tn := range g.internal {
			if !done[tn] {
				todo = append(todo, tn)
			}
		}
		if len(todo) == 0 {
			break
		}
		sort.Slice(todo, func(i, j int) bool { return todo[i].Name() < todo[j].Name() })
		for _, tn := range todo {
			done[tn] = true
			g.p("// ---- %s.%s (reachable from bbolt's API; bolt.%s) ----", tn.Pkg().Path(), tn.Name(), tn.Name())
			g.p("")
			g.typeName(tn)
		}
	}

	g.p("%s", boltdbExtras)

	// Value tests.
	g.p("func TestConstantValues(t *testing.T) {")
	for _, s := range g.constTests {
		g.p("\t%s", s)
	}
	g.p("}")
	g.p("")
	g.p("// TestErrorAliases: bbolt's root error variables are the errors package's")
	g.p("// values themselves, so == works across the two names.")
	g.p("func TestErrorAliases(t *testing.T) {")
	var names []string
	for n := range g.aliases {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		g.p("\tif bolt.%s != berrors.%s {", n, g.aliases[n])
		g.p("\t\tt.Errorf(\"bolt.%s != berrors.%s\")", n, g.aliases[n])
		g.p("\t}")
	}
	g.p("}")
	g.p("")
	g.p("func TestErrorMessages(t *testing.T) {")
	names = names[:0]
	for n := range g.messages {
		names = append(names, n)
	}
	sort.Strings(names)
	g.p("\tfor _, c := range []struct {")
	g.p("\t\tname string")
	g.p("\t\terr  error")
	g.p("\t\twant string")
	g.p("\t}{")
	for _, n := range names {
		g.p("\t\t{%q, berrors.%s, %q},", "errors."+n, n, g.messages[n])
	}
	g.p("\t} {")
	g.p("\t\tif c.err == nil {")
	g.p("\t\t\tt.Errorf(\"%%s is nil\", c.name)")
	g.p("\t\t} else if got := c.err.Error(); got != c.want {")
	g.p("\t\t\tt.Errorf(\"%%s.Error() = %%q, want %%q\", c.name, got, c.want)")
	g.p("\t\t}")
	g.p("\t}")
	g.p("}")
	g.p("")
	g.p("// knownDivergences are the checks moved to %s (see gen/main.go);", strictFile)
	g.p("// TestKnownDivergences checks that each of them still fails to compile.")
	g.p("var knownDivergences = []string{")
	var divs []string
	for what := range g.diverged {
		divs = append(divs, what)
	}
	sort.Strings(divs)
	for _, what := range divs {
		g.p("\t%q,", what)
	}
	g.p("}")
	g.p("")
	g.p("// skippedDecls lists bbolt declarations that bolt cannot name (see SPEC.md,")
	g.p("// \"How bbolt names map to ours\"); the up-to-date test keeps this list honest.")
	g.p("var skippedDecls = []string{")
	for _, s := range g.skipped {
		g.p("\t%q,", s)
	}
	g.p("}")
}

func (g *gen) constant(q string, c *types.Const) {
	name := q + "." + c.Name()
	val := c.Val()
	if b, ok := c.Type().(*types.Basic); ok && b.Info()&types.IsUntyped != 0 {
		var def, alt, lit string
		switch val.Kind() {
		case constant.Bool:
			def, alt, lit = "bool", "untypedBool", val.ExactString()
		case constant.Int:
			def, alt, lit = "int", "untypedInt", val.ExactString()
			if b.Kind() == types.UntypedRune {
				def = "rune"
			}
		case constant.Float:
			f, _ := constant.Float64Val(val)
			def, alt, lit = "float64", "untypedFloat", strconv.FormatFloat(f, 'g', -1, 64)
		case constant.String:
			def, alt, lit = "string", "untypedString", strconv.Quote(constant.StringVal(val))
		default:
			panic("unsupported constant " + name)
		}
		g.p("var _ %s = %s // untyped: assignable to %s and %s", def, name, def, alt)
		g.p("var _ %s = %s", alt, name)
		g.constTests = append(g.constTests, fmt.Sprintf("if %s != %s {\n\tt.Errorf(\"%s = %%v, want %%v\", %s, %s)\n}", name, lit, name, name, lit))
		return
	}
	g.decl(name, func() (string, error) {
		t, err := g.typ(c.Type())
		if err != nil {
			return "", err
		}
		var lit string
		switch val.Kind() {
		case constant.String:
			lit = strconv.Quote(constant.StringVal(val))
		case constant.Float:
			f, _ := constant.Float64Val(val)
			lit = strconv.FormatFloat(f, 'g', -1, 64)
		default:
			lit = val.ExactString()
		}
		want := fmt.Sprintf("%s(%s)", t, lit)
		g.constTests = append(g.constTests, fmt.Sprintf("if %s != %s {\n\tt.Errorf(\"%s = %%v, want %%v\", %s, %s)\n}", name, want, name, name, want))
		return fmt.Sprintf("var _ = func() { x := %s; var _ *%s = &x } // typed %s", name, t, t), nil
	})
}

func (g *gen) typeName(tn *types.TypeName) {
	if tn.IsAlias() {
		g.decl("alias "+tn.Name(), func() (string, error) {
			q, err := g.qual(tn)
			if err != nil {
				return "", err
			}
			t, err := g.typ(tn.Type())
			return fmt.Sprintf("var _ = underlying_%s[%s]\n\nfunc underlying_%s[T ~%s]() {}", tn.Name(), q, tn.Name(), t), err
		})
		return
	}
	named := tn.Type().(*types.Named)
	q, err := g.qual(tn)
	if err != nil {
		panic(err)
	}
	id := strings.ReplaceAll(q, ".", "_")
	g.p("// type %s", q)

	switch u := named.Underlying().(type) {
	case *types.Interface:
		g.decl(q+" method set", func() (string, error) {
			lit, err := g.typ(u)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("// Same method set: assignable both ways.\nvar _ = func(x %s) %s { return x }\nvar _ = func(x %s) %s { return x }", q, lit, lit, q), nil
		})
	case *types.Struct:
		// Exact struct type (fields, order, tags) when all fields are exported.
		allExported := true
		for i := 0; i < u.NumFields(); i++ {
			allExported = allExported && u.Field(i).Exported()
		}
		if allExported {
			g.decl(q+" struct type", func() (string, error) {
				lit, err := g.typ(u)
				return fmt.Sprintf("var _ = underlying_%s[%s]\n\nfunc underlying_%s[T ~%s]() {}", id, q, id, lit), err
			})
		}
		for i := 0; i < u.NumFields(); i++ {
			f := u.Field(i)
			if !f.Exported() {
				continue
			}
			g.decl(q+"."+f.Name()+" field", func() (string, error) {
				ft, err := g.typ(f.Type())
				return fmt.Sprintf("var _ = func(x *%s) *%s { return &x.%s }", q, ft, f.Name()), err
			})
		}
	default:
		g.decl(q+" underlying type", func() (string, error) {
			// Types bolt can't name (CheckOption's func(*checkConfig))
			// become type parameters: the shape is still checked.
			var params []string
			g.loose = &params
			lit, err := g.typ(u)
			g.loose = nil
			tparams := "T ~" + lit
			for _, p := range params {
				tparams += ", " + p + " any"
			}
			return fmt.Sprintf("var _ = underlying_%s[%s]\n\nfunc underlying_%s[%s]() {}", id, q, id, tparams), err
		})
	}

	// Methods, promoted ones included: value receivers as T.M, the rest as
	// (*T).M.
	_, isIface := named.Underlying().(*types.Interface)
	valSet := types.NewMethodSet(named)
	allSet := valSet
	if !isIface {
		allSet = types.NewMethodSet(types.NewPointer(named))
	}
	for i := 0; i < allSet.Len(); i++ {
		sel := allSet.At(i)
		m := sel.Obj().(*types.Func)
		if !m.Exported() || isIface {
			if isIface && m.Exported() {
				g.decl(q+"."+m.Name(), func() (string, error) {
					s, err := g.sig(named, m.Type().(*types.Signature))
					return fmt.Sprintf("var _ %s = %s.%s", s, q, m.Name()), err
				})
			}
			continue
		}
		method := func(recv types.Type, expr string) func() (string, error) {
			return func() (string, error) {
				s, err := g.sig(recv, m.Type().(*types.Signature))
				return fmt.Sprintf("var _ %s = %s", s, expr), err
			}
		}
		ptr := method(types.NewPointer(named), "(*"+q+")."+m.Name())
		if valSet.Lookup(m.Pkg(), m.Name()) == nil {
			g.decl(q+"."+m.Name(), ptr)
			continue
		}
		what := q + "." + m.Name()
		g.decl(what, method(named, q+"."+m.Name()))
		if _, ok := knownDivergences[what]; ok {
			// At least the method and its signature, on the pointer.
			g.decl(what+" (pointer receiver)", ptr)
		}
	}

	// Interfaces satisfied: bbolt's own and a few standard ones.
	if !isIface {
		var cands []*types.TypeName
		for _, n := range sortedNames(g.root) {
			if it, ok := g.root.Scope().Lookup(n).(*types.TypeName); ok && types.IsInterface(it.Type()) {
				cands = append(cands, it)
			}
		}
		cands = append(cands, g.stdIfaces...)
		for _, it := range cands {
			iface := it.Type().Underlying().(*types.Interface)
			impl := func(expr string) func() (string, error) {
				return func() (string, error) {
					iq, err := g.qual(it)
					return fmt.Sprintf("var _ %s = %s", iq, expr), err
				}
			}
			name := it.Name()
			if it.Pkg() != nil {
				name = it.Pkg().Name() + "." + name
			}
			what := q + " implements " + name
			switch {
			case types.Implements(named, iface):
				g.decl(what, impl("*new("+q+")"))
				if _, ok := knownDivergences[what]; ok {
					g.decl(what+" (pointer)", impl("(*"+q+")(nil)"))
				}
			case types.Implements(types.NewPointer(named), iface):
				g.decl(what, impl("(*"+q+")(nil)"))
			}
		}
	}
	g.p("")
}

// boltdbExtras covers what github.com/boltdb/bolt v1.3.1 exported and bbolt
// no longer does (see SPEC.md §0 and §1.1): client code written for boltdb
// that still compiles against bolt. Types and values are those of boltdb's
// db.go and errors.go; PageInfo is covered above (bbolt's common.PageInfo
// has the same fields).
const boltdbExtras = `// ---- github.com/boltdb/bolt v1.3.1 identifiers that bbolt unexported or removed ----

var _ bool = bolt.IgnoreNoSync // untyped bool: runtime.GOOS == "openbsd"
var _ untypedBool = bolt.IgnoreNoSync
var _ = func() { x := bolt.DefaultMaxBatchSize; var _ *int = &x } // typed int
var _ = func() { x := bolt.DefaultMaxBatchDelay; var _ *time.Duration = &x } // typed time.Duration
var _ int = bolt.DefaultAllocSize // untyped int
var _ untypedInt = bolt.DefaultAllocSize
var _ *error = &bolt.ErrDatabaseOpen

func TestBoltDBExtras(t *testing.T) {
	if bolt.IgnoreNoSync != (runtime.GOOS == "openbsd") {
		t.Errorf("IgnoreNoSync = %v on %s", bolt.IgnoreNoSync, runtime.GOOS)
	}
	if bolt.DefaultMaxBatchSize != 1000 {
		t.Errorf("DefaultMaxBatchSize = %d, want 1000", bolt.DefaultMaxBatchSize)
	}
	if bolt.DefaultMaxBatchDelay != 10*time.Millisecond {
		t.Errorf("DefaultMaxBatchDelay = %v, want 10ms", bolt.DefaultMaxBatchDelay)
	}
	if bolt.DefaultAllocSize != 16*1024*1024 {
		t.Errorf("DefaultAllocSize = %d, want 16 MiB", bolt.DefaultAllocSize)
	}
	if bolt.ErrDatabaseOpen == nil || bolt.ErrDatabaseOpen.Error() != "database already open" {
		t.Errorf("ErrDatabaseOpen = %v, want \"database already open\"", bolt.ErrDatabaseOpen)
	}
	// bbolt's DefaultOptions (db.go): Timeout 0, NoGrowSync false, FreelistType array.
	if want := (bolt.Options{Timeout: 0, NoGrowSync: false, FreelistType: bolt.FreelistArrayType}); !reflect.DeepEqual(*bolt.DefaultOptions, want) {
		t.Errorf("*DefaultOptions = %v, want %v", bolt.DefaultOptions, &want)
	}
}
`
