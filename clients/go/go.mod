module github.com/licensemint/licensemint/clients/go

go 1.19
