#!/usr/bin/env python3
"""Runs a guest ROM under amber and checks what it printed and how it ended.

usage: check-guest.py AMBER ROM [--expect LINE ...] [--expect-err TEXT ...]
                      --status N [--timeout S] [-- extra amber args]

Every --expect LINE must appear as a whole line of the debug console output
(amber's stdout), every --expect-err TEXT somewhere on stderr, and amber's
exit status must be N.
"""
import argparse
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('amber')
    ap.add_argument('rom')
    ap.add_argument('--expect', action='append', default=[])
    ap.add_argument('--expect-err', action='append', default=[],
                    help='text that must appear on stderr')
    ap.add_argument('--status', type=int, required=True)
    ap.add_argument('--timeout', type=float, default=120)
    argv = sys.argv[1:]
    extra = []
    if '--' in argv:
        k = argv.index('--')
        argv, extra = argv[:k], argv[k + 1:]
    a = ap.parse_args(argv)

    cmd = [a.amber, '-bios', a.rom, '-nographic'] + extra
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=a.timeout)
    except subprocess.TimeoutExpired:
        print(f'FAIL: {" ".join(cmd)}: no exit within {a.timeout} s')
        return 1
    out = p.stdout.decode('latin-1')
    err = p.stderr.decode('latin-1')
    sys.stdout.write(out)
    sys.stderr.write(err)
    lines = out.splitlines()
    ok = True
    for want in a.expect:
        if want not in lines:
            print(f'FAIL: expected the line {want!r}')
            ok = False
    for want in a.expect_err:
        if want not in err:
            print(f'FAIL: expected {want!r} on stderr')
            ok = False
    if p.returncode != a.status:
        print(f'FAIL: exit status {p.returncode}, expected {a.status}')
        ok = False
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
