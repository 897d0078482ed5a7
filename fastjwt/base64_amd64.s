//go:build !purego

#include "textflag.h"

// The base64url decode of decodeBase64AVX2 (base64_amd64.go), 32 characters per step, after
// W. Mula and D. Lemire, "Faster Base64 Encoding and Decoding Using AVX2 Instructions" (ACM
// TOMS 44(3), 2018), with tables for the URL alphabet. A character c, of high nibble h and low
// nibble l, is invalid when b64lo[l] & b64hi[h] != 0:
//
//	h = 2: only '-' (l = 0xd)      b64hi bit 1, set in b64lo for l != 0xd
//	h = 3: '0'-'9'                 bit 2, for l >= 0xa
//	h = 4, 6: 'A'-'O', 'a'-'o'     bit 3, for l = 0
//	h = 5: 'P'-'Z', '_'            bit 4, for 0xb <= l <= 0xe
//	h = 7: 'p'-'z'                 bit 5, for l >= 0xb
//	others: nothing                bit 0, set for every l
//
// A valid character's value is c + b64roll[h], plus 33 for '_' (the one character of its row
// whose offset differs). Multiply-adds then pack each four 6-bit values into 24 bits, and two
// shuffles move each group's three bytes, most significant first, to the front.

DATA b64lo<>+0(SB)/8, $0x030303030303030b
DATA b64lo<>+8(SB)/8, $0x2737353737070303
DATA b64lo<>+16(SB)/8, $0x030303030303030b
DATA b64lo<>+24(SB)/8, $0x2737353737070303
GLOBL b64lo<>(SB), RODATA|NOPTR, $32

DATA b64hi<>+0(SB)/8, $0x2008100804020101
DATA b64hi<>+8(SB)/8, $0x0101010101010101
DATA b64hi<>+16(SB)/8, $0x2008100804020101
DATA b64hi<>+24(SB)/8, $0x0101010101010101
GLOBL b64hi<>(SB), RODATA|NOPTR, $32

DATA b64roll<>+0(SB)/8, $0xb9b9bfbf04110000
DATA b64roll<>+8(SB)/8, $0x0000000000000000
DATA b64roll<>+16(SB)/8, $0xb9b9bfbf04110000
DATA b64roll<>+24(SB)/8, $0x0000000000000000
GLOBL b64roll<>(SB), RODATA|NOPTR, $32

DATA b64nibble<>+0(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA b64nibble<>+8(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA b64nibble<>+16(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA b64nibble<>+24(SB)/8, $0x0f0f0f0f0f0f0f0f
GLOBL b64nibble<>(SB), RODATA|NOPTR, $32

DATA b64underscore<>+0(SB)/8, $0x5f5f5f5f5f5f5f5f
DATA b64underscore<>+8(SB)/8, $0x5f5f5f5f5f5f5f5f
DATA b64underscore<>+16(SB)/8, $0x5f5f5f5f5f5f5f5f
DATA b64underscore<>+24(SB)/8, $0x5f5f5f5f5f5f5f5f
GLOBL b64underscore<>(SB), RODATA|NOPTR, $32

DATA b64fix<>+0(SB)/8, $0x2121212121212121
DATA b64fix<>+8(SB)/8, $0x2121212121212121
DATA b64fix<>+16(SB)/8, $0x2121212121212121
DATA b64fix<>+24(SB)/8, $0x2121212121212121
GLOBL b64fix<>(SB), RODATA|NOPTR, $32

DATA b64madd1<>+0(SB)/8, $0x0140014001400140
DATA b64madd1<>+8(SB)/8, $0x0140014001400140
DATA b64madd1<>+16(SB)/8, $0x0140014001400140
DATA b64madd1<>+24(SB)/8, $0x0140014001400140
GLOBL b64madd1<>(SB), RODATA|NOPTR, $32

DATA b64madd2<>+0(SB)/8, $0x0001100000011000
DATA b64madd2<>+8(SB)/8, $0x0001100000011000
DATA b64madd2<>+16(SB)/8, $0x0001100000011000
DATA b64madd2<>+24(SB)/8, $0x0001100000011000
GLOBL b64madd2<>(SB), RODATA|NOPTR, $32

DATA b64shuf<>+0(SB)/8, $0x090a040506000102
DATA b64shuf<>+8(SB)/8, $0x808080800c0d0e08
DATA b64shuf<>+16(SB)/8, $0x090a040506000102
DATA b64shuf<>+24(SB)/8, $0x808080800c0d0e08
GLOBL b64shuf<>(SB), RODATA|NOPTR, $32

DATA b64perm<>+0(SB)/8, $0x0000000100000000
DATA b64perm<>+8(SB)/8, $0x0000000400000002
DATA b64perm<>+16(SB)/8, $0x0000000600000005
DATA b64perm<>+24(SB)/8, $0x0000000000000000
GLOBL b64perm<>(SB), RODATA|NOPTR, $32

// func decodeBase64AVX2(dst, src []byte) int
TEXT ·decodeBase64AVX2(SB), NOSPLIT, $0-56
	MOVQ    dst_base+0(FP), DI
	MOVQ    dst_len+8(FP), CX
	MOVQ    src_base+24(FP), SI
	MOVQ    src_len+32(FP), DX
	XORQ    AX, AX
	VMOVDQU b64lo<>(SB), Y8
	VMOVDQU b64hi<>(SB), Y9
	VMOVDQU b64roll<>(SB), Y10
	VMOVDQU b64nibble<>(SB), Y11
	VMOVDQU b64underscore<>(SB), Y12
	VMOVDQU b64fix<>(SB), Y13
	VMOVDQU b64madd1<>(SB), Y14
	VMOVDQU b64madd2<>(SB), Y15
	VMOVDQU b64shuf<>(SB), Y7
	VMOVDQU b64perm<>(SB), Y6

loop:
	CMPQ    DX, $32
	JLT     done
	CMPQ    CX, $32
	JLT     done
	VMOVDQU (SI), Y0
	VPSRLD  $4, Y0, Y1
	VPAND   Y11, Y1, Y1 // high nibbles
	VPAND   Y11, Y0, Y2 // low nibbles
	VPSHUFB Y2, Y8, Y3
	VPSHUFB Y1, Y9, Y4
	VPTEST  Y3, Y4
	JNZ     invalid
	VPSHUFB Y1, Y10, Y4
	VPCMPEQB Y12, Y0, Y5
	VPAND   Y13, Y5, Y5
	VPADDB  Y4, Y0, Y0
	VPADDB  Y5, Y0, Y0 // 6-bit values
	VPMADDUBSW Y14, Y0, Y0 // pairs: a<<6 | b
	VPMADDWD Y15, Y0, Y0   // groups: ab<<12 | cd
	VPSHUFB Y7, Y0, Y0     // 12 bytes at the front of each lane
	VPERMD  Y0, Y6, Y0     // the 24 bytes together
	VMOVDQU Y0, (DI)
	ADDQ    $32, SI
	SUBQ    $32, DX
	ADDQ    $24, DI
	SUBQ    $24, CX
	ADDQ    $32, AX
	JMP     loop

invalid:
	MOVQ    $-1, AX

done:
	VZEROUPPER
	MOVQ    AX, ret+48(FP)
	RET


// The base64url encode of encodeBase64AVX2 (base64_amd64.go), 24 bytes to 32 characters per
// step, after the same paper: each lane takes 12 bytes; a shuffle puts each 3-byte group as
// [b1 b0 b2 b1] in a 32-bit word, from which two multiplies of masked words shift the four 6-bit
// indices into bytes; an index becomes its character by adding an offset looked up by its range
// (enc_lut: 26-51, 52-61, 62 '-', 63 '_', then 0-25 at 13).

DATA enc_shuf<>+0(SB)/8, $0x0405030401020001
DATA enc_shuf<>+8(SB)/8, $0x0a0b090a07080607
DATA enc_shuf<>+16(SB)/8, $0x0405030401020001
DATA enc_shuf<>+24(SB)/8, $0x0a0b090a07080607
GLOBL enc_shuf<>(SB), RODATA|NOPTR, $32

DATA enc_mask1<>+0(SB)/8, $0x0fc0fc000fc0fc00
DATA enc_mask1<>+8(SB)/8, $0x0fc0fc000fc0fc00
DATA enc_mask1<>+16(SB)/8, $0x0fc0fc000fc0fc00
DATA enc_mask1<>+24(SB)/8, $0x0fc0fc000fc0fc00
GLOBL enc_mask1<>(SB), RODATA|NOPTR, $32

DATA enc_mul1<>+0(SB)/8, $0x0400004004000040
DATA enc_mul1<>+8(SB)/8, $0x0400004004000040
DATA enc_mul1<>+16(SB)/8, $0x0400004004000040
DATA enc_mul1<>+24(SB)/8, $0x0400004004000040
GLOBL enc_mul1<>(SB), RODATA|NOPTR, $32

DATA enc_mask2<>+0(SB)/8, $0x003f03f0003f03f0
DATA enc_mask2<>+8(SB)/8, $0x003f03f0003f03f0
DATA enc_mask2<>+16(SB)/8, $0x003f03f0003f03f0
DATA enc_mask2<>+24(SB)/8, $0x003f03f0003f03f0
GLOBL enc_mask2<>(SB), RODATA|NOPTR, $32

DATA enc_mul2<>+0(SB)/8, $0x0100001001000010
DATA enc_mul2<>+8(SB)/8, $0x0100001001000010
DATA enc_mul2<>+16(SB)/8, $0x0100001001000010
DATA enc_mul2<>+24(SB)/8, $0x0100001001000010
GLOBL enc_mul2<>(SB), RODATA|NOPTR, $32

DATA enc_51<>+0(SB)/8, $0x3333333333333333
DATA enc_51<>+8(SB)/8, $0x3333333333333333
DATA enc_51<>+16(SB)/8, $0x3333333333333333
DATA enc_51<>+24(SB)/8, $0x3333333333333333
GLOBL enc_51<>(SB), RODATA|NOPTR, $32

DATA enc_26<>+0(SB)/8, $0x1a1a1a1a1a1a1a1a
DATA enc_26<>+8(SB)/8, $0x1a1a1a1a1a1a1a1a
DATA enc_26<>+16(SB)/8, $0x1a1a1a1a1a1a1a1a
DATA enc_26<>+24(SB)/8, $0x1a1a1a1a1a1a1a1a
GLOBL enc_26<>(SB), RODATA|NOPTR, $32

DATA enc_13<>+0(SB)/8, $0x0d0d0d0d0d0d0d0d
DATA enc_13<>+8(SB)/8, $0x0d0d0d0d0d0d0d0d
DATA enc_13<>+16(SB)/8, $0x0d0d0d0d0d0d0d0d
DATA enc_13<>+24(SB)/8, $0x0d0d0d0d0d0d0d0d
GLOBL enc_13<>(SB), RODATA|NOPTR, $32

DATA enc_lut<>+0(SB)/8, $0xfcfcfcfcfcfcfc47
DATA enc_lut<>+8(SB)/8, $0x00004120effcfcfc
DATA enc_lut<>+16(SB)/8, $0xfcfcfcfcfcfcfc47
DATA enc_lut<>+24(SB)/8, $0x00004120effcfcfc
GLOBL enc_lut<>(SB), RODATA|NOPTR, $32

// func encodeBase64AVX2(dst, src []byte) int
TEXT ·encodeBase64AVX2(SB), NOSPLIT, $0-56
	MOVQ    dst_base+0(FP), DI
	MOVQ    dst_len+8(FP), CX
	MOVQ    src_base+24(FP), SI
	MOVQ    src_len+32(FP), DX
	XORQ    AX, AX
	VMOVDQU enc_shuf<>(SB), Y8
	VMOVDQU enc_mask1<>(SB), Y9
	VMOVDQU enc_mul1<>(SB), Y10
	VMOVDQU enc_mask2<>(SB), Y11
	VMOVDQU enc_mul2<>(SB), Y12
	VMOVDQU enc_51<>(SB), Y13
	VMOVDQU enc_26<>(SB), Y14
	VMOVDQU enc_13<>(SB), Y15
	VMOVDQU enc_lut<>(SB), Y7

encLoop:
	CMPQ    DX, $28 // the second lane reads 16 bytes from 12 on
	JLT     encDone
	CMPQ    CX, $32
	JLT     encDone
	VMOVDQU (SI), X0
	VINSERTI128 $1, 12(SI), Y0, Y0
	VPSHUFB Y8, Y0, Y0
	VPAND   Y9, Y0, Y1
	VPMULHUW Y10, Y1, Y1
	VPAND   Y11, Y0, Y2
	VPMULLW Y12, Y2, Y2
	VPOR    Y1, Y2, Y0 // the 6-bit indices, one per byte
	VPSUBUSB Y13, Y0, Y1
	VPCMPGTB Y0, Y14, Y2
	VPAND   Y15, Y2, Y2
	VPOR    Y2, Y1, Y1
	VPSHUFB Y1, Y7, Y1
	VPADDB  Y1, Y0, Y0
	VMOVDQU Y0, (DI)
	ADDQ    $24, SI
	SUBQ    $24, DX
	ADDQ    $32, DI
	SUBQ    $32, CX
	ADDQ    $24, AX
	JMP     encLoop

encDone:
	VZEROUPPER
	MOVQ    AX, ret+48(FP)
	RET
