module github.com/ogsync/ogsync

go 1.26.0

require (
	github.com/lmittmann/tint v1.2.1
	github.com/robfig/cron/v3 v3.0.1
	gopkg.in/yaml.v3 v3.0.1
)

require golang.org/x/time v0.16.0
