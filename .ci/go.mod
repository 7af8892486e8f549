module boltci

go 1.25.0
