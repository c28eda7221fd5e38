"""The bench's Python peer: ftplib as an FTP client, and a plain socket reader for the raw reference.

Prints one JSON object: {"seconds": ..., "bytes": ..., "files": ...}. Times are taken around the work
itself (not Python's start-up). Usage:
  pyClient.py raw-big   HOST PORT
  pyClient.py raw-small HOST PORT COUNT
  pyClient.py retr      HOST PORT USER PASSWORD REMOTE
  pyClient.py stor      HOST PORT USER PASSWORD LOCAL REMOTE
  pyClient.py small     HOST PORT USER PASSWORD DIR COUNT
"""
import ftplib
import json
import socket
import sys
import time

BLOCK = 1 << 20


def raw_big(host, port):
    buf = bytearray(BLOCK)
    view = memoryview(buf)
    total = 0
    start = time.perf_counter()
    with socket.create_connection((host, port)) as s:
        while True:
            n = s.recv_into(view)
            if n == 0:
                break
            total += n
    return {"seconds": time.perf_counter() - start, "bytes": total}


def raw_small(host, port, count):
    total = 0
    start = time.perf_counter()
    for _ in range(count):
        with socket.create_connection((host, port)) as s:
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                total += len(chunk)
    return {"seconds": time.perf_counter() - start, "bytes": total, "files": count}


def login(host, port, user, password):
    ftp = ftplib.FTP()
    ftp.connect(host, int(port), timeout=60)
    ftp.login(user, password)
    return ftp


class Counter:
    def __init__(self):
        self.bytes = 0

    def __call__(self, chunk):
        self.bytes += len(chunk)


def retr(host, port, user, password, remote):
    ftp = login(host, port, user, password)
    counter = Counter()
    start = time.perf_counter()
    ftp.retrbinary("RETR " + remote, counter, blocksize=BLOCK)
    seconds = time.perf_counter() - start
    ftp.quit()
    return {"seconds": seconds, "bytes": counter.bytes}


def stor(host, port, user, password, local, remote):
    ftp = login(host, port, user, password)
    with open(local, "rb") as f:
        start = time.perf_counter()
        ftp.storbinary("STOR " + remote, f, blocksize=BLOCK)
        seconds = time.perf_counter() - start
        size = f.tell()
    ftp.quit()
    return {"seconds": seconds, "bytes": size}


def small(host, port, user, password, directory, count):
    ftp = login(host, port, user, password)
    counter = Counter()
    names = ["%s/f%03d.bin" % (directory, i) for i in range(count)]
    start = time.perf_counter()
    for name in names:
        ftp.retrbinary("RETR " + name, counter, blocksize=BLOCK)
    seconds = time.perf_counter() - start
    ftp.quit()
    return {"seconds": seconds, "bytes": counter.bytes, "files": count}


def main(argv):
    op, host, port = argv[0], argv[1], int(argv[2])
    if op == "raw-big":
        result = raw_big(host, port)
    elif op == "raw-small":
        result = raw_small(host, port, int(argv[3]))
    elif op == "retr":
        result = retr(host, port, argv[3], argv[4], argv[5])
    elif op == "stor":
        result = stor(host, port, argv[3], argv[4], argv[5], argv[6])
    elif op == "small":
        result = small(host, port, argv[3], argv[4], argv[5], int(argv[6]))
    else:
        raise SystemExit("unknown operation " + op)
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
