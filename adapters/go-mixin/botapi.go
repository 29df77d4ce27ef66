package main

import (
	"crypto/ed25519"
	"encoding/base64"
	"fmt"

	bot "github.com/MixinNetwork/bot-api-go-client/v3"
)

// botAPI drives github.com/MixinNetwork/bot-api-go-client/v3, whose API works on
// RawURL base64 strings and a 64-byte ed25519 private key.
type botAPI struct{}

var rawURL = base64.RawURLEncoding

func (botAPI) name() string       { return "bot-api-go-client" }
func (botAPI) modulePath() string { return "github.com/MixinNetwork/bot-api-go-client/v3" }

func (botAPI) encrypt(seed []byte, sessions []session, plaintext []byte) ([]byte, error) {
	ss := make([]*bot.Session, len(sessions))
	for i, s := range sessions {
		ss[i] = &bot.Session{SessionID: s.ID, PublicKey: rawURL.EncodeToString(s.PublicKey)}
	}
	priv := ed25519.NewKeyFromSeed(seed)
	out, err := bot.EncryptMessageData(rawURL.EncodeToString(plaintext), ss, rawURL.EncodeToString(priv))
	if err != nil {
		return nil, err
	}
	return decodeLibOutput(out)
}

func (botAPI) decrypt(seed []byte, sessionID string, body []byte) ([]byte, error) {
	priv := ed25519.NewKeyFromSeed(seed)
	out, err := bot.DecryptMessageData(rawURL.EncodeToString(body), sessionID, rawURL.EncodeToString(priv))
	if err != nil {
		return nil, err
	}
	// "" with a nil error is passed on as an empty plaintext: that is what
	// the library reports for unknown sessions, bad tags, short bodies.
	return decodeLibOutput(out)
}

func (botAPI) checksum(ids []string) string {
	ss := make([]*bot.Session, len(ids))
	for i, id := range ids {
		ss[i] = &bot.Session{SessionID: id}
	}
	return bot.GenerateUserChecksum(ss)
}

func (botAPI) convertPublic(pub []byte) ([]byte, error) {
	return bot.PublicKeyToCurve25519(ed25519.PublicKey(pub))
}

func (botAPI) convertPrivate(seed []byte) ([]byte, error) {
	var out [32]byte
	bot.PrivateKeyToCurve25519(&out, ed25519.NewKeyFromSeed(seed))
	return out[:], nil
}

func decodeLibOutput(s string) ([]byte, error) {
	b, err := rawURL.DecodeString(s)
	if err != nil {
		// Would mean the library returned something that is not RawURL base64.
		return nil, badArgs{fmt.Sprintf("library output is not RawURL base64: %v", err)}
	}
	return b, nil
}
