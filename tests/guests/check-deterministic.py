#!/usr/bin/env python3
"""Runs a guest ROM under amber twice and checks that both runs print the
same bytes and end with the same status (deterministic mode, -icount).

usage: check-deterministic.py AMBER ROM [--expect LINE ...] --status N
                              [--runs K] [--timeout S] -- amber args

The amber args must select deterministic mode (-icount N); every --expect
LINE must appear as a whole line of the output.
"""
import argparse
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('amber')
    ap.add_argument('rom')
    ap.add_argument('--expect', action='append', default=[])
    ap.add_argument('--status', type=int, required=True)
    ap.add_argument('--runs', type=int, default=2)
    ap.add_argument('--timeout', type=float, default=120)
    argv = sys.argv[1:]
    extra = []
    if '--' in argv:
        k = argv.index('--')
        argv, extra = argv[:k], argv[k + 1:]
    a = ap.parse_args(argv)

    cmd = [a.amber, '-bios', a.rom, '-nographic'] + extra
    runs = []
    for i in range(a.runs):
        try:
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=a.timeout)
        except subprocess.TimeoutExpired:
            print(f'FAIL: {" ".join(cmd)}: no exit within {a.timeout} s')
            return 1
        sys.stderr.write(p.stderr.decode('latin-1'))
        runs.append((p.stdout, p.returncode))
    out, status = runs[0]
    sys.stdout.write(out.decode('latin-1'))
    ok = True
    for i, (o, s) in enumerate(runs[1:], 2):
        if o != out:
            print(f'FAIL: run {i} printed other bytes:')
            sys.stdout.write(o.decode('latin-1'))
            ok = False
        if s != status:
            print(f'FAIL: run {i} ended with status {s}, run 1 with {status}')
            ok = False
    lines = out.decode('latin-1').splitlines()
    for want in a.expect:
        if want not in lines:
            print(f'FAIL: expected the line {want!r}')
            ok = False
    if status != a.status:
        print(f'FAIL: exit status {status}, expected {a.status}')
        ok = False
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
