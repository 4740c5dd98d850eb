#!/usr/bin/env python3
"""amber's benchmark: a guest ROM (the demo, or bench/paging.asm) under
amber and under qemu-system-i386 (TCG) in the same run.  See
bench/README.md."""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def build_rom(nasm, asm, iters, out):
    subprocess.run([nasm, '-f', 'bin', f'-DITER={iters}', '-o', out, asm],
                   check=True)


def run(cmd):
    """Runs cmd; returns (wall seconds, stdout text, stderr text, status)."""
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    t = time.perf_counter() - t0
    return t, p.stdout.decode('latin-1'), p.stderr.decode('latin-1'), p.returncode


def checksum(text):
    m = re.search(r'amber \w+: checksum ([0-9A-F]{8})', text)
    return m.group(1) if m else None


def best(cmd, runs):
    """The fastest of runs runs, with its outputs."""
    results = [run(cmd) for _ in range(runs)]
    return min(results, key=lambda r: r[0])


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--amber', default=os.path.join(ROOT, 'build', 'amber'))
    ap.add_argument('--qemu', default='qemu-system-i386')
    ap.add_argument('--nasm', default='nasm')
    ap.add_argument('--asm', default=os.path.join(ROOT, 'tests', 'guests', 'demo.asm'))
    ap.add_argument('--iter', type=int, default=512,
                    help='outer rounds of 256 iterations (the test ROM has 128)')
    ap.add_argument('--runs', type=int, default=3, help='best of this many runs')
    ap.add_argument('--cpu', default=None, help='amber -cpu model')
    ap.add_argument('--compare-shadow', action='store_true',
                    help='also run amber --no-shadow and give the ratio')
    a = ap.parse_args()

    for tool in (a.amber, a.qemu, a.nasm):
        if not shutil.which(tool):
            sys.exit(f'bench: {tool}: not found')

    with tempfile.TemporaryDirectory() as tmp:
        rom = os.path.join(tmp, 'demo.bin')
        rom1 = os.path.join(tmp, 'demo1.bin')
        build_rom(a.nasm, a.asm, a.iter, rom)
        build_rom(a.nasm, a.asm, 1, rom1)   # start-up cost and 1/ITER of the work

        amber = [a.amber, '-nographic', '--stats'] + (['-cpu', a.cpu] if a.cpu else [])
        qemu = [a.qemu, '-accel', 'tcg', '-display', 'none', '-debugcon', 'stdio',
                '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04']

        runs = [('amber', amber), ('qemu', qemu)]
        if a.compare_shadow:
            runs.append(('amber --no-shadow', amber + ['--no-shadow']))
        rows = []
        for name, cmd in runs:
            t, out, err, st = best(cmd + ['-bios', rom], a.runs)
            t1, _, _, _ = best(cmd + ['-bios', rom1], a.runs)
            rows.append(dict(name=name, wall=t, base=t1, out=out, err=err,
                             status=st, sum=checksum(out)))

    am, qm = rows[0], rows[1]
    m = re.search(r'amber: (\d+) instructions in ([0-9.]+) s', am['err'])
    icount = int(m.group(1)) if m else None
    run_s = float(m.group(2)) if m else None

    name = os.path.basename(a.asm)
    rounds = f' ({a.iter * 256} iterations)' if name == 'demo.asm' else ''
    print(f'{name}, ITER={a.iter}{rounds}, '
          f'best of {a.runs} runs; wall time includes start-up')
    print(f'{"":18} {"wall s":>8} {"start s":>8} {"net s":>8} {"MIPS":>7}  '
          f'{"checksum":8}  status')
    for r in rows:
        net = max(r['wall'] - r['base'], 1e-9)
        # qemu's figure is amber's instruction count over qemu's net time:
        # the rate qemu would need to show to match, not a count of its own.
        mips = ''
        mr = re.search(r'amber: (\d+) instructions in ([0-9.]+) s', r['err'])
        if mr and r['name'].startswith('amber') and float(mr.group(2)) > 0:
            mips = f'{int(mr.group(1)) / float(mr.group(2)) / 1e6:7.1f}'
        elif icount:
            mips = f'({icount / net / 1e6:.0f})'
        label = {'amber': 'amber', 'qemu': 'qemu-system-i386'}.get(r['name'], r['name'])
        print(f'{label:18} {r["wall"]:8.3f} {r["base"]:8.3f} {net:8.3f} {mips:>7}  '
              f'{r["sum"] or "-":8}  {r["status"]}')
    a_net = max(am['wall'] - am['base'], 1e-9)
    q_net = max(qm['wall'] - qm['base'], 1e-9)
    print(f'{"amber/qemu":18} {am["wall"] / qm["wall"]:8.2f} {"":8} '
          f'{a_net / q_net:8.2f}')
    if icount:
        print(f'amber retired {icount} guest instructions in {run_s:.3f} s of run loop')
    m = re.search(r'amber: mmu: .*', am['err'])
    if m:
        print(m.group(0))
    if a.compare_shadow:
        ns = rows[2]
        ns_net = max(ns['wall'] - ns['base'], 1e-9)
        print(f'{"shadow off/on":18} {ns["wall"] / am["wall"]:8.2f} {"":8} '
              f'{ns_net / a_net:8.2f}')
        m = re.search(r'amber: mmu: .*', ns['err'])
        if m:
            print(m.group(0) + ' (--no-shadow)')

    ok = True
    if not am['sum'] or am['sum'] != qm['sum']:
        print(f'bench: MISMATCH: checksum amber {am["sum"]} qemu {qm["sum"]}')
        ok = False
    if am['status'] != qm['status']:
        print(f'bench: MISMATCH: exit status amber {am["status"]} qemu {qm["status"]}')
        ok = False
    for r in rows[2:]:
        if r['sum'] != qm['sum'] or r['status'] != qm['status']:
            print(f'bench: MISMATCH: {r["name"]}: checksum {r["sum"]} status {r["status"]}')
            ok = False
    if not ok:
        sys.stderr.write(am['err'])
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
