package main

// Injected randomness: the shared OpenSSL RAND method of adapters/themis-rand, compiled into
// this binary by cgo and linked against the libcrypto the core uses.

/*
#cgo LDFLAGS: -lcrypto
#include "../themis-rand/sealcheck_rand.c"
*/
import "C"

import (
	"errors"
	"unsafe"
)

// errDrawOrder means the method refused a draw that broke the expected order: the call's
// failure is the adapter's, not the library's.
var errDrawOrder = errors.New("draw out of order")

// withRandom runs f with the values served to the core's RAND_bytes calls, in order. It
// returns f's error, or an injection error when the core did not draw exactly those values.
func withRandom(values [][]byte, f func() error) (injectErr error, err error) {
	var all []byte
	sizes := make([]C.size_t, len(values))
	for i, v := range values {
		all = append(all, v...)
		sizes[i] = C.size_t(len(v))
	}
	if len(all) == 0 {
		return errors.New("no injected values"), nil
	}
	if C.sealcheck_rand_begin((*C.uchar)(unsafe.Pointer(&all[0])), &sizes[0], C.size_t(len(values))) != 0 {
		return errors.New("cannot install the injected-randomness method"), nil
	}
	err = f()
	var why [256]C.char
	rc := C.sealcheck_rand_end(&why[0], C.size_t(len(why)))
	reason := C.GoString(&why[0])
	switch {
	case rc == -2:
		return errors.New(reason), err
	case rc != 0 && err == nil:
		return errors.New(reason), nil
	}
	return nil, err
}

func opensslVersion() string {
	return C.GoString(C.sealcheck_openssl_version())
}
