module github.com/ogsync/ogsync

go 1.26

require (
	github.com/lmittmann/tint v1.2.1
	github.com/robfig/cron/v3 v3.0.1
	github.com/sirupsen/logrus v1.4.2
	gopkg.in/yaml.v3 v3.0.1
)

require (
	github.com/hashicorp/go-cleanhttp v0.5.0 // indirect
	github.com/hashicorp/go-retryablehttp v0.5.1 // indirect
	github.com/konsorten/go-windows-terminal-sequences v1.0.1 // indirect
	github.com/opsgenie/opsgenie-go-sdk-v2 v1.2.23
	github.com/pkg/errors v0.8.1 // indirect
	golang.org/x/sys v0.0.0-20201119102817-f84b799fce68 // indirect
)
