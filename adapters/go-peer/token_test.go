package peer

import (
	"os"
	"strings"
	"testing"
	"time"

	mixin "github.com/fox-one/mixin-sdk-go/v2"
)

// knownToken is the file the Rust unit test peer::auth::tests::a_token_made_by_fox_one_verifies
// reads: a token fox-one itself signs for a fixed session, request and time.
const knownToken = "../../src/peer/testdata/fox-one-token.txt"

// TestKnownToken re-signs the committed token with fox-one and fails if it differs, so the
// Rust test's expected input stays what the real SDK produces. SEALCHECK_UPDATE=1 rewrites it.
func TestKnownToken(t *testing.T) {
	auth, err := mixin.AuthFromKeystore(&mixin.Keystore{
		ClientID:          "6b1e3f0a-52f4-4c7b-9a0e-1d2c3b4a5f60",
		SessionID:         "0355e4c0-ba3a-4ba6-82c0-6311e332f57a",
		SessionPrivateKey: "7e3349801e05ecf41b7f1a9631fab3fc6b245e76e74fe6af4ad9a33da2d6eb9c",
	})
	if err != nil {
		t.Fatal(err)
	}
	sig := mixin.SignRaw("POST", "/encrypted_messages", []byte("[]"))
	token := auth.SignTokenAt(sig, "c4a1e3b2-5d6f-4a7b-8c9d-0e1f2a3b4c5d", time.Unix(1700000000, 0), time.Minute)
	if os.Getenv("SEALCHECK_UPDATE") == "1" {
		if err := os.WriteFile(knownToken, []byte(token+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	committed, err := os.ReadFile(knownToken)
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(string(committed)) != token {
		t.Fatalf("fox-one signs\n%s\nbut %s holds\n%s", token, knownToken, committed)
	}
}
