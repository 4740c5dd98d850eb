#!/usr/bin/env python3
"""cli.py — amber's debugger flags: -gdb tcp::PORT / tcp:ADDR:PORT, -s, -S,
and their errors (status 1, one "amber: ..." line).

usage: cli.py AMBER ROM   (ROM: a guest that ends by itself)
"""
import socket
import subprocess
import sys

failures = []


def run(args, timeout=30):
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def check(cond, what):
    print(('ok   ' if cond else 'FAIL ') + what)
    if not cond:
        failures.append(what)


def main():
    amber, rom = sys.argv[1:3]
    rc, out, _ = run([amber, '--help'])
    check(rc == 0 and '-gdb tcp::PORT' in out and '-S ' in out and '-s ' in out,
          '--help lists -gdb, -s, -S')
    for args, msg in [(['-S'], '-S: nothing could start the guest'),
                      (['-gdb', 'foo'], 'amber has tcp::PORT'),
                      (['-gdb', 'tcp::'], 'bad port'),
                      (['-gdb', 'tcp::99999'], 'bad port'),
                      (['-gdb', 'tcp::12ab'], 'bad port'),
                      (['-gdb'], 'requires an argument')]:
        rc, _, err = run([amber, '-bios', rom] + args)
        check(rc == 1 and msg in err and err.startswith('amber: ') and err.count('\n') == 1,
              '%s: status 1, %r (%r)' % (' '.join(args), msg, err.strip()))
    # A port that is taken.
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    s.listen(1)
    port = s.getsockname()[1]
    rc, _, err = run([amber, '-bios', rom, '-gdb', 'tcp::%d' % port])
    check(rc == 1 and 'cannot listen on 127.0.0.1:%d' % port in err,
          'a port in use: %r' % err.strip())
    s.close()
    # No debugger ever attaches: the guest runs as without the stub.
    rc, _, err = run([amber, '-bios', rom, '-gdb', 'tcp:127.0.0.1:0'])
    check(rc == 0 and 'gdb stub listening on 127.0.0.1:' in err, 'no debugger: the guest runs')
    print('PASS' if not failures else 'FAILED: %d' % len(failures))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
