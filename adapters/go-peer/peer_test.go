package peer

// The real SDKs' send path against the real `sealcheck peer` (path in $SEALCHECK):
// fetch the recipient's sessions, encrypt once for all of them, send; after a rotation,
// FAILED with the new sessions, and a re-encrypted resend that succeeds.
//
//	SEALCHECK=../../target/release/sealcheck go test -v .
//
// $PEER_TRANSCRIPT_DIR, when set, keeps each test's transcript there (reports/ quotes one).

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	bot "github.com/MixinNetwork/bot-api-go-client/v3"
	mixin "github.com/fox-one/mixin-sdk-go/v2"
	"github.com/gofrs/uuid/v5"
)

type fixtureSession struct {
	SessionID         string `json:"session_id"`
	Platform          string `json:"platform"`
	SessionPrivateKey string `json:"session_private_key"`
	PublicKey         string `json:"public_key"`
}

type fixtureUser struct {
	UserID   string           `json:"user_id"`
	Name     string           `json:"name"`
	Sessions []fixtureSession `json:"sessions"`
}

type peer struct {
	url, token string
	users      map[string]fixtureUser
}

// startPeer runs `sealcheck peer` on a free loopback port and reads its fixtures.
func startPeer(t *testing.T) *peer {
	t.Helper()
	binary := os.Getenv("SEALCHECK")
	if binary == "" {
		t.Fatal("set SEALCHECK to the sealcheck binary")
	}
	dir := os.Getenv("PEER_TRANSCRIPT_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	transcript := filepath.Join(dir, t.Name()+".jsonl")
	cmd := exec.Command(binary, "peer", "--seed", "11", "--transcript", transcript)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_, _ = cmd.Process.Wait()
	})
	lines := bufio.NewScanner(out)
	next := func(prefix string) string {
		if !lines.Scan() {
			t.Fatalf("sealcheck peer ended before printing %q", prefix)
		}
		line := lines.Text()
		if !strings.HasPrefix(line, prefix) {
			t.Fatalf("expected %q, got %q", prefix, line)
		}
		return strings.TrimPrefix(line, prefix)
	}
	p := &peer{url: next("listening on "), token: next("admin token: "), users: map[string]fixtureUser{}}
	go func() { _, _ = io.Copy(io.Discard, out) }()

	var f struct {
		Data struct {
			Users []fixtureUser `json:"users"`
		} `json:"data"`
	}
	p.admin(t, "GET", "/_peer/fixtures", nil, &f)
	for _, u := range f.Data.Users {
		p.users[u.Name] = u
	}
	return p
}

// admin calls one of the peer's own routes with the admin token.
func (p *peer) admin(t *testing.T, method, path string, body any, into any) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = strings.NewReader(string(b))
	}
	req, _ := http.NewRequest(method, p.url+path, r)
	req.Header.Set("X-Peer-Token", p.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	if into != nil {
		if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
			t.Fatal(err)
		}
	}
}

// rotate signs one of the user's sessions out and a new one in, returning the new id.
func (p *peer) rotate(t *testing.T, user fixtureUser, sessionID string) string {
	var change struct {
		Data struct {
			Added struct {
				SessionID string `json:"session_id"`
			} `json:"added"`
		} `json:"data"`
	}
	p.admin(t, "POST", "/_peer/sessions/rotate", map[string]string{"user_id": user.UserID, "session_id": sessionID}, &change)
	return change.Data.Added.SessionID
}

type entry struct {
	URI     string   `json:"uri"`
	Verdict string   `json:"verdict"`
	Reasons []string `json:"reasons"`
	Status  int      `json:"status"`
}

// verdicts reads the transcript back: the verdict of each request to path, in order.
func (p *peer) verdicts(t *testing.T, path string) []entry {
	resp, err := http.Get(p.url + "/_peer/transcript?since=0")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tr struct {
		Data struct {
			Entries []entry `json:"entries"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tr); err != nil {
		t.Fatal(err)
	}
	var out []entry
	for _, e := range tr.Data.Entries {
		if e.URI == path {
			out = append(out, e)
		}
	}
	return out
}

func states(es []entry) []string {
	var s []string
	for _, e := range es {
		s = append(s, e.Verdict)
	}
	return s
}

func sameList(a, b []string) bool {
	return strings.Join(a, ",") == strings.Join(b, ",")
}

// pointAt directs fox-one's shared HTTP client at the peer. mixin.UseApiHost sets resty's
// deprecated HostURL, which resty v2.17.2 (the version fox-one v2.1.3 requires) ignores
// once BaseURL is set, as fox-one sets it; so the peer is set as BaseURL as well, and
// no request can leave for the real API.
func pointAt(p *peer) {
	mixin.UseApiHost(p.url)
	mixin.GetRestyClient().SetBaseURL(p.url)
}

// TestFoxOneUseApiHost pins the defect pointAt works around, without sending anything.
func TestFoxOneUseApiHost(t *testing.T) {
	r := mixin.GetRestyClient()
	saved := r.BaseURL
	defer r.SetBaseURL(saved)
	r.SetBaseURL(mixin.DefaultApiHost)
	mixin.UseApiHost("http://127.0.0.1:9")
	if r.BaseURL != mixin.DefaultApiHost || r.HostURL != "http://127.0.0.1:9" {
		t.Fatalf("UseApiHost now sets BaseURL %q (HostURL %q): fox-one fixed it; update reports/peer-fox-one.md", r.BaseURL, r.HostURL)
	}
	t.Logf("after mixin.UseApiHost, requests still go to BaseURL %s", r.BaseURL)
}

func foxClient(t *testing.T, p *peer) *mixin.Client {
	pointAt(p)
	b := p.users["bot"]
	c, err := mixin.NewFromKeystore(&mixin.Keystore{
		ClientID:          b.UserID,
		SessionID:         b.Sessions[0].SessionID,
		SessionPrivateKey: b.Sessions[0].SessionPrivateKey,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func plainRequest(recipient, messageID, text string) *mixin.MessageRequest {
	return &mixin.MessageRequest{
		ConversationID: mixin.UniqueConversationID(recipient, "sealcheck-peer"),
		RecipientID:    recipient,
		MessageID:      messageID,
		Category:       mixin.MessageCategoryPlainText,
		DataBase64:     base64.RawURLEncoding.EncodeToString([]byte(text)),
	}
}

func sessionIDs(ss []*mixin.Session) []string {
	var ids []string
	for _, s := range ss {
		ids = append(ids, s.SessionID)
	}
	return ids
}

// TestFoxOneSendPath is the scenario through fox-one/mixin-sdk-go v2.1.3.
func TestFoxOneSendPath(t *testing.T) {
	p := startPeer(t)
	c := foxClient(t, p)
	ctx := context.Background()
	alice := p.users["alice"]

	sessions, err := c.FetchSessions(ctx, []string{alice.UserID})
	if err != nil {
		t.Fatal(err)
	}
	if len(sessions) != 2 || sessions[0].PublicKey != alice.Sessions[0].PublicKey || sessions[1].Platform != "Desktop" {
		t.Fatalf("FetchSessions read %+v", sessions)
	}

	// SUCCESS for a fresh session list.
	first := plainRequest(alice.UserID, uuid.Must(uuid.NewV4()).String(), "hello from fox-one")
	if err := c.EncryptMessageRequest(first, sessions); err != nil {
		t.Fatal(err)
	}
	if first.Category != "ENCRYPTED_TEXT" || first.Checksum != mixin.GenerateSessionChecksum(sessions) || len(first.RecipientSessions) != 2 {
		t.Fatalf("EncryptMessageRequest made %+v", first)
	}
	receipts, err := c.SendEncryptedMessages(ctx, []*mixin.MessageRequest{first})
	if err != nil {
		t.Fatal(err)
	}
	if len(receipts) != 1 || receipts[0].State != mixin.EncryptedMessageReceiptStateSuccess {
		t.Fatalf("receipts %+v", receipts)
	}

	// Alice signs in again on her desktop; the sender still holds the old list.
	added := p.rotate(t, alice, alice.Sessions[1].SessionID)
	second := plainRequest(alice.UserID, uuid.Must(uuid.NewV4()).String(), "second message")
	if err := c.EncryptMessageRequest(second, sessions); err != nil {
		t.Fatal(err)
	}
	receipts, err = c.SendEncryptedMessages(ctx, []*mixin.MessageRequest{second})
	if err != nil {
		t.Fatal(err)
	}
	if receipts[0].State != mixin.EncryptedMessageReceiptStateFailed {
		t.Fatalf("after the rotation: %+v", receipts[0])
	}
	fresh := receipts[0].Sessions
	want := []string{alice.Sessions[0].SessionID, added}
	if !sameList(sessionIDs(fresh), want) {
		t.Fatalf("FAILED receipt lists %v, want %v", sessionIDs(fresh), want)
	}
	for _, s := range fresh {
		if s.UserID != alice.UserID || s.PublicKey == "" {
			t.Fatalf("receipt session %+v: SendEncryptedMessages should fill in user_id", s)
		}
	}

	// What the SDK does wrong: EncryptMessageRequest on the request it already encrypted is
	// a silent no-op (the category is no longer PLAIN_), so "re-encrypt and resend" with
	// the same request object resends the stale body and is FAILED again.
	stale := *second
	if err := c.EncryptMessageRequest(second, fresh); err != nil {
		t.Fatal(err)
	}
	if second.DataBase64 != stale.DataBase64 || second.Checksum != stale.Checksum {
		t.Fatalf("fox-one now re-encrypts an encrypted request; update reports/peer-fox-one.md")
	}
	receipts, err = c.SendEncryptedMessages(ctx, []*mixin.MessageRequest{second})
	if err != nil {
		t.Fatal(err)
	}
	if receipts[0].State != mixin.EncryptedMessageReceiptStateFailed {
		t.Fatalf("the stale resend: %+v", receipts[0])
	}

	// The resend that works: a fresh plain request with the same message id, encrypted for
	// the sessions the receipt gave.
	resend := plainRequest(alice.UserID, second.MessageID, "second message")
	if err := c.EncryptMessageRequest(resend, fresh); err != nil {
		t.Fatal(err)
	}
	receipts, err = c.SendEncryptedMessages(ctx, []*mixin.MessageRequest{resend})
	if err != nil {
		t.Fatal(err)
	}
	if receipts[0].State != mixin.EncryptedMessageReceiptStateSuccess {
		t.Fatalf("the re-encrypted resend: %+v", receipts[0])
	}

	got := p.verdicts(t, "/encrypted_messages")
	if !sameList(states(got), []string{"SUCCESS", "FAILED", "FAILED", "SUCCESS"}) {
		t.Fatalf("transcript verdicts %v", got)
	}
	for _, e := range p.verdicts(t, "/sessions/fetch") {
		if e.Status != 200 {
			t.Fatalf("fetch %+v", e)
		}
	}
}

// TestFoxOneErrors: the SDK reads the peer's error envelopes as *mixin.Error.
func TestFoxOneErrors(t *testing.T) {
	p := startPeer(t)
	ctx := context.Background()
	alice := p.users["alice"]

	// A keystore with another key for the bot's session: 401, read as mixin.Unauthorized.
	pointAt(p)
	b := p.users["bot"]
	wrong, err := mixin.NewFromKeystore(&mixin.Keystore{
		ClientID:          b.UserID,
		SessionID:         b.Sessions[0].SessionID,
		SessionPrivateKey: alice.Sessions[0].SessionPrivateKey,
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = wrong.FetchSessions(ctx, []string{alice.UserID})
	if !mixin.IsErrorCodes(err, mixin.Unauthorized) {
		t.Fatalf("a wrong key: %v", err)
	}
	if !strings.Contains(err.Error(), "does not verify") {
		t.Fatalf("the 401 reason does not reach the caller: %v", err)
	}

	// A PLAIN_ request posted to /encrypted_messages (what EncryptMessageRequest leaves when a
	// session has no public key): refused with 10002 and the reason in extra.
	c := foxClient(t, p)
	plain := plainRequest(alice.UserID, uuid.Must(uuid.NewV4()).String(), "not encrypted")
	_, err = c.SendEncryptedMessages(ctx, []*mixin.MessageRequest{plain})
	if !mixin.IsErrorCodes(err, 10002) || !strings.Contains(err.Error(), "is not an ENCRYPTED_* category") {
		t.Fatalf("a plain message: %v", err)
	}
}

// TestBotAPISendPath is the same scenario through bot-api-go-client v3.23.0, which has
// FetchUserSession, EncryptMessageData, GenerateUserChecksum and a signed Request, but no
// call for /encrypted_messages: the item is built here and posted with its Request.
func TestBotAPISendPath(t *testing.T) {
	p := startPeer(t)
	bot.SetBaseUri(p.url)
	ctx := context.Background()
	b := p.users["bot"]
	alice := p.users["alice"]
	su := &bot.SafeUser{UserId: b.UserID, SessionId: b.Sessions[0].SessionID, SessionPrivateKey: b.Sessions[0].SessionPrivateKey}
	seed, _ := hex.DecodeString(b.Sessions[0].SessionPrivateKey)
	private := base64.RawURLEncoding.EncodeToString(ed25519.NewKeyFromSeed(seed))

	fetch := func() []*bot.Session {
		us, err := bot.FetchUserSession(ctx, []string{alice.UserID}, su)
		if err != nil {
			t.Fatal(err)
		}
		var ss []*bot.Session
		for _, u := range us {
			ss = append(ss, &bot.Session{UserID: u.UserId, SessionID: u.SessionId, PublicKey: u.PublicKey})
		}
		return ss
	}
	send := func(messageID string, sessions []*bot.Session) (string, []string) {
		order := make([]string, len(sessions))
		for i, s := range sessions {
			order[i] = s.SessionID
		}
		checksum := bot.GenerateUserChecksum(sessions)
		// GenerateUserChecksum sorts the caller's slice in place.
		after := make([]string, len(sessions))
		for i, s := range sessions {
			after[i] = s.SessionID
		}
		if !sort.StringsAreSorted(after) {
			t.Fatalf("GenerateUserChecksum left %v unsorted", after)
		}
		data, err := bot.EncryptMessageData(base64.RawURLEncoding.EncodeToString([]byte("hello from bot-api-go-client")), sessions, private)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := json.Marshal([]map[string]any{{
			"conversation_id":   bot.UniqueConversationId(alice.UserID, b.UserID),
			"recipient_id":      alice.UserID,
			"message_id":        messageID,
			"category":          "ENCRYPTED_TEXT",
			"representative_id": "",
			"quote_message_id":  "",
			"checksum":          checksum,
			"silent":            false,
			"data_base64":       data,
		}})
		token, err := bot.SignAuthenticationToken("POST", "/encrypted_messages", string(body), su)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := bot.Request(ctx, "POST", "/encrypted_messages", body, token)
		if err != nil {
			t.Fatal(err)
		}
		var resp struct {
			Data []struct {
				State    string `json:"state"`
				Sessions []struct {
					SessionID string `json:"session_id"`
					PublicKey string `json:"public_key"`
				} `json:"sessions"`
			} `json:"data"`
			Error *bot.Error `json:"error"`
		}
		if err := json.Unmarshal(raw, &resp); err != nil || resp.Error != nil || len(resp.Data) != 1 {
			t.Fatalf("%s: %v", raw, err)
		}
		var ids []string
		for _, s := range resp.Data[0].Sessions {
			ids = append(ids, s.SessionID)
		}
		t.Logf("sessions in order %v, after GenerateUserChecksum %v", order, after)
		return resp.Data[0].State, ids
	}

	sessions := fetch()
	if state, _ := send(uuid.Must(uuid.NewV4()).String(), sessions); state != "SUCCESS" {
		t.Fatalf("fresh list: %s", state)
	}
	added := p.rotate(t, alice, alice.Sessions[1].SessionID)
	id := uuid.Must(uuid.NewV4()).String()
	state, ids := send(id, sessions)
	if state != "FAILED" || !sameList(ids, []string{alice.Sessions[0].SessionID, added}) {
		t.Fatalf("after the rotation: %s %v", state, ids)
	}
	// The receipt's list is what a resend needs; fetching again gives the same.
	if state, _ := send(id, fetch()); state != "SUCCESS" {
		t.Fatalf("the re-encrypted resend: %s", state)
	}
	if got := states(p.verdicts(t, "/encrypted_messages")); !sameList(got, []string{"SUCCESS", "FAILED", "SUCCESS"}) {
		t.Fatalf("transcript verdicts %v", got)
	}
}
