package main

import (
	"testing"
)

func TestPages(t *testing.T) {
	if got, want := mustRun(t, "pages", fixture(t)), golden(t, "pages.txt"); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	// A new database: root leaf and freelist, as bbolt writes them.
	const want = `ID       TYPE       ITEMS  OVRFLW
======== ========== ====== ======
0        meta       0            
1        meta       0            
2        freelist   0            
3        leaf       0            
`
	if got := mustRun(t, "pages", newDB(t, nil)); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
