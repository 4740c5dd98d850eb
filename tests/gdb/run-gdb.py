#!/usr/bin/env python3
"""run-gdb.py — runs amber with its gdb stub and Debian's gdb in batch mode
against it, then checks what both printed and how amber ended.

usage: run-gdb.py AMBER ROM SCRIPT.gdb

The script is a gdb command file; its comments carry the checks:
  # amber: ARGS        extra amber arguments (default: -S)
  # expect: REGEX      must appear in gdb's output, after the previous match
  # reject: REGEX      must not appear in gdb's output
  # console: REGEX     must appear in amber's debug console (stdout)
  # status: N          amber's exit status (default 0)
The stub listens on a free port (-gdb tcp::0; amber prints the port).
Exit status 77 (meson: skipped) when gdb is not installed.
"""
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    amber, rom, script = (os.path.abspath(a) for a in sys.argv[1:])
    gdb = shutil.which('gdb')
    if not gdb:
        print('run-gdb.py: gdb is not installed: skipped')
        return 77
    amber_args, expects, rejects, console, status = ['-S'], [], [], [], 0
    for line in open(script):
        m = re.match(r'#\s*(amber|expect|reject|console|status):\s?(.*)$', line.rstrip('\n'))
        if not m:
            continue
        key, val = m.groups()
        if key == 'amber':
            amber_args = shlex.split(val)
        elif key == 'expect':
            expects.append(val)
        elif key == 'reject':
            rejects.append(val)
        elif key == 'console':
            console.append(val)
        else:
            status = int(val)

    with tempfile.TemporaryDirectory() as tmp:
        err_path = os.path.join(tmp, 'amber.err')
        out_path = os.path.join(tmp, 'amber.out')
        with open(err_path, 'w') as err, open(out_path, 'w') as out:
            proc = subprocess.Popen([amber, '-bios', rom, '-gdb', 'tcp::0'] + amber_args,
                                    stdout=out, stderr=err, cwd=tmp)
        port = None
        for _ in range(200):
            m = re.search(r'listening on [^ ]*:(\d+)', open(err_path).read())
            if m:
                port = m.group(1)
                break
            if proc.poll() is not None:
                break
            time.sleep(0.05)
        if not port:
            proc.kill()
            print('run-gdb.py: amber did not start its stub:\n' + open(err_path).read())
            return 1
        cmd = [gdb, '-nx', '-batch', '-ex', 'set confirm off',
               '-ex', 'set pagination off',
               '-ex', 'target remote 127.0.0.1:' + port, '-x', script]
        try:
            g = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, timeout=60, cwd=tmp)
            gout = g.stdout
        except subprocess.TimeoutExpired as e:
            gout = (e.stdout or b'').decode(errors='replace') + '\n[gdb timed out]'
        try:
            rc = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            rc = 'timeout'
        aerr, aout = open(err_path).read(), open(out_path).read()

    bad = []
    pos = 0
    for e in expects:
        m = re.compile(e, re.M).search(gout, pos)
        if not m:
            bad.append('gdb output lacks (in order): ' + e)
        else:
            pos = m.end()
    for r in rejects:
        if re.search(r, gout, re.M):
            bad.append('gdb output has: ' + r)
    for c in console:
        if not re.search(c, aout, re.M):
            bad.append('amber console lacks: ' + c)
    if rc != status:
        bad.append('amber exit status %s, expected %d' % (rc, status))
    print('---- gdb ----\n' + gout + '---- amber stderr ----\n' + aerr +
          '---- amber console ----\n' + aout)
    for b in bad:
        print('FAIL: ' + b)
    print('PASS' if not bad else 'FAILED')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
