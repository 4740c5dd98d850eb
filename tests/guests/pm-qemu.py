#!/usr/bin/env python3
"""Runs a pm-*.bin guest ROM under qemu-system-i386 (TCG), the reference
the pm-* tests are written against, and checks its summary line and exit
status (see lib/pm.inc).

usage: pm-qemu.py QEMU ROM [--reboot] [--timeout S]

Without --reboot qemu runs with -no-reboot, so a triple fault ends the run
instead of looping; pm-a20 needs --reboot (its port 92h fast reset must
restart the ROM).
"""
import argparse
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('qemu')
    ap.add_argument('rom')
    ap.add_argument('--reboot', action='store_true')
    ap.add_argument('--timeout', type=float, default=60)
    a = ap.parse_args()
    cmd = [a.qemu, '-accel', 'tcg', '-bios', a.rom, '-display', 'none',
           '-debugcon', 'stdio', '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04']
    if not a.reboot:
        cmd.append('-no-reboot')
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=a.timeout)
    except subprocess.TimeoutExpired:
        print(f'FAIL: {" ".join(cmd)}: no exit within {a.timeout} s')
        return 1
    out = p.stdout.decode('latin-1')
    sys.stdout.write(out[:200000])
    sys.stderr.write(p.stderr.decode('latin-1')[:20000])
    ok = 'RESULT: PASS' in out.splitlines() and p.returncode == 33
    if not ok:
        print(f'FAIL: qemu exit status {p.returncode}, expected 33 and "RESULT: PASS"')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
