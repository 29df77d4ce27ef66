package main

import (
	"crypto/ed25519"
	"encoding/base64"
	_ "unsafe" // for go:linkname

	mixin "github.com/fox-one/mixin-sdk-go/v2"
)

// foxOne drives github.com/fox-one/mixin-sdk-go/v2, whose message API works
// on raw bytes and an ed25519.PrivateKey; session keys are RawURL strings.
type foxOne struct{}

func (foxOne) name() string       { return "fox-one/mixin-sdk-go" }
func (foxOne) modulePath() string { return "github.com/fox-one/mixin-sdk-go/v2" }

func (foxOne) encrypt(seed []byte, sessions []session, plaintext []byte) ([]byte, error) {
	ss := make([]*mixin.Session, len(sessions))
	for i, s := range sessions {
		ss[i] = &mixin.Session{SessionID: s.ID, PublicKey: base64.RawURLEncoding.EncodeToString(s.PublicKey)}
	}
	return mixin.EncryptMessageData(plaintext, ss, ed25519.NewKeyFromSeed(seed))
}

func (foxOne) decrypt(seed []byte, sessionID string, body []byte) ([]byte, error) {
	return mixin.DecryptMessageData(body, sessionID, ed25519.NewKeyFromSeed(seed))
}

func (foxOne) checksum(ids []string) string {
	ss := make([]*mixin.Session, len(ids))
	for i, id := range ids {
		ss[i] = &mixin.Session{SessionID: id}
	}
	return mixin.GenerateSessionChecksum(ss)
}

// fox-one keeps its curve conversions unexported (curve.go). They are the
// very functions its EncryptMessageData/DecryptMessageData call, so the
// adapter links to them by name rather than re-implementing them.
//
//go:linkname foxPublicKeyToCurve25519 github.com/fox-one/mixin-sdk-go/v2.publicKeyToCurve25519
func foxPublicKeyToCurve25519(publicKey ed25519.PublicKey) ([]byte, error)

//go:linkname foxPrivateKeyToCurve25519 github.com/fox-one/mixin-sdk-go/v2.privateKeyToCurve25519
func foxPrivateKeyToCurve25519(curve25519Private *[32]byte, privateKey ed25519.PrivateKey)

func (foxOne) convertPublic(pub []byte) ([]byte, error) {
	return foxPublicKeyToCurve25519(ed25519.PublicKey(pub))
}

func (foxOne) convertPrivate(seed []byte) ([]byte, error) {
	var out [32]byte
	foxPrivateKeyToCurve25519(&out, ed25519.NewKeyFromSeed(seed))
	return out[:], nil
}
