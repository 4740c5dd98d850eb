#!/usr/bin/env python3
"""amber vs qemu-system-i386 instruction oracle (see README.md).

Builds ROMs with gen.py, runs each under qemu-system-i386 (TCG) and under
amber, and compares the register/memory dumps with the SDM-undefined flags
and register bits masked.  Prints one line per ROM and, last,
`N passed, M failed` where N and M count compared instructions.

Exit status: 0 when every disagreement is a known qemu defect (known-defects
in README.md; amber must follow the SDM there), 1 on any other disagreement
or broken run, 77 when qemu-system-i386 (or nasm) is not installed.
"""
import argparse
import concurrent.futures as cf
import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen  # noqa: E402
import sdm  # noqa: E402

DUMP_ORDER = [gen.EDI, gen.ESI, gen.EBP, gen.ESP, gen.EBX, gen.EDX, gen.ECX, gen.EAX]
FLAGNAMES = [(gen.CF, 'CF'), (gen.PF, 'PF'), (gen.AF, 'AF'), (gen.ZF, 'ZF'), (gen.SF, 'SF'),
             (gen.TF, 'TF'), (gen.IF, 'IF'), (gen.DF, 'DF'), (gen.OF, 'OF'), (gen.NT, 'NT'),
             (gen.IOPL, 'IOPL'), (gen.AC, 'AC'), (gen.ID, 'ID')]
EXIT_STATUS = (gen.EXIT_VALUE << 1) | 1


def flagstr(v):
    return ' '.join(n for b, n in FLAGNAMES if v & b) or '-'


def build_rom(workdir, seed, mode, count):
    base = os.path.join(workdir, f'{mode}-{seed}-{count}')
    src, side = gen.emit(seed, mode, count)
    # unique temporary names + rename: concurrent runs may share a workdir
    tmp = f'{base}.{os.getpid()}.{threading.get_ident()}'
    with open(tmp + '.asm', 'w') as f:
        f.write(src)
    p = subprocess.run(['nasm', '-f', 'bin', '-o', tmp + '.bin', tmp + '.asm'],
                       capture_output=True, text=True)
    if p.returncode:
        raise RuntimeError(f'nasm failed for {base}.asm: {p.stderr[:500]}')
    os.replace(tmp + '.asm', base + '.asm')
    os.replace(tmp + '.bin', base + '.bin')
    return base + '.bin', side


def run_qemu(qemu, rom, timeout, extra):
    with tempfile.NamedTemporaryFile(suffix='.out', delete=False) as tf:
        out = tf.name
    try:
        cmd = [qemu, '-nodefaults', '-display', 'none', '-m', '16', '-no-reboot',
               '-bios', rom, '-debugcon', 'file:' + out,
               '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04'] + extra
        try:
            p = subprocess.run(cmd, capture_output=True, timeout=timeout)
            rc = p.returncode
        except subprocess.TimeoutExpired:
            rc = 'timeout'
        with open(out, 'rb') as f:
            data = f.read()
    finally:
        os.unlink(out)
    return rc, data


def run_amber(amber, rom, timeout, extra):
    cmd = [amber, '-bios', rom, '-nographic'] + extra
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=timeout)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        return 'timeout', e.stdout or b'', e.stderr or b''


def parse(data, side):
    """Split a dump stream into records: (regs[8], eflags, data, stack) or stop early."""
    recs = []
    pos = 0
    for i, rec in enumerate(side):
        need = 52 + 256 * rec['d'] + 256 * rec['s']
        if pos + need > len(data):
            break
        cnt = struct.unpack_from('<I', data, pos)[0]
        if cnt != i + 1:
            break
        vals = struct.unpack_from('<9I', data, pos + 4)
        regs = [0] * 8
        for j, r in enumerate(DUMP_ORDER):
            regs[r] = vals[j]
        sregs = struct.unpack_from('<6H', data, pos + 40)
        p = pos + 52
        d = s = None
        if rec['d']:
            d = data[p:p + 256]
            p += 256
        if rec['s']:
            s = data[p:p + 256]
            p += 256
        recs.append((regs, vals[8], d, s, sregs))
        pos = p
    done = data[pos:pos + 4] == b'DONE'
    return recs, done


def diff(rec, e, a):
    """List of textual differences between expected (qemu) and actual (amber)."""
    out = []
    for r in range(8):
        m = ~rec['rmask'][r] & gen.M32
        if (e[0][r] ^ a[0][r]) & m:
            out.append(f"{gen.RNAMES[r]}: qemu {e[0][r]:08x} amber {a[0][r]:08x}")
    fm = ~rec['fmask'] & gen.M32
    if (e[1] ^ a[1]) & fm:
        x = (e[1] ^ a[1]) & fm
        out.append(f"eflags: qemu {e[1]:08x} amber {a[1]:08x} (differ: {flagstr(x)})")
    if e[4] != a[4]:
        out.append('sregs (es cs ss ds fs gs): qemu ' + ' '.join(f'{x:04x}' for x in e[4]) +
                   ' amber ' + ' '.join(f'{x:04x}' for x in a[4]))
    mm = set(rec['mmask'])
    for k, base in ((2, gen.DATA), (3, gen.STACK)):
        if e[k] is not None and a[k] is not None and e[k] != a[k]:
            bad = [j for j in range(256) if e[k][j] != a[k][j] and base + j not in mm]
            if bad:
                out.append('mem ' + ', '.join(f'{base + j:#x}: qemu {e[k][j]:02x} amber {a[k][j]:02x}'
                                              for j in bad[:8]) + (' ...' if len(bad) > 8 else ''))
    return out


def describe(rec, mode):
    r = rec['regs']
    pre = f"{rec['pre']} ; " if rec.get('pre') else ''
    return (f"[{mode} #{rec['i']}] {pre}{rec['bytes']}  {rec['fam']}: {rec['desc']}\n"
            f"    in: " + ' '.join(f'{gen.RNAMES[k]}=' + ('label' if r[k] is None else f'{r[k]:08x}')
                             for k in range(8)) +
            f" eflags={rec['flags']:08x}")


def one(args, seed, mode):
    """Run one ROM; returns (name, passed, failed, known, lines, broken)."""
    name = f'{mode}-seed{seed}'
    os.makedirs(args.workdir, exist_ok=True)
    rom, side = build_rom(args.workdir, seed, mode, args.count)
    key = hashlib.sha1(open(rom, 'rb').read()).hexdigest()[:16]
    cache = os.path.join(args.workdir, f'qemu-v{gen.GEN_VERSION}-{mode}-{seed}-{args.count}-{key}.dump')
    if os.path.exists(cache) and not args.no_cache:
        qdata = open(cache, 'rb').read()
    else:
        rc, qdata = run_qemu(args.qemu, rom, args.timeout, args.qemu_arg)
        if rc != EXIT_STATUS:
            return name, 0, 0, 0, [f'{name}: qemu exit status {rc} (want {EXIT_STATUS})'], True
        with open(cache + f'.{os.getpid()}.{threading.get_ident()}', 'wb') as f:
            f.write(qdata)
        os.replace(f.name, cache)
    qrecs, qdone = parse(qdata, side)
    if not qdone or len(qrecs) != len(side):
        return name, 0, 0, 0, [f'{name}: qemu dump malformed ({len(qrecs)}/{len(side)} records)'], True
    if args.qemu_twice:
        rc, q2 = run_qemu(args.qemu, rom, args.timeout, args.qemu_arg)
        if q2 != qdata:
            return name, 0, 0, 0, [f'{name}: qemu is not deterministic on this ROM'], True
    if not args.amber:
        return name, len(side), 0, 0, [], False
    rc, adata, aerr = run_amber(args.amber, rom, args.timeout, args.amber_arg)
    arecs, adone = parse(adata, side)
    lines = []
    passed = failed = known = 0
    for i, rec in enumerate(side):
        if i >= len(arecs):
            break
        d = diff(rec, qrecs[i], arecs[i])
        kid = sdm.defect_of(rec, mode)
        if kid:
            # a case where qemu is known to depart from the SDM: amber is
            # checked against the SDM instead of qemu
            if sdm.follows_sdm(kid, rec, mode, arecs[i]):
                passed += 1
                if d:
                    known += 1
                    if args.verbose:
                        lines.append(describe(rec, mode) + f'\n    known qemu defect {kid}: ' + '; '.join(d))
                continue
            d = [f'amber does not follow the SDM here ({kid}: {sdm.KNOWN_DEFECTS[kid][2]})'] + d
        elif not d:
            passed += 1
            continue
        failed += 1
        if failed <= args.max_report:
            lines.append(describe(rec, mode) + '\n    ' + '\n    '.join(d))
    broken = False
    if len(arecs) < len(side):
        broken = True
        rest = len(side) - len(arecs)
        failed += rest
        i = len(arecs)
        err = aerr.decode(errors='replace').strip().splitlines()[-3:]
        lines.append(f'{name}: amber stopped after {len(arecs)} of {len(side)} records '
                     f'(exit status {rc}); next instruction:\n' + describe(side[i], mode) +
                     ('\n    amber stderr: ' + ' | '.join(err) if err else ''))
    elif not adone or rc != EXIT_STATUS:
        broken = True
        lines.append(f'{name}: amber did not finish cleanly (DONE={adone}, exit status {rc})')
    return name, passed, failed, known, lines, broken


def main():
    ap = argparse.ArgumentParser(description='amber vs qemu instruction oracle')
    ap.add_argument('--amber', help='path to the amber binary (omit: validate the ROMs under qemu only)')
    ap.add_argument('--qemu', default='qemu-system-i386')
    ap.add_argument('--modes', default='real,pm32,pm16,pg32')
    ap.add_argument('--seeds', default='1-10', help='e.g. 1-10 or 3,5,9')
    ap.add_argument('--count', type=int, default=700, help='instructions per ROM')
    ap.add_argument('--instructions', type=int,
                    help='total instruction budget: overrides --seeds (seeds 1..N/count per mode)')
    ap.add_argument('--first-seed', type=int, default=1)
    ap.add_argument('--workdir', default=os.path.join(tempfile.gettempdir(), 'amber-oracle'))
    ap.add_argument('--jobs', type=int, default=2)
    ap.add_argument('--timeout', type=float, default=120)
    ap.add_argument('--max-report', type=int, default=5, help='disagreements printed per ROM')
    ap.add_argument('--qemu-twice', action='store_true', help='run qemu twice and require identical dumps')
    ap.add_argument('--no-cache', action='store_true')
    ap.add_argument('--verbose', '-v', action='store_true')
    ap.add_argument('--qemu-arg', action='append', default=[])
    ap.add_argument('--amber-arg', action='append', default=[])
    args = ap.parse_args()

    if not shutil.which(args.qemu):
        print(f'SKIP: {args.qemu} is not installed (apt-get install qemu-system-x86)')
        return 77
    if not shutil.which('nasm'):
        print('SKIP: nasm is not installed')
        return 77
    if args.amber and not os.access(args.amber, os.X_OK):
        print(f'amber binary {args.amber} not found')
        return 1
    modes = args.modes.split(',')
    if args.instructions:
        n = max(1, -(-args.instructions // (args.count * len(modes))))
        seeds = list(range(args.first_seed, args.first_seed + n))
    else:
        seeds = []
        for part in args.seeds.split(','):
            if '-' in part:
                a, b = part.split('-')
                seeds += range(int(a), int(b) + 1)
            else:
                seeds.append(int(part))
    jobs = [(s, m) for s in seeds for m in modes]
    tp = tf = tk = 0
    broken = 0
    with cf.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        futs = [ex.submit(one, args, s, m) for s, m in jobs]
        for fu in futs:
            try:
                name, p, f, k, lines, br = fu.result()
            except Exception as e:   # noqa: BLE001
                print(f'ERROR: {e}')
                broken += 1
                continue
            tp += p
            tf += f
            tk += k
            broken += br
            status = 'ok' if not f and not br else 'FAIL'
            extra = f' ({k} known qemu defects)' if k else ''
            print(f'{name}: {status} {p} passed, {f} failed{extra}', flush=True)
            for ln in lines:
                print('  ' + ln.replace('\n', '\n  '), flush=True)
    if tk:
        print(f'{tk} disagreements are known qemu defects where amber follows the SDM (README.md)')
    print(f'{tp} passed, {tf} failed')
    return 1 if tf or broken else 0


if __name__ == '__main__':
    sys.exit(main())
