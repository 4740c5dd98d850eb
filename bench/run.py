#!/usr/bin/env python3
"""amber's benchmark: the demo ROM under amber and under qemu-system-i386
(TCG) in the same run.  See bench/README.md."""
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
    m = re.search(r'amber demo: checksum ([0-9A-F]{8})', text)
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

        rows = []
        for name, cmd in (('amber', amber), ('qemu', qemu)):
            t, out, err, st = best(cmd + ['-bios', rom], a.runs)
            t1, _, _, _ = best(cmd + ['-bios', rom1], a.runs)
            rows.append(dict(name=name, wall=t, base=t1, out=out, err=err,
                             status=st, sum=checksum(out)))

    am, qm = rows
    m = re.search(r'amber: (\d+) instructions in ([0-9.]+) s', am['err'])
    icount = int(m.group(1)) if m else None
    run_s = float(m.group(2)) if m else None

    print(f'demo.asm, ITER={a.iter} ({a.iter * 256} iterations), '
          f'best of {a.runs} runs; wall time includes start-up')
    print(f'{"":18} {"wall s":>8} {"start s":>8} {"net s":>8} {"MIPS":>7}  '
          f'{"checksum":8}  status')
    for r in rows:
        net = max(r['wall'] - r['base'], 1e-9)
        # qemu's figure is amber's instruction count over qemu's net time:
        # the rate qemu would need to show to match, not a count of its own.
        mips = ''
        if icount and r is am and run_s:
            mips = f'{icount / run_s / 1e6:7.1f}'
        elif icount:
            mips = f'({icount / net / 1e6:.0f})'
        label = 'amber' if r is am else 'qemu-system-i386'
        print(f'{label:18} {r["wall"]:8.3f} {r["base"]:8.3f} {net:8.3f} {mips:>7}  '
              f'{r["sum"] or "-":8}  {r["status"]}')
    a_net = max(am['wall'] - am['base'], 1e-9)
    q_net = max(qm['wall'] - qm['base'], 1e-9)
    print(f'{"amber/qemu":18} {am["wall"] / qm["wall"]:8.2f} {"":8} '
          f'{a_net / q_net:8.2f}')
    if icount:
        print(f'amber retired {icount} guest instructions in {run_s:.3f} s of run loop')

    ok = True
    if not am['sum'] or am['sum'] != qm['sum']:
        print(f'bench: MISMATCH: checksum amber {am["sum"]} qemu {qm["sum"]}')
        ok = False
    if am['status'] != qm['status']:
        print(f'bench: MISMATCH: exit status amber {am["status"]} qemu {qm["status"]}')
        ok = False
    if not ok:
        sys.stderr.write(am['err'])
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
