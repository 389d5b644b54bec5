"""Free loopback ports and waiting for a server to listen on one: the Python side of tests/support/,
shared by the Python checks of tests/integration/ and the benchmarks of bench/ (benchlib.py).

Import it by path, as they do:
    sys.path.insert(0, os.path.join(ROOT, "tests", "support"))
    from ports import free_port, wait_port
"""
import socket
import time


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now (the OS's choice)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port, seconds=15):
    """Returns once something accepts connections on 127.0.0.1:`port`; RuntimeError after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("nothing listens on %d" % port)
