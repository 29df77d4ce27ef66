// Command gothemis puts GoThemis (github.com/cossacklabs/themis/gothemis, cgo over the native
// Themis core) behind the sealcheck implementation-under-test protocol (docs/PROTOCOL.md,
// version 1). One JSON request per line on stdin, one response per line on stdout, in order.
//
// Library panics are deliberately not recovered: the process dies with Go's panic message on
// stderr, so the harness records a crash.
package main

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	themiserrors "github.com/cossacklabs/themis/gothemis/errors"
	"github.com/cossacklabs/themis/gothemis/keys"
	"github.com/cossacklabs/themis/gothemis/message"
)

const module = "github.com/cossacklabs/themis/gothemis"

// GoThemis has no key-check call (keys.PrivateKey and keys.PublicKey are plain byte slices,
// validated only when a Secure Message uses them), so themis.key.check is not offered.
var ops = []string{"themis.sign", "themis.verify", "themis.encrypt", "themis.decrypt"}

type request struct {
	ID   json.RawMessage            `json:"id"`
	Op   string                     `json:"op"`
	Args map[string]json.RawMessage `json:"args"`
}

type adapterErr struct{ msg string }

func (a adapterErr) Error() string { return a.msg }

func hexArg(args map[string]json.RawMessage, name string) ([]byte, error) {
	raw, ok := args[name]
	if !ok {
		return nil, adapterErr{fmt.Sprintf("adapter: argument %q missing", name)}
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, adapterErr{fmt.Sprintf("adapter: argument %q is not a string", name)}
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, adapterErr{fmt.Sprintf("adapter: argument %q is not valid hex: %v", name, err)}
	}
	return b, nil
}

// draws gives the injected values in the order the core draws them (docs/PROTOCOL.md): EC
// only the IV; RSA the secret, then the OAEP seed (inside OpenSSL's OAEP padding), then the IV.
func draws(raw json.RawMessage) ([][]byte, error) {
	var random map[string]json.RawMessage
	if err := json.Unmarshal(raw, &random); err != nil {
		return nil, adapterErr{"adapter: random is not an object"}
	}
	order := []string{"iv"}
	if _, ok := random["secret"]; ok {
		order = []string{"secret", "oaep_seed", "iv"}
	} else if _, ok := random["oaep_seed"]; ok {
		order = []string{"secret", "oaep_seed", "iv"}
	}
	if len(random) != len(order) {
		return nil, adapterErr{fmt.Sprintf("adapter: random has %d fields, expected %v", len(random), order)}
	}
	values := make([][]byte, len(order))
	for i, name := range order {
		v, err := hexArg(random, name)
		if err != nil {
			return nil, err
		}
		values[i] = v
	}
	return values, nil
}

func call(op string, args map[string]json.RawMessage) (map[string]string, error) {
	switch op {
	case "themis.sign":
		key, err := hexArg(args, "private_key")
		if err != nil {
			return nil, err
		}
		msg, err := hexArg(args, "message")
		if err != nil {
			return nil, err
		}
		out, err := message.New(&keys.PrivateKey{Value: key}, nil).Sign(msg)
		if err != nil {
			return nil, err
		}
		return map[string]string{"signed": hex.EncodeToString(out)}, nil
	case "themis.verify":
		key, err := hexArg(args, "public_key")
		if err != nil {
			return nil, err
		}
		signed, err := hexArg(args, "signed")
		if err != nil {
			return nil, err
		}
		out, err := message.New(nil, &keys.PublicKey{Value: key}).Verify(signed)
		if err != nil {
			return nil, err
		}
		return map[string]string{"message": hex.EncodeToString(out)}, nil
	case "themis.encrypt", "themis.decrypt":
		priv, err := hexArg(args, "private_key")
		if err != nil {
			return nil, err
		}
		pub, err := hexArg(args, "peer_public_key")
		if err != nil {
			return nil, err
		}
		sm := message.New(&keys.PrivateKey{Value: priv}, &keys.PublicKey{Value: pub})
		if op == "themis.decrypt" {
			enc, err := hexArg(args, "encrypted")
			if err != nil {
				return nil, err
			}
			out, err := sm.Unwrap(enc)
			if err != nil {
				return nil, err
			}
			return map[string]string{"message": hex.EncodeToString(out)}, nil
		}
		msg, err := hexArg(args, "message")
		if err != nil {
			return nil, err
		}
		var out []byte
		if raw, ok := args["random"]; ok && string(raw) != "null" {
			values, err := draws(raw)
			if err != nil {
				return nil, err
			}
			injectErr, err := withRandom(values, func() error {
				var e error
				out, e = sm.Wrap(msg)
				return e
			})
			if injectErr != nil {
				return nil, adapterErr{"adapter: injected randomness: " + injectErr.Error()}
			}
			if err != nil {
				return nil, err
			}
		} else {
			out, err = sm.Wrap(msg)
			if err != nil {
				return nil, err
			}
		}
		return map[string]string{"encrypted": hex.EncodeToString(out)}, nil
	}
	return nil, nil
}

// errorEntry is one row of errors.json: GoThemis's error text mapped to a canonical stage.
type errorEntry struct {
	Op      string  `json:"op"`
	Message string  `json:"message"`
	Code    *string `json:"code"`
	Stage   *string `json:"stage"`
}

func loadErrors(path string) ([]errorEntry, error) {
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var table struct {
		Errors []errorEntry `json:"errors"`
	}
	if err := json.Unmarshal(text, &table); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return table.Errors, nil
}

func stageOf(table []errorEntry, op, msg, code string) string {
	for _, e := range table {
		if (e.Op != "*" && e.Op != op) || e.Message != msg || (e.Code != nil && *e.Code != code) {
			continue
		}
		if e.Stage == nil {
			return ""
		}
		return *e.Stage
	}
	fmt.Fprintf(os.Stderr, "gothemis-adapter: unmapped error for %s: %q (code %s); add it to errors.json\n", op, msg, code)
	return ""
}

func moduleVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == module {
				return dep.Version
			}
		}
	}
	return "unknown"
}

func pcVersion(prefix string) string {
	text, err := os.ReadFile(filepath.Join(prefix, "lib", "pkgconfig", "libthemis.pc"))
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(text), "\n") {
		if v, ok := strings.CutPrefix(line, "Version:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// loadedFrom lists the files mapped into this process whose path contains fragment.
func loadedFrom(fragment string) []string {
	text, _ := os.ReadFile("/proc/self/maps")
	seen := map[string]bool{}
	var paths []string
	for _, line := range strings.Split(string(text), "\n") {
		fields := strings.Fields(line)
		if len(fields) < 6 || !strings.Contains(fields[5], fragment) || seen[fields[5]] {
			continue
		}
		seen[fields[5]] = true
		paths = append(paths, fields[5])
	}
	return paths
}

func main() {
	exe, _ := os.Executable()
	prefix := flag.String("prefix", "", "Themis core installation prefix (reported in hello; the binary is linked to it by rpath)")
	errorsPath := flag.String("errors", filepath.Join(filepath.Dir(exe), "..", "errors.json"), "the error-to-stage table")
	flag.Parse()
	table, err := loadErrors(*errorsPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gothemis-adapter:", err)
		os.Exit(2)
	}
	if *prefix != "" {
		abs, _ := filepath.Abs(*prefix)
		for _, p := range loadedFrom("libthemis.so") {
			if !strings.HasPrefix(p, abs+"/") {
				fmt.Fprintf(os.Stderr, "gothemis-adapter: linked to %s, not the core in %s\n", p, abs)
				os.Exit(2)
			}
		}
	}
	hello := map[string]any{
		"protocol": 1,
		"name":     "GoThemis",
		"version":  moduleVersion(),
		"core":     pcVersion(*prefix),
		"backend":  opensslVersion(),
		"ops":      ops,
	}

	in := bufio.NewReaderSize(os.Stdin, 1<<20)
	out := bufio.NewWriter(os.Stdout)
	enc := json.NewEncoder(out)
	for {
		line, err := in.ReadBytes('\n')
		if len(strings.TrimSpace(string(line))) > 0 {
			var req request
			if jerr := json.Unmarshal(line, &req); jerr != nil {
				fmt.Fprintf(os.Stderr, "gothemis-adapter: ignoring a line that is not JSON: %v\n", jerr)
			} else {
				_ = enc.Encode(respond(req, hello, table))
				_ = out.Flush()
			}
		}
		if err == io.EOF {
			return
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "gothemis-adapter: reading stdin:", err)
			os.Exit(1)
		}
	}
}

func respond(req request, hello map[string]any, table []errorEntry) map[string]any {
	resp := map[string]any{"id": req.ID}
	if req.Op == "hello" {
		resp["ok"] = hello
		return resp
	}
	known := false
	for _, op := range ops {
		known = known || op == req.Op
	}
	if !known {
		if req.Op == "themis.key.check" {
			resp["unsupported"] = "GoThemis has no key-check call: keys are byte slices checked only when a Secure Message uses them"
		} else {
			resp["unsupported"] = fmt.Sprintf("op %q is not implemented", req.Op)
		}
		return resp
	}
	result, err := call(req.Op, req.Args)
	if err == nil {
		resp["ok"] = result
		return resp
	}
	e := map[string]string{"message": err.Error()}
	if te, ok := err.(*themiserrors.ThemisError); ok {
		code := fmt.Sprint(int(te.Code()))
		e["code"] = code
		if stage := stageOf(table, req.Op, te.Error(), code); stage != "" {
			e["stage"] = stage
		}
	} else {
		e["code"] = "adapter"
		fmt.Fprintln(os.Stderr, "gothemis-adapter:", err)
	}
	resp["error"] = e
	return resp
}
