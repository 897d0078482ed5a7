module github.com/fastjwt/session

go 1.26

require (
	github.com/goccy/go-json v0.12.0
	github.com/klauspost/cpuid/v2 v2.2.3
	github.com/minio/sha256-simd v1.0.1
	github.com/valyala/fasthttp v1.74.0
)

require (
	github.com/klauspost/compress v1.20.0 // indirect
	github.com/molecule-man/go-brrr v1.0.1 // indirect
	github.com/valyala/bytebufferpool v1.0.0 // indirect
	golang.org/x/sys v0.47.0 // indirect
)
