#!/usr/bin/env python3
"""amber's command line: each bad invocation ends with status 1 and one
"amber: ..." line on stderr before anything runs; the informational ones
end with status 0.

usage: check-cli.py AMBER ROM
"""
import os
import subprocess
import sys
import tempfile

BAD = [
    ([], 'no BIOS image'),
    (['-bios', '/nonexistent/rom.bin'], 'No such file'),
    (['-bios', '@ROM', '-m', '0'], 'too little RAM'),
    (['-bios', '@ROM', '-m', '5G'], 'too much RAM'),
    (['-bios', '@ROM', '-m', 'lots'], 'not a size'),
    (['-bios', '@ROM', '-cpu', 'z80'], 'unknown CPU model'),
    (['-bios', '@ROM', '-frobnicate'], 'unknown option'),
    (['-bios', '@ROM', '-display', 'sdl'], 'no display yet'),
    (['-bios', '@ROM', '-accel', 'jit'], 'translator is not built yet'),
    (['-bios', '@ROM', '-accel', 'kvm'], 'unknown accelerator'),
    (['-bios', '@ROM', '-debugcon', 'pty'], 'amber has stdio'),
    (['-bios', '@ROM', '-device', 'e1000'], 'no such device'),
    (['-bios', '@ROM', '-device', 'isa-debug-exit,iobase=0xe9'], 'ports are taken'),
    (['-bios', '@ROM', '-device', 'isa-debug-exit,speed=3'], "no property 'speed'"),
    (['-bios', '@BIG'], 'larger than 1 MiB'),
    (['-bios', '@EMPTY'], 'empty file'),
    (['-bios'], 'requires an argument'),
    (['disk.img'], 'not supported yet'),
]

GOOD = [
    (['--version'], 'amber '),
    (['-version'], 'amber '),
    (['--help'], 'usage: amber'),
    (['-cpu', 'help'], 'pentium2'),
    (['-device', 'help'], 'isa-debug-exit'),
]


def run(amber, args):
    p = subprocess.run([amber] + args, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    return p.returncode, p.stdout.decode('latin-1'), p.stderr.decode('latin-1')


def main():
    amber, rom = sys.argv[1], sys.argv[2]
    fails = 0
    with tempfile.TemporaryDirectory() as tmp:
        big = os.path.join(tmp, 'big.bin')
        empty = os.path.join(tmp, 'empty.bin')
        with open(big, 'wb') as f:
            f.write(b'\xff' * ((1 << 20) + 1))
        open(empty, 'wb').close()
        subst = {'@ROM': rom, '@BIG': big, '@EMPTY': empty}
        for args, want in BAD:
            args = [subst.get(a, a) for a in args]
            st, out, err = run(amber, args)
            lines = err.splitlines()
            if st != 1 or len(lines) != 1 or not lines[0].startswith('amber: ') \
                    or want not in lines[0] or out:
                print(f'FAIL: amber {" ".join(args)}: status {st}, stderr {err!r}')
                fails += 1
        for args, want in GOOD:
            st, out, err = run(amber, args)
            if st != 0 or want not in out or err:
                print(f'FAIL: amber {" ".join(args)}: status {st}, stdout {out[:80]!r}')
                fails += 1
    print(f'{len(BAD) + len(GOOD) - fails} of {len(BAD) + len(GOOD)} passed')
    return 1 if fails else 0


if __name__ == '__main__':
    sys.exit(main())
