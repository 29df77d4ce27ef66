package main

import (
	"crypto/rand"
	"fmt"
	"io"
	"os"
)

// scriptedReader yields a fixed byte stream, then falls back to the real
// source and says so on stderr.
type scriptedReader struct {
	stream   []byte
	pos      int
	overdraw int
	fallback io.Reader
}

func (r *scriptedReader) Read(p []byte) (int, error) {
	n := copy(p, r.stream[r.pos:])
	r.pos += n
	if n < len(p) {
		m, err := io.ReadFull(r.fallback, p[n:])
		r.overdraw += m
		return n + m, err
	}
	return n, nil
}

// withInjectedRandom replaces crypto/rand.Reader with the given stream for the
// duration of fn (requests are handled one at a time, so this is safe).
func withInjectedRandom(stream []byte, fn func()) {
	saved := rand.Reader
	r := &scriptedReader{stream: stream, fallback: saved}
	rand.Reader = r
	defer func() { rand.Reader = saved }()
	fn()
	if r.overdraw > 0 {
		fmt.Fprintf(os.Stderr, "go-mixin: library drew %d random bytes, %d were injected; the extra %d came from the real source\n",
			len(stream)+r.overdraw, len(stream), r.overdraw)
	} else if r.pos < len(stream) {
		fmt.Fprintf(os.Stderr, "go-mixin: library drew only %d of the %d injected random bytes\n", r.pos, len(stream))
	}
}
