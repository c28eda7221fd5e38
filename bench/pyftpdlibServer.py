"""The bench's pyftpdlib peer: Debian's pyftpdlib (python3-pyftpdlib) as a read-only anonymous FTP server.

Run it with Debian's Python, which has pyftpdlib: /usr/bin/python3 bench/pyftpdlibServer.py ROOT PASV_MIN PASV_MAX
It listens on 127.0.0.1 only, on a port the kernel picks, and prints "listening PORT" once it accepts
connections. Anonymous users (USER anonymous, any password) may list and read ROOT (permissions "elr"),
nothing else; pyftpdlib keeps every path inside ROOT. Passive data connections use ports PASV_MIN..PASV_MAX
(as vsftpd's pasv_min_port/pasv_max_port), and only from the control connection's peer address
(pyftpdlib's default, permit_foreign_addresses = False). Everything else is pyftpdlib's default
(one process, its epoll loop, sendfile() for RETR), except logging: only warnings, as vsftpd runs with
its logs off (pyftpdlib's default logs every command to stderr).

It stops on SIGTERM or SIGINT, and by itself when its standard input closes (the bench is gone).
"""
import logging
import os
import signal
import sys
import threading

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.log import config_logging
from pyftpdlib.servers import FTPServer


def main(argv):
    root, pasv_min, pasv_max = os.path.realpath(argv[0]), int(argv[1]), int(argv[2])
    authorizer = DummyAuthorizer()
    authorizer.add_anonymous(root, perm="elr")

    class Handler(FTPHandler):
        pass

    Handler.authorizer = authorizer
    Handler.passive_ports = range(pasv_min, pasv_max + 1)
    Handler.permit_foreign_addresses = False
    Handler.banner = "pyftpdlib (bench peer) ready."

    config_logging(level=logging.WARNING)
    server = FTPServer(("127.0.0.1", 0), Handler)

    def stop(*_):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def watch_stdin():
        # EOF on stdin: the bench that started this process has exited (even if killed); do not outlive it.
        try:
            while sys.stdin.buffer.read(4096):
                pass
        finally:
            os._exit(0)

    threading.Thread(target=watch_stdin, daemon=True).start()
    print("listening %d" % server.address[1], flush=True)
    # handle_exit: SystemExit from the signal handler ends the loop and closes every connection.
    server.serve_forever(timeout=1.0, handle_exit=True)


if __name__ == "__main__":
    main(sys.argv[1:])
