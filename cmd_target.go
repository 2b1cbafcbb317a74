package main

import (
	"fmt"
	"strings"

	"github.com/ogsync/ogsync/config"
)

// takeTargetFlag removes --target NAME (or --target=NAME, one dash or two)
// from args and returns NAME, default opsgenie, and the other arguments.
func takeTargetFlag(args []string) (string, []string, error) {
	name := config.TargetOpsGenie
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		flag := strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
		switch {
		case flag == a: // not a flag: an argument, or a flag's value such as --seed target
			rest = append(rest, a)
		case flag == "target":
			if i+1 >= len(args) {
				return "", nil, fmt.Errorf("flag needs an argument: %s", a)
			}
			name = args[i+1]
			i++
		case strings.HasPrefix(flag, "target="):
			name = strings.TrimPrefix(flag, "target=")
		default:
			rest = append(rest, a)
		}
	}
	if name != config.TargetOpsGenie && name != config.TargetAtlassian {
		return "", nil, fmt.Errorf("--target=%s: must be opsgenie or atlassian", name)
	}
	return name, rest, nil
}
