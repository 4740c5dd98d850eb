#!/usr/bin/env python3
"""An independent model of tests/guests/demo.asm: the same loop written in
Python from the Intel SDM's definitions, not from any emulator.  It prints
the line the ROM prints, so the expected checksum in meson.build has two
sources that agree: this model and qemu-system-i386.

usage: demo_model.py [ITER]      (default 128, as in demo.asm)
"""
import sys

M16, M8 = 0xFFFF, 0xFF


def parity(v):
    return bin(v & 0xFF).count('1') % 2 == 0


def lahf_add(a, b, size, carry_in=0):
    """(result, AH after LAHF) of a + b + carry_in."""
    mask = (1 << (8 * size)) - 1
    r = a + b + carry_in
    cf = r > mask
    r &= mask
    af = ((a ^ b ^ r) >> 4) & 1
    return r, flags_byte(r, size, cf, af)


def lahf_sub(a, b, size):
    mask = (1 << (8 * size)) - 1
    r = (a - b) & mask
    cf = a < b
    af = ((a ^ b ^ r) >> 4) & 1
    return r, flags_byte(r, size, cf, af)


def flags_byte(r, size, cf, af):
    sf = (r >> (8 * size - 1)) & 1
    zf = r == 0
    return (sf << 7) | (zf << 6) | (af << 4) | (parity(r) << 2) | 2 | int(cf)


def sdiv(a, b):
    q = abs(a) // abs(b)
    if (a < 0) != (b < 0):
        q = -q
    return q, a - q * b


def s16(v):
    v &= M16
    return v - 0x10000 if v & 0x8000 else v


def s8(v):
    v &= M8
    return v - 0x100 if v & 0x80 else v


class Demo:
    def __init__(self):
        self.lo, self.hi = 0x1234, 0x5678
        self.count = 0
        self.mem = bytearray(0x10000)

    def mix(self, ax):
        ax &= M16
        cx, bx = self.lo, self.hi
        cf = cx >> 15
        cx = (cx << 1) & M16
        cf, bx = bx >> 15, ((bx << 1) | cf) & M16
        cx = (cx + cf) & M16
        cx ^= ax
        s = bx + ax
        bx, cf = s & M16, s >> 16
        cx = (cx + 0x9E37 + cf) & M16
        self.lo, self.hi = cx, bx

    def arith(self):
        n = self.count
        bx = ((n << 3) & M16) ^ n
        bx, fl = lahf_add(bx, 0x3C5A, 2)
        self.mix(fl)
        ax = (fl << 8) | (n & M8)       # POP AX brings back LAHF's AH
        dx = bx
        borrow = ax < dx
        ax = (ax - dx) & M16
        bx = (bx - 0x1111 - borrow) & M16
        ax = (-ax) & M16
        bx = ~bx & M16
        self.mix(ax)
        self.mix(bx)
        ax = (n | 0x8001) & 0xF0F3
        _, fl = lahf_sub(ax, 0x8000, 2)
        self.mix((fl << 8) | (ax & M8))
        dx, bx = 0, 0xFFF0
        for cx in range(8, 0, -1):
            ax = (cx + n) & M16
            s = bx + ax
            bx, cf = s & M16, s >> 16
            dx = (dx + cf + 1) & M16
            bx = (bx - 1) & M16
        self.mix(dx)
        self.mix(bx)

    def shifts(self):
        n = self.count
        cl = (n & 7) + 1
        dx = ((n >> cl) | (n << (16 - cl))) & M16         # ROR
        cf = dx >> 15
        cf, dx = dx >> 15, ((dx << 1) | cf) & M16          # RCL 1
        cf = (s16(dx) >> (cl - 1)) & 1                     # SAR cl
        dx = (s16(dx) >> cl) & M16
        dx = (dx + cf) & M16
        self.mix(dx)
        ax = n ^ 0xA5C3
        cf = (ax >> (16 - cl)) & 1                         # SHL cl
        ax = (ax << cl) & M16
        s = ax + cf
        ax, cf = s & M16, s >> 16                          # ADC 0
        cf, ax = ax & 1, ax >> 1                           # SHR 1
        cf, ax = ax & 1, (ax >> 1) | (cf << 15)            # RCR 1
        ax = ((ax << cl) | (ax >> (16 - cl))) & M16        # ROL cl
        cf = ax & 1
        ax = (ax - cf) & M16                               # SBB 0
        self.mix(ax)
        al, bl = n & M8, (n >> 8) & M8
        cf, bl = bl & 1, (s8(bl) >> 1) & M8                # SAR 1
        cf = (al >> (cl - 1)) & 1                          # SHR cl
        al >>= cl
        t = (cf << 8) | bl                                 # RCL cl: 9 bits
        t = ((t << cl) | (t >> (9 - cl))) & 0x1FF
        bl, cf = t & M8, t >> 8
        al = (al + bl + cf) & M8
        self.mix((n & 0xFF00) | al)

    def bcd(self):
        n = self.count
        al, bl = n & 0x99, n & 0x49
        s = al + bl
        af = ((al & 0xF) + (bl & 0xF)) > 0xF
        al, cf = s & M8, s > M8
        old_al, old_cf = al, cf                            # DAA
        cf = False
        if (al & 0xF) > 9 or af:
            cf = old_cf or al + 6 > M8
            al, af = (al + 6) & M8, 1
        else:
            af = 0
        if old_al > 0x99 or old_cf:
            al, cf = (al + 0x60) & M8, True
        else:
            cf = False
        fl = flags_byte(al, 1, cf, af) & ~0x10
        self.mix((fl << 8) | al)
        a = (n >> 8) & M8
        al = (a - 0x17) & M8
        cf, af = a < 0x17, (a & 0xF) < 7
        old_al, old_cf = al, cf                            # DAS
        cf = False
        if (al & 0xF) > 9 or af:
            cf = old_cf or al < 6
            al = (al - 6) & M8
        if old_al > 0x99 or old_cf:
            al, cf = (al - 0x60) & M8, True
        self.mix(al)
        ax = n & 0x0F0F                                    # AAA
        af = (ax & 0xF) + 5 > 0xF
        ax = (ax & 0xFF00) | ((ax + 5) & M8)
        if (ax & 0xF) > 9 or af:
            ax = (ax + 0x106) & M16
        ax &= 0xFF0F
        self.mix(ax)
        ax = n & 0x0707                                    # AAS
        af = (ax & 0xF) < 9
        ax = (ax & 0xFF00) | ((ax - 9) & M8)
        if (ax & 0xF) > 9 or af:
            ax = (ax - 6) & M16
            ax = (ax - 0x100) & M16
        ax &= 0xFF0F
        self.mix(ax)
        al = n & M8                                        # AAM
        self.mix(((al // 10) << 8) | (al % 10))
        ax = n & 0x0909                                    # AAD
        self.mix(((ax & M8) + (ax >> 8) * 10) & M8)

    def strings(self):
        n, mem = self.count, self.mem
        for k in range(0, 0x80, 2):                        # REP STOSW
            mem[k], mem[k + 1] = n & M8, n >> 8
        bx = n & 0x7F
        dl = (n >> 8) ^ 0x5A
        mem[bx] = dl
        mem[0x100:0x180] = mem[0:0x80]                     # REP MOVSB
        bx = (n >> 3) & 0x7F
        mem[0x100 + bx] ^= 0xFF
        i = 0                                              # REPE CMPSB
        while True:
            a, b = mem[i], mem[0x100 + i]
            i += 1
            if a != b or i == 128:
                break
        _, fl = lahf_sub(a, b, 1)
        cx = 128 - i
        self.mix((fl << 8) | cx)
        di = 0x100 + i
        self.mix(di)
        al = dl                                            # REPNE SCASB
        i = 0
        while True:
            hit = mem[i] == al
            i += 1
            if hit or i == 128:
                break
        self.mix(i)
        self.mix(128 - i)
        self.mix(sum(mem[0x40:0x60]) & M16)                # LODSB
        mem[0x200:0x280] = mem[0x100:0x180]                # STD; REP MOVSW
        self.mix(0x27E - 128)
        bx = n & 0x7E
        self.mix(mem[0x200 + bx] | (mem[0x201 + bx] << 8))

    def far_work(self):
        n = self.count
        p = n * 0xBEEF                                     # MUL
        self.mix(p & M16)
        self.mix(p >> 16)
        bx = n | 0x0101                                    # DIV
        dividend = ((n & 0xFF) << 16) | n
        self.mix(dividend // bx)
        self.mix(dividend % bx)
        p = s16(n - 0x4000) * -77                          # IMUL, IDIV
        q, r = sdiv(p, 1000)
        self.mix(q & M16)
        self.mix(r & M16)
        ax = (n & M8) * 13                                 # MUL, DIV byte
        self.mix(((ax % 251) << 8) | (ax // 251))
        q, r = sdiv(s8(n), -7)                             # CBW, IDIV byte
        self.mix(((r & M8) << 8) | (q & M8))
        self.mix((s8(n >> 8) * -101) & M16)                # IMUL byte

    def run(self, iters):
        for _ in range(iters * 256):
            self.arith()
            self.strings()
            self.far_work()
            self.bcd()
            self.shifts()
            self.count = (self.count + 1) & M16
        return f'amber demo: checksum {self.hi:04X}{self.lo:04X}'


if __name__ == '__main__':
    print(Demo().run(int(sys.argv[1]) if len(sys.argv) > 1 else 128))
