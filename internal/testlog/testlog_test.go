package testlog

import (
	"strings"
	"sync"
	"testing"
)

func TestConcurrentWriters(t *testing.T) {
	log, buf := New()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				log.Debug("line")
				_ = buf.String()
			}
		})
	}
	wg.Wait()
	if n := strings.Count(buf.String(), "msg=line"); n != 400 {
		t.Errorf("%d lines, want 400", n)
	}
}
