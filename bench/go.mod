module github.com/fastjwt/session/bench

go 1.26

require (
	github.com/cristalhq/jwt/v5 v5.4.0
	github.com/fastjwt/session v0.0.0-00010101000000-000000000000
	github.com/gbrlsnchs/jwt/v3 v3.0.1
	github.com/go-jose/go-jose/v4 v4.1.8
	github.com/golang-jwt/jwt/v5 v5.3.1
	github.com/gorilla/sessions v1.4.0
	github.com/kataras/jwt v0.1.12
	github.com/lestrrat-go/jwx/v3 v3.3.0
	github.com/minio/sha256-simd v1.0.1
	github.com/pascaldekloe/jwt v1.12.0
	github.com/valyala/fasthttp v1.74.0
	golang.org/x/sys v0.47.0
)

require (
	github.com/decred/dcrd/dcrec/secp256k1/v4 v4.4.1 // indirect
	github.com/goccy/go-json v0.12.0 // indirect
	github.com/gorilla/securecookie v1.1.2 // indirect
	github.com/klauspost/compress v1.20.0 // indirect
	github.com/klauspost/cpuid/v2 v2.2.3 // indirect
	github.com/lestrrat-go/blackmagic v1.0.4 // indirect
	github.com/lestrrat-go/dsig v1.4.0 // indirect
	github.com/lestrrat-go/dsig-secp256k1 v1.0.0 // indirect
	github.com/lestrrat-go/httpcc v1.0.1 // indirect
	github.com/lestrrat-go/httprc/v3 v3.0.6 // indirect
	github.com/lestrrat-go/option/v2 v2.0.0 // indirect
	github.com/magefile/mage v1.9.0 // indirect
	github.com/molecule-man/go-brrr v1.0.1 // indirect
	github.com/segmentio/asm v1.2.1 // indirect
	github.com/valyala/bytebufferpool v1.0.0 // indirect
	github.com/valyala/fastjson v1.6.10 // indirect
	golang.org/x/crypto v0.55.0 // indirect
	golang.org/x/xerrors v0.0.0-20191204190536-9bdfabe68543 // indirect
)

replace github.com/fastjwt/session => ../
