package redact

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

const key = "c4n4ry-0g5ync-k3y-7Qz9xW2v-5ecre7-0042"

func TestString(t *testing.T) {
	s := New(key)
	for _, tc := range []struct{ name, in string }{
		{"whole", "key " + key + " echoed"},
		{"upper case", "KEY " + strings.ToUpper(key)},
		{"lower case", strings.ToLower(key)},
		{"first 8", "prefix " + key[:8] + " end"},
		{"last 8", key[len(key)-8:]},
		{"middle 8 in upper case", "x" + strings.ToUpper(key[10:18]) + "y"},
		{"split in two", `{"message":"` + key[:19] + `","errors":{"a":"` + key[19:] + `"}}`},
		{"twice", key + key},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := s.String(tc.in)
			if !strings.Contains(out, Mask) {
				t.Errorf("nothing hidden in %q", out)
			}
			low := strings.ToLower(out)
			k := strings.ToLower(key)
			for i := 0; i+MinPiece <= len(k); i++ {
				if strings.Contains(low, k[i:i+MinPiece]) {
					t.Fatalf("%q keeps the piece %q", out, k[i:i+MinPiece])
				}
			}
		})
	}
	if got := s.String("nothing secret here"); got != "nothing secret here" {
		t.Errorf("changed a clean text: %q", got)
	}
	if got := s.String(key[:7]); got != key[:7] {
		t.Errorf("a piece shorter than %d was hidden: %q", MinPiece, got)
	}
	var none *Secrets
	if got := none.String(key); got != key {
		t.Errorf("a nil set changed the text: %q", got)
	}
}

func TestShortSecret(t *testing.T) {
	s := New("abc")
	if got := s.String("xABCx"); got != "x"+Mask+"x" {
		t.Errorf("got %q", got)
	}
}

func TestWriter(t *testing.T) {
	var buf bytes.Buffer
	s := New()
	w := Writer(&buf, s)
	s.Add(key) // added after the writer was built
	n, err := w.Write([]byte("err: " + strings.ToUpper(key) + "\n"))
	if err != nil || n != len(key)+6 {
		t.Fatalf("Write = %d, %v", n, err)
	}
	if got := buf.String(); got != "err: "+Mask+"\n" {
		t.Errorf("wrote %q", got)
	}
}

func TestSecretsWriter(t *testing.T) {
	var buf bytes.Buffer
	s := New(key)
	fmt.Fprintf(s.Writer(&buf), "key %s\n", key)
	if got := buf.String(); got != "key "+Mask+"\n" {
		t.Errorf("wrote %q", got)
	}
}
