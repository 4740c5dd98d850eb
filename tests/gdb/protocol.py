#!/usr/bin/env python3
"""protocol.py — the gdb stub against a raw remote-protocol client: the
packets gdb sends, and the ones it never would (bad checksums, oversized
and malformed packets, huge reads, an interrupt, a client that hangs up in
the middle of a packet).  amber must answer each with a reply or an error,
and the guest must come out intact: after the last client detaches, the
guest (pmswitch.asm built with -DSPIN) finishes with its console line and
exit status 67.

usage: protocol.py AMBER ROM
"""
import re
import socket
import subprocess
import sys
import tempfile
import time


def frame(data):
    return b'$' + data + b'#' + b'%02x' % (sum(data) & 0xFF)


class Client:
    def __init__(self, port):
        self.s = socket.create_connection(('127.0.0.1', port), timeout=10)
        self.buf = b''
        self.ack = True

    def recv_more(self):
        d = self.s.recv(65536)
        if not d:
            raise EOFError('amber closed the connection')
        self.buf += d

    def read_byte(self):
        while not self.buf:
            self.recv_more()
        b, self.buf = self.buf[:1], self.buf[1:]
        return b

    def read_packet(self):
        """The next packet's data; acks before it are skipped."""
        while True:
            i = self.buf.find(b'$')
            if i >= 0:
                j = self.buf.find(b'#', i)
                if j >= 0 and len(self.buf) >= j + 3:
                    data, ck = self.buf[i + 1:j], self.buf[j + 1:j + 3]
                    self.buf = self.buf[j + 3:]
                    assert int(ck, 16) == sum(data) & 0xFF, 'bad checksum from amber'
                    if self.ack:
                        self.s.sendall(b'+')
                    return data
            self.recv_more()

    def expect_ack(self, want=b'+'):
        if not self.ack:
            return
        b = self.read_byte()
        assert b == want, 'expected %r, got %r' % (want, b)

    def cmd(self, data, ack=b'+'):
        self.s.sendall(frame(data))
        self.expect_ack(ack)
        return self.read_packet()

    def close(self):
        self.s.close()


failures = []


def check(cond, what):
    print(('ok   ' if cond else 'FAIL ') + what)
    if not cond:
        failures.append(what)


def main():
    amber, rom = sys.argv[1:3]
    with tempfile.TemporaryFile('w+') as err, tempfile.TemporaryFile('w+') as out:
        proc = subprocess.Popen([amber, '-bios', rom, '-gdb', 'tcp::0'], stdout=out, stderr=err)
        port = None
        for _ in range(200):
            err.seek(0)
            m = re.search(r'listening on [^ ]*:(\d+)', err.read())
            if m:
                port = int(m.group(1))
                break
            time.sleep(0.05)
        if not port:
            proc.kill()
            print('FAIL amber did not start its stub')
            return 1
        time.sleep(0.3)  # let the guest reach its spin loop
        try:
            session(port)
        except Exception as e:  # a dropped connection or a timeout is a failure
            check(False, 'session: %r' % e)
            proc.kill()
        try:
            rc = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            rc = 'timeout'
        out.seek(0)
        err.seek(0)
        console = out.read()
        print('---- amber stderr ----\n' + err.read() + '---- amber console ----\n' + console)
        check(rc == 67, 'amber exit status %s (67)' % rc)
        check('gdb-pm: done' in console, 'the guest finished intact')
    print('PASS' if not failures else 'FAILED: %d' % len(failures))
    return 1 if failures else 0


def session(port):
    c = Client(port)
    check(c.cmd(b'?').startswith(b'T05'), 'attach stops the guest: T05')
    sup = c.cmd(b'qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386')
    for f in [b'PacketSize=4000', b'qXfer:features:read+', b'swbreak+', b'hwbreak+',
              b'vContSupported+', b'QStartNoAckMode+']:
        check(f in sup, 'qSupported has ' + f.decode())
    check(c.cmd(b'qAttached') == b'1', 'qAttached')
    check(c.cmd(b'vCont?') == b'vCont;c;C;s;S;t', 'vCont?')

    # Framing abuse.
    c.s.sendall(b'$g#00')
    check(c.read_byte() == b'-', 'bad checksum: -')
    c.s.sendall(b'$g#zz')
    check(c.read_byte() == b'-', 'non-hex checksum: -')
    c.s.sendall(b'noise+')  # ignored between packets
    check(c.cmd(b'qC') == b'QC1', 'noise between packets ignored')
    c.s.sendall(b'-')
    check(c.read_packet() == b'QC1', "'-' resends the last reply")
    check(c.cmd(b'm' + b'0' * 20000) == b'E22', 'oversized packet: E22')
    regs = c.cmd(b'g')
    check(len(regs) == 2 * 192 and re.fullmatch(rb'[0-9a-f]+', regs) is not None, 'g: 192 bytes')

    # Memory.
    big = c.cmd(b'm0,ffffffff')
    check(0 < len(big) <= 16384 and len(big) % 2 == 0, 'huge read clamped (%d hex digits)' % len(big))
    check(c.cmd(b'm40000000,4') == b'E14', 'unmapped page: E14')
    check(c.cmd(b'mffffffff,10') == b'E14', 'unmapped at the top: E14')
    check(c.cmd(b'M40000000,1:00') == b'E14', 'write to an unmapped page: E14')
    check(c.cmd(b'M700,2:beef') == b'OK' and c.cmd(b'm700,2') == b'beef', 'M then m')
    check(c.cmd(b'X702,2:\x7d\x03\x7d\x04') == b'OK' and c.cmd(b'm702,2') == b'2324',
          'X with escaped # and $')
    check(c.cmd(b'X0,0:') == b'OK', 'X probe')

    # Malformed commands.
    for bad, want in [(b'm', b'E01'), (b'mzz,4', b'E01'), (b'm1,', b'E01'),
                      (b'm100000000,4', b'E01'), (b'M0,4:zz', b'E01'), (b'M0,2:abcdef', b'E01'),
                      (b'X0,4:ab', b'E01'), (b'M0,8000000000000002:abcd', b'E01'), (b'p999', b'E01'), (b'p8x', b'E01'), (b'P8=12', b'E01'),
                      (b'G00', b'E01'), (b'Z9,0,1', b''), (b'Z0,zz,1', b'E01'),
                      (b'Z2,1000,3', b'E0e'), (b'qRcmd,zz', b'E01'), (b'qRcmd,6', b'E01'),
                      (b'vCont;x', b'E01'), (b'vCont', b'E01'),
                      (b'qXfer:features:read:foo.xml:0,10', b'E00'),
                      (b'qXfer:features:read:target.xml:zz', b'E01'),
                      (b'm' + b'f' * 40 + b',4', b'E01'), (b'', b''), (b'\x00\xff', b'')]:
        r = c.cmd(bad)
        check(r == want, 'malformed %r: %r (%r)' % (bad[:40], r, want))

    # The target description, in small pieces.
    xml, off = b'', 0
    while True:
        r = c.cmd(b'qXfer:features:read:target.xml:%x,100' % off)
        xml += r[1:]
        off += len(r) - 1
        if r[:1] == b'l' or len(xml) > 100000:
            break
    check(b'org.gnu.gdb.i386.core' in xml and b'"cr3"' in xml and xml.endswith(b'</target>\n'),
          'target.xml (%d bytes)' % len(xml))

    # Monitor output: O packets, then OK.
    c.s.sendall(frame(b'qRcmd,' + b'info registers'.hex().encode()))
    c.expect_ack()
    text = b''
    while True:
        r = c.read_packet()
        if r == b'OK':
            break
        text += bytes.fromhex(r[1:].decode())
    check(b'CR0=e0000011' in text and b'GDT' in text, 'monitor info registers')

    # No-ack mode, a step, a continue and Ctrl-C.
    check(c.cmd(b'QStartNoAckMode') == b'OK', 'QStartNoAckMode')
    c.ack = False
    check(c.cmd(b'vCont;s:1').startswith(b'T05'), 'vCont;s: T05')
    check(c.cmd(b's').startswith(b'T05'), 's: T05')
    c.s.sendall(frame(b'vCont;c'))
    time.sleep(0.3)
    c.s.sendall(b'\x03')
    check(c.read_packet().startswith(b'T02'), 'Ctrl-C: T02')
    check(c.cmd(b'?').startswith(b'T02'), '? repeats the stop')
    # Breakpoint set in the spin loop: a continue stops there (swbreak).
    check(c.cmd(b'Z0,f0400,1') == b'OK', 'Z0')
    r = c.cmd(b'c')
    check(r.startswith(b'T05') and b'swbreak' in r, 'continue to a breakpoint: %r' % r)
    check(c.cmd(b'z0,f0400,1') == b'OK', 'z0')
    check(c.cmd(b'Z1,f0400,1') == b'OK' and b'hwbreak' in c.cmd(b'c'), 'hardware breakpoint')
    check(c.cmd(b'z1,f0400,1') == b'OK', 'z1')
    check(c.cmd(b'Z3,3000,4') == b'OK', 'Z3 read watchpoint')
    r = c.cmd(b'c')
    check(r.startswith(b'T05') and b'rwatch:3000' in r, 'read watchpoint fires: %r' % r)
    check(c.cmd(b'z3,3000,4') == b'OK', 'z3')
    # The client hangs up in the middle of a packet: the guest runs on.
    c.s.sendall(b'$m0,4')
    c.close()
    time.sleep(0.3)

    # A second client: the guest stops again; it lets it go and detaches.
    c = Client(port)
    check(c.cmd(b'?').startswith(b'T05'), 'second client: T05')
    check(c.cmd(b'M3000,4:00000000') == b'OK', 'clear the spin flag')
    check(c.cmd(b'D') == b'OK', 'detach')
    c.close()


if __name__ == '__main__':
    sys.exit(main())
