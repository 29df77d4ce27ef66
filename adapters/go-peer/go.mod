module sealcheck/adapters/go-peer

go 1.26.1

require (
	github.com/MixinNetwork/bot-api-go-client/v3 v3.23.0
	github.com/fox-one/mixin-sdk-go/v2 v2.1.3
	github.com/gofrs/uuid/v5 v5.4.0
)

require (
	filippo.io/edwards25519 v1.2.0 // indirect
	github.com/MixinNetwork/go-number v0.2.0 // indirect
	github.com/MixinNetwork/mixin v0.18.33 // indirect
	github.com/btcsuite/btcutil v1.0.2 // indirect
	github.com/fox-one/msgpack v1.0.0 // indirect
	github.com/go-resty/resty/v2 v2.17.2 // indirect
	github.com/golang-jwt/jwt/v5 v5.3.1 // indirect
	github.com/golang/protobuf v1.5.4 // indirect
	github.com/gorilla/websocket v1.5.3 // indirect
	github.com/klauspost/cpuid/v2 v2.3.0 // indirect
	github.com/oxtoacart/bpool v0.0.0-20190530202638-03653db5a59c // indirect
	github.com/pelletier/go-toml v1.9.5 // indirect
	github.com/pkg/errors v0.9.1 // indirect
	github.com/shopspring/decimal v1.4.0 // indirect
	github.com/vmihailenco/tagparser v0.1.2 // indirect
	github.com/zeebo/blake3 v0.2.4 // indirect
	golang.org/x/crypto v0.49.0 // indirect
	golang.org/x/net v0.52.0 // indirect
	golang.org/x/sync v0.19.0 // indirect
	golang.org/x/sys v0.42.0 // indirect
	google.golang.org/appengine v1.6.8 // indirect
	google.golang.org/protobuf v1.36.11 // indirect
)
