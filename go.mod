module github.com/ogsync/ogsync

go 1.26

require (
	github.com/lmittmann/tint v1.2.1
	github.com/robfig/cron/v3 v3.0.1
	gopkg.in/yaml.v3 v3.0.1
)

require github.com/opsgenie/opsgenie-go-sdk-v2 v1.2.23 // indirect
