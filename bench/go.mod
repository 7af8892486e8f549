module github.com/boltkv/bolt/bench

go 1.25.0

require (
	github.com/boltdb/bolt v1.3.1
	github.com/boltkv/bolt v0.0.0
	github.com/stretchr/testify v1.11.1
	go.etcd.io/bbolt v1.5.0
	golang.org/x/sys v0.45.0
)

require (
	github.com/davecgh/go-spew v1.1.1 // indirect
	github.com/pmezard/go-difflib v1.0.0 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)

replace github.com/boltkv/bolt => ../
