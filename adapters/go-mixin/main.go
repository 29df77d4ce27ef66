// Command go-mixin puts two Go implementations of Mixin encrypted messages
// (bot-api-go-client and fox-one/mixin-sdk-go) behind the sealcheck
// implementation-under-test protocol (docs/PROTOCOL.md, version 1).
//
// One JSON request per line on stdin, one JSON response per line on stdout,
// answered in order. Library panics are deliberately NOT recovered: the
// process dies with Go's panic message on stderr so the harness sees a crash.
package main

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
)

// impl is one library behind the protocol.
type impl interface {
	name() string
	modulePath() string
	encrypt(seed []byte, sessions []session, plaintext []byte) ([]byte, error)
	// decrypt returns the plaintext exactly as the library reports it
	// (bot-api-go-client reports many failures as "" with a nil error).
	decrypt(seed []byte, sessionID string, body []byte) ([]byte, error)
	checksum(ids []string) string
	convertPublic(pub []byte) ([]byte, error)
	convertPrivate(seed []byte) ([]byte, error)
}

type session struct {
	ID        string
	PublicKey []byte
}

// Errors produced by the adapter itself rather than the library.
type unsupportedErr struct{ reason string }

func (u unsupportedErr) Error() string { return u.reason }

type badArgs struct{ msg string }

func (b badArgs) Error() string { return b.msg }

var ops = []string{
	"mixin.encrypt",
	"mixin.decrypt",
	"mixin.checksum",
	"mixin.convert_public_key",
	"mixin.convert_private_key",
}

type request struct {
	ID   json.RawMessage `json:"id"`
	Op   string          `json:"op"`
	Args json.RawMessage `json:"args"`
}

type errBody struct {
	Message string `json:"message"`
	Code    string `json:"code,omitempty"`
	Stage   string `json:"stage,omitempty"`
}

type response struct {
	ID          json.RawMessage `json:"id"`
	Ok          any             `json:"ok,omitempty"`
	Error       *errBody        `json:"error,omitempty"`
	Unsupported *string         `json:"unsupported,omitempty"`
}

func main() {
	which := flag.String("impl", "", "which library answers: botapi | foxone")
	flag.Parse()
	var lib impl
	switch *which {
	case "botapi":
		lib = botAPI{}
	case "foxone":
		lib = foxOne{}
	default:
		fmt.Fprintln(os.Stderr, "usage: go-mixin -impl botapi|foxone")
		os.Exit(2)
	}

	in := bufio.NewReaderSize(os.Stdin, 1<<20)
	for {
		line, err := in.ReadBytes('\n')
		if len(strings.TrimSpace(string(line))) > 0 {
			writeResponse(handle(lib, line))
		}
		if err == io.EOF {
			os.Exit(0)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "go-mixin: reading stdin:", err)
			os.Exit(1)
		}
	}
}

func writeResponse(r response) {
	b, err := json.Marshal(r)
	if err != nil {
		panic(err)
	}
	b = append(b, '\n')
	if _, err := os.Stdout.Write(b); err != nil {
		fmt.Fprintln(os.Stderr, "go-mixin: writing stdout:", err)
		os.Exit(1)
	}
}

func handle(lib impl, line []byte) response {
	var req request
	if err := json.Unmarshal(line, &req); err != nil {
		fmt.Fprintln(os.Stderr, "go-mixin: bad request line:", err)
		return response{ID: json.RawMessage("null"), Error: &errBody{Message: "adapter: bad request: " + err.Error()}}
	}
	if len(req.ID) == 0 {
		req.ID = json.RawMessage("null")
	}
	ok, err := dispatch(lib, req)
	resp := response{ID: req.ID}
	switch e := err.(type) {
	case nil:
		resp.Ok = ok
	case unsupportedErr:
		reason := e.reason
		resp.Unsupported = &reason
	case badArgs:
		resp.Error = &errBody{Message: "adapter: " + e.msg}
	default:
		resp.Error = &errBody{Message: err.Error(), Stage: stageOf(err.Error())}
	}
	return resp
}

// stageOf maps a library error text to a canonical stage when the text
// says so unambiguously; otherwise "" (stage omitted).
func stageOf(msg string) string {
	m := strings.ToLower(msg)
	switch {
	case strings.Contains(m, "low order"),
		strings.Contains(m, "bad point length"),
		strings.Contains(m, "bad scalar length"),
		strings.Contains(m, "invalid public key"),
		strings.Contains(m, "invalid point encoding"):
		return "key"
	case strings.Contains(m, "message authentication failed"):
		return "authentication"
	case m == "session id not found":
		return "session_not_found"
	case m == "invalid data size":
		return "length"
	}
	return ""
}

func dispatch(lib impl, req request) (any, error) {
	switch req.Op {
	case "hello":
		var a struct {
			Protocol int `json:"protocol"`
		}
		_ = json.Unmarshal(req.Args, &a)
		if a.Protocol != 1 {
			fmt.Fprintf(os.Stderr, "go-mixin: hello asks for protocol %d; speaking 1\n", a.Protocol)
		}
		return map[string]any{
			"protocol": 1,
			"name":     lib.name(),
			"version":  moduleVersion(lib.modulePath()),
			"ops":      ops,
		}, nil

	case "mixin.encrypt":
		var a struct {
			PrivateKey string `json:"private_key"`
			Sessions   []struct {
				SessionID string `json:"session_id"`
				PublicKey string `json:"public_key"`
			} `json:"sessions"`
			Plaintext string `json:"plaintext"`
			Random    *struct {
				MessageKey string   `json:"message_key"`
				Nonce      string   `json:"nonce"`
				IVs        []string `json:"ivs"`
			} `json:"random"`
		}
		if err := json.Unmarshal(req.Args, &a); err != nil {
			return nil, badArgs{"bad args: " + err.Error()}
		}
		seed, err := seedArg(a.PrivateKey)
		if err != nil {
			return nil, err
		}
		pt, err := hexArg("plaintext", a.Plaintext)
		if err != nil {
			return nil, err
		}
		sessions := make([]session, len(a.Sessions))
		for i, s := range a.Sessions {
			pk, err := hexArg(fmt.Sprintf("sessions[%d].public_key", i), s.PublicKey)
			if err != nil {
				return nil, err
			}
			sessions[i] = session{ID: s.SessionID, PublicKey: pk}
		}
		var body []byte
		if a.Random != nil {
			var stream []byte
			parts := append([]string{a.Random.MessageKey, a.Random.Nonce}, a.Random.IVs...)
			for i, p := range parts {
				b, err := hexArg(fmt.Sprintf("random part %d", i), p)
				if err != nil {
					return nil, err
				}
				stream = append(stream, b...)
			}
			withInjectedRandom(stream, func() {
				body, err = lib.encrypt(seed, sessions, pt)
			})
		} else {
			body, err = lib.encrypt(seed, sessions, pt)
		}
		if err != nil {
			return nil, err
		}
		return map[string]string{"body": hex.EncodeToString(body)}, nil

	case "mixin.decrypt":
		var a struct {
			PrivateKey string `json:"private_key"`
			SessionID  string `json:"session_id"`
			Body       string `json:"body"`
		}
		if err := json.Unmarshal(req.Args, &a); err != nil {
			return nil, badArgs{"bad args: " + err.Error()}
		}
		seed, err := seedArg(a.PrivateKey)
		if err != nil {
			return nil, err
		}
		body, err := hexArg("body", a.Body)
		if err != nil {
			return nil, err
		}
		pt, err := lib.decrypt(seed, a.SessionID, body)
		if err != nil {
			return nil, err
		}
		return map[string]string{"plaintext": hex.EncodeToString(pt)}, nil

	case "mixin.checksum":
		var a struct {
			SessionIDs []string `json:"session_ids"`
		}
		if err := json.Unmarshal(req.Args, &a); err != nil {
			return nil, badArgs{"bad args: " + err.Error()}
		}
		return map[string]string{"checksum": lib.checksum(a.SessionIDs)}, nil

	case "mixin.convert_public_key":
		var a struct {
			PublicKey string `json:"public_key"`
		}
		if err := json.Unmarshal(req.Args, &a); err != nil {
			return nil, badArgs{"bad args: " + err.Error()}
		}
		pub, err := hexArg("public_key", a.PublicKey)
		if err != nil {
			return nil, err
		}
		out, err := lib.convertPublic(pub)
		if err != nil {
			return nil, err
		}
		return map[string]string{"public_key": hex.EncodeToString(out)}, nil

	case "mixin.convert_private_key":
		var a struct {
			PrivateKey string `json:"private_key"`
		}
		if err := json.Unmarshal(req.Args, &a); err != nil {
			return nil, badArgs{"bad args: " + err.Error()}
		}
		seed, err := seedArg(a.PrivateKey)
		if err != nil {
			return nil, err
		}
		out, err := lib.convertPrivate(seed)
		if err != nil {
			return nil, err
		}
		return map[string]string{"private_key": hex.EncodeToString(out)}, nil
	}
	return nil, unsupportedErr{fmt.Sprintf("op %q is not implemented by this adapter", req.Op)}
}

func hexArg(field, s string) ([]byte, error) {
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, badArgs{fmt.Sprintf("%s is not valid hex: %v", field, err)}
	}
	return b, nil
}

// seedArg decodes an ed25519 seed. Both libraries take a 64-byte
// ed25519.PrivateKey built from a 32-byte seed; a seed of another length
// cannot be handed to them faithfully, so that variant is unsupported.
func seedArg(s string) ([]byte, error) {
	b, err := hexArg("private_key", s)
	if err != nil {
		return nil, err
	}
	if len(b) != 32 {
		return nil, unsupportedErr{fmt.Sprintf("private_key is %d bytes; the library API takes a 64-byte ed25519 key that the adapter builds from a 32-byte seed", len(b))}
	}
	return b, nil
}

// moduleVersion reports the version of a dependency as linked into this binary.
func moduleVersion(path string) string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == path {
				if d.Replace != nil {
					return d.Replace.Version
				}
				return d.Version
			}
		}
	}
	return "unknown"
}
