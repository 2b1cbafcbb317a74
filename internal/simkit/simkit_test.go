package simkit

import (
	"regexp"
	"testing"
	"time"
)

func TestFaulterIsSeeded(t *testing.T) {
	o := FaultOptions{Seed: 7, ErrorRate: 0.3, DropRate: 0.2, LateRate: 0.1, Jitter: time.Second}
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	a, b, c := NewFaulter(o, 1), NewFaulter(o, 1), NewFaulter(o, 2)
	same, kinds := 0, map[string]bool{}
	for range 200 {
		x, y, z := a.Draw(), b.Draw(), c.Draw()
		if x != y {
			t.Fatalf("same seed and stream, different fates: %+v %+v", x, y)
		}
		if x == z {
			same++
		}
		switch {
		case x.Drop:
			kinds["drop"] = true
		case x.Status != 0:
			kinds["status"] = true
		case x.Late:
			kinds["late"] = true
		}
	}
	if same == 200 || len(kinds) != 3 {
		t.Errorf("streams alike %d/200 times; kinds drawn %v", same, kinds)
	}
	if (FaultOptions{ErrorRate: 0.8, DropRate: 0.3}).Validate() == nil {
		t.Error("rates adding up to more than 1 were accepted")
	}
	if NewFaulter(FaultOptions{}, 1).Draw() != (Fault{}) {
		t.Error("options off drew a fault")
	}
}

func TestIDGenIsSeeded(t *testing.T) {
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	a, b := NewIDGen(3), NewIDGen(3)
	seen := map[string]bool{}
	for range 100 {
		x, y := a.Next(), b.Next()
		if x != y || !uuid.MatchString(x) || seen[x] {
			t.Fatalf("ids %q %q (seen before: %v)", x, y, seen[x])
		}
		seen[x] = true
	}
	if NewIDGen(4).Next() == NewIDGen(3).Next() {
		t.Error("another seed gave the same id")
	}
}
