package trained

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// TestGraphsOnlyBuild enforces the layout: packages under graphs/ build
// graphs and nothing else. They may not import packages that touch files
// or the network, nor this project's pkg/, and may not open or run
// sessions.
func TestGraphsOnlyBuild(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..", "graphs")
	forbidden := []string{"os", "io/ioutil", "net", "net/http", "os/exec", "path/filepath", "pix2pix/pkg/"}
	n := 0
	err := filepath.Walk(root, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		n++
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			for _, bad := range forbidden {
				if p == bad || (strings.HasSuffix(bad, "/") && strings.HasPrefix(p, bad)) {
					t.Errorf("%s imports %s: graphs/ may not touch files, the network or pkg/", path, p)
				}
			}
		}
		ast.Inspect(f, func(node ast.Node) bool {
			if sel, ok := node.(*ast.SelectorExpr); ok {
				switch sel.Sel.Name {
				case "NewSession", "Run", "LoadSavedModel", "NewPartialRun":
					t.Errorf("%s uses %s: graphs/ may not open or run sessions", path, sel.Sel.Name)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no Go files found under graphs/")
	}
	t.Logf("%d files under graphs/ checked", n)
}
