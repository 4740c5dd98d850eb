"""An independent Intel SDM model of a few instruction families, and the list
of known qemu-system-i386 (TCG 7.2) defects.

model(rec, mode) returns the SDM result (regs[8], eflags) of a test record
for the families modelled here (register forms only), or None.

classify(rec, mode, qemu, amber) returns a defect id from KNOWN_DEFECTS when
the disagreement is one of those qemu defects AND amber's result equals the
SDM's (under the record's masks); otherwise None, and the disagreement counts
as a failure.  Each defect id is described in README.md with the SDM section
that decides it.

`python3 sdm.py --seeds 1-50` checks this model against qemu alone, which is
how the defects below were found.
"""
import gen

M32 = gen.M32
CF, PF, AF, ZF, SF, OF = gen.CF, gen.PF, gen.AF, gen.ZF, gen.SF, gen.OF


def parity(v):
    return PF if bin(v & 0xFF).count('1') % 2 == 0 else 0


def szp(v, w):
    v &= (1 << w) - 1
    return (ZF if v == 0 else 0) | (SF if v >> (w - 1) & 1 else 0) | parity(v)


class Insn:
    pass


def decode(rec, mode):
    b = bytes.fromhex(rec['bytes'])
    i = 0
    d = Insn()
    dsz = 32 if mode in ('pm32', 'pg32') else 16
    d.osz = d.asz = dsz
    d.rep = None
    while b[i] in (0x66, 0x67, 0xF0, 0xF2, 0xF3, 0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65):
        if b[i] == 0x66:
            d.osz = 48 - dsz
        elif b[i] == 0x67:
            d.asz = 48 - dsz
        elif b[i] in (0xF2, 0xF3):
            d.rep = b[i]
        i += 1
    d.op = b[i]
    i += 1
    if d.op == 0x0F:
        d.op = 0x0F00 | b[i]
        i += 1
    d.rest = b[i:]
    if d.rest:
        m = d.rest[0]
        d.mod, d.reg, d.rm = m >> 6, (m >> 3) & 7, m & 7
    return d


class State:
    def __init__(self, rec):
        self.regs = list(rec['regs'])
        self.fl = rec['flags']

    def get(self, r, w):
        if w == 32:
            return self.regs[r]
        if w == 16:
            return self.regs[r] & 0xFFFF
        return (self.regs[r - 4] >> 8 & 0xFF) if r >= 4 else self.regs[r] & 0xFF

    def set(self, r, v, w):
        if w == 32:
            self.regs[r] = v & M32
        elif w == 16:
            self.regs[r] = (self.regs[r] & 0xFFFF0000) | (v & 0xFFFF)
        elif r < 4:
            self.regs[r] = (self.regs[r] & 0xFFFFFF00) | (v & 0xFF)
        else:
            self.regs[r - 4] = (self.regs[r - 4] & 0xFFFF00FF) | ((v & 0xFF) << 8)

    def setf(self, mask, bits):
        self.fl = (self.fl & ~mask) | (bits & mask)


def bcd(s, op, imm):
    al, ah = s.get(0, 8), s.get(4, 8)
    cf, af = s.fl & CF, s.fl & AF
    if op == 0x37:      # AAA (SDM Vol. 2A, AAA)
        if (al & 0xF) > 9 or af:
            ax = (s.get(0, 16) + 0x106) & 0xFFFF
            s.set(0, ax, 16)
            s.setf(AF | CF, AF | CF)
        else:
            s.setf(AF | CF, 0)
        s.set(0, s.get(0, 8) & 0xF, 8)
    elif op == 0x3F:    # AAS
        if (al & 0xF) > 9 or af:
            ax = (s.get(0, 16) - 6) & 0xFFFF
            s.set(0, ax, 16)
            s.set(4, s.get(4, 8) - 1, 8)
            s.setf(AF | CF, AF | CF)
        else:
            s.setf(AF | CF, 0)
        s.set(0, s.get(0, 8) & 0xF, 8)
    elif op in (0x27, 0x2F):    # DAA / DAS
        old_al, old_cf = al, cf
        naf = 0
        ncf = 0
        if (al & 0xF) > 9 or af:
            # DAA: a carry here implies old_AL > 99H, so only DAS's borrow matters.
            # DAS (current SDM): CF <- old_CF or borrow; the second IF has no ELSE.
            ncf = old_cf or (op == 0x2F and al < 6)
            al = (al + 6 if op == 0x27 else al - 6) & 0xFF
            naf = AF
        if old_al > 0x99 or old_cf:
            ncf = 1
        elif op == 0x27:
            ncf = 0
        if old_al > 0x99 or old_cf:
            al = (al + 0x60 if op == 0x27 else al - 0x60) & 0xFF
        s.set(0, al, 8)
        s.setf(CF | AF | SF | ZF | PF, (CF if ncf else 0) | naf | szp(al, 8))
    elif op == 0xD4:    # AAM
        s.set(4, al // imm, 8)
        s.set(0, al % imm, 8)
        s.setf(SF | ZF | PF, szp(al % imm, 8))
    elif op == 0xD5:    # AAD
        v = (al + ah * imm) & 0xFF
        s.set(0, v, 16)
        s.setf(SF | ZF | PF, szp(v, 8))


def shift(s, sub, w, dst, cnt):
    """SDM Vol. 2B SAL/SAR/SHL/SHR and RCL/RCR/ROL/ROR pseudocode."""
    top = 1 << (w - 1)
    msk = (1 << w) - 1
    v = s.get(dst, w)
    mc = cnt & 0x1F
    cf = s.fl & CF
    if sub in (0, 1):       # ROL / ROR
        t = mc % w
        for _ in range(t):
            if sub == 0:
                v = ((v << 1) | (v >> (w - 1))) & msk
            else:
                v = ((v >> 1) | ((v & 1) << (w - 1))) & msk
        if mc:
            ncf = (v & 1) if sub == 0 else (1 if v & top else 0)
            s.setf(CF, ncf)
            if mc == 1:
                if sub == 0:
                    of = (1 if v & top else 0) ^ ncf
                else:
                    of = (v >> (w - 1) & 1) ^ (v >> (w - 2) & 1)
                s.setf(OF, OF if of else 0)
    elif sub in (2, 3):     # RCL / RCR
        t = mc % (w + 1) if w < 32 else mc
        c = 1 if cf else 0
        if sub == 3 and mc == 1:
            s.setf(OF, OF if ((1 if v & top else 0) ^ c) else 0)
        for _ in range(t):
            if sub == 2:
                nc = 1 if v & top else 0
                v = ((v << 1) | c) & msk
            else:
                nc = v & 1
                v = (v >> 1) | (c << (w - 1))
            c = nc
        s.setf(CF, c)
        if sub == 2 and mc == 1:
            s.setf(OF, OF if ((1 if v & top else 0) ^ c) else 0)
    else:                   # SHL SHR SAL SAR
        if mc == 0:
            return
        orig = v
        c = 0
        for _ in range(mc):
            if sub in (4, 6):
                c = 1 if v & top else 0
                v = (v << 1) & msk
            elif sub == 7:
                c = v & 1
                v = (v >> 1) | (v & top)
            else:
                c = v & 1
                v >>= 1
        s.setf(CF, c)
        if mc == 1:
            if sub in (4, 6):
                of = (1 if v & top else 0) ^ c
            elif sub == 7:
                of = 0
            else:
                of = 1 if orig & top else 0
            s.setf(OF, OF if of else 0)
        s.setf(SF | ZF | PF, szp(v, w))
    s.set(dst, v, w)


def shld(s, op, w, dst, src, cnt):
    """SDM Vol. 2B SHLD / SHRD."""
    mc = cnt & 0x1F
    if mc == 0 or mc > w:
        return
    d = s.get(dst, w)
    sv = s.get(src, w)
    if op in (0x0FA4, 0x0FA5):
        cat = (d << w) | sv
        r = (cat >> (w - mc)) & ((1 << w) - 1) if mc < w else sv
        c = (d >> (w - mc)) & 1
    else:
        cat = (sv << w) | d
        r = (cat >> mc) & ((1 << w) - 1)
        c = (d >> (mc - 1)) & 1
    s.setf(CF, c)
    s.setf(SF | ZF | PF, szp(r, w))
    if mc == 1:
        s.setf(OF, OF if ((r ^ d) >> (w - 1)) & 1 else 0)
    s.set(dst, r, w)


def model(rec, mode):
    """SDM result of a register-form record, or None when not modelled."""
    if None in rec['regs'] or rec.get('pre'):
        return None
    d = decode(rec, mode)
    s = State(rec)
    op = d.op
    if op in (0x27, 0x2F, 0x37, 0x3F):
        bcd(s, op, 0)
        return s.regs, s.fl
    if op in (0xD4, 0xD5):
        bcd(s, op, d.rest[0])
        return s.regs, s.fl
    if op in (0xC0, 0xC1, 0xD0, 0xD1, 0xD2, 0xD3) and d.mod == 3:
        w = 8 if op & 1 == 0 else d.osz
        cnt = d.rest[1] if op in (0xC0, 0xC1) else (1 if op in (0xD0, 0xD1) else s.get(1, 8))
        shift(s, d.reg, w, d.rm, cnt)
        return s.regs, s.fl
    if op in (0x0FA4, 0x0FA5, 0x0FAC, 0x0FAD) and d.mod == 3:
        cnt = d.rest[1] if op in (0x0FA4, 0x0FAC) else s.get(1, 8)
        shld(s, op, d.osz, d.rm, d.reg, cnt)
        return s.regs, s.fl
    return None


def masked_equal(rec, a, b):
    for r in range(8):
        if (a[0][r] ^ b[0][r]) & ~rec['rmask'][r] & M32:
            return False
    return not ((a[1] ^ b[1]) & ~rec['fmask'] & M32)


def delivered_ud(rec, mode, a, errcode=False):
    """Did amber deliver an exception/interrupt without touching the
    registers?  (Only ESP drops by one frame; status flags and DF kept.)"""
    frame = 12 if mode in ('pm32', 'pg32') else 6
    if errcode:
        frame += 4 if mode in ('pm32', 'pg32') else 2
    regs = rec['regs']
    spmask = 0xFFFF if mode == 'real' else M32
    for r in range(8):
        if r == gen.ESP:
            if (a[0][r] - regs[r]) & spmask != (-frame) & spmask:
                return False
        elif a[0][r] != regs[r]:
            return False
    keep = gen.STATUS | gen.DF
    return (a[1] & keep) == (rec['flags'] & keep)


def is_lock_xor_same_reg(rec, mode):
    if rec['fam'] != 'int' or not rec['desc'].startswith('udlock'):
        return False
    d = decode(rec, mode)
    b = bytes.fromhex(rec['bytes'])
    return d.op in (0x30, 0x31, 0x32, 0x33) and 0xF0 in b[:b.index(d.op)] \
        and d.mod == 3 and d.reg == d.rm


def is_limit_read(rec, mode):
    return rec['fam'] == 'int' and rec['desc'].startswith('gplimit')


def is_write_through_cs(rec, mode):
    return rec['fam'] == 'int' and rec['desc'].startswith('gpcs')


def delivered_gp(rec, mode, a):
    return delivered_ud(rec, mode, a, errcode=True)


# id -> (matcher, amber-follows-SDM check, SDM section).  README.md explains each one.
KNOWN_DEFECTS = {
    'real-mode-limit': (is_limit_read, delivered_ud,
                        'SDM Vol. 2A MOV (Real-Address Mode Exceptions): #GP if a memory operand '
                        'effective address is outside the CS, DS, ES, FS, or GS segment limit'),
    'write-through-cs': (is_write_through_cs, delivered_gp,
                         'SDM Vol. 2A/2B, MOV/ADD/OR/XOR Protected Mode Exceptions: '
                         '#GP(0) if the destination is located in a non-writable segment'),
    'lock-xor-same-reg': (is_lock_xor_same_reg, delivered_ud,
                          'SDM Vol. 2B XOR (Exceptions): #UD if LOCK is used but the destination is not memory'),
}


def defect_of(rec, mode):
    """The KNOWN_DEFECTS id whose case this record is, or None."""
    for kid, (match, _, _) in KNOWN_DEFECTS.items():
        if match(rec, mode):
            return kid
    return None


def follows_sdm(kid, rec, mode, result):
    return KNOWN_DEFECTS[kid][1](rec, mode, result)


def classify(rec, mode, q, a):
    kid = defect_of(rec, mode)
    if kid and follows_sdm(kid, rec, mode, a) and not follows_sdm(kid, rec, mode, q):
        return kid
    return None


def main():
    """Check the model against qemu dumps (finds qemu-vs-SDM disagreements)."""
    import argparse
    import os
    import collections
    import run
    ap = argparse.ArgumentParser()
    ap.add_argument('--seeds', default='1-20')
    ap.add_argument('--count', type=int, default=700)
    ap.add_argument('--workdir', default='/tmp/amber-oracle-sdm')
    ap.add_argument('--qemu', default='qemu-system-i386')
    a = ap.parse_args()
    lo, hi = map(int, a.seeds.split('-'))
    os.makedirs(a.workdir, exist_ok=True)
    bad = collections.Counter()
    shown = collections.Counter()
    n = 0
    for seed in range(lo, hi + 1):
        for mode in ('real', 'pm32', 'pm16', 'pg32'):
            rom, side = run.build_rom(a.workdir, seed, mode, a.count)
            rc, data = run.run_qemu(a.qemu, rom, 60, [])
            recs, _ = run.parse(data, side)
            for rec, q in zip(side, recs):
                m = model(rec, mode)
                if m is None:
                    continue
                n += 1
                if not masked_equal(rec, (q[0], q[1]), m):
                    key = rec['fam'] + ' ' + rec['desc'].split(' ')[0]
                    bad[key] += 1
                    if shown[key] < 4:
                        shown[key] += 1
                        print(run.describe(rec, mode))
                        print('    ' + '\n    '.join(run.diff(rec, q, (m[0], m[1], None, None, q[4]))))
    print(f'{n} modelled records; qemu disagrees with the SDM model on:', dict(bad))


if __name__ == '__main__':
    main()
