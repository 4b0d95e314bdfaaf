# A stand-in for systemd's notify socket in tests: binds a unix datagram socket (Node has none) and
# prints every message as one JSON line with its arrival time. Passed file descriptors (systemd-notify's
# BARRIER=1 pipe) are not taken, so the kernel closes them and systemd-notify returns at once.
import json
import socket
import sys
import time

path = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
print(json.dumps({"listening": path}), flush=True)
while True:
    data = s.recv(65536)
    print(json.dumps({"atMs": time.time() * 1000, "message": data.decode("utf-8", "replace")}), flush=True)
