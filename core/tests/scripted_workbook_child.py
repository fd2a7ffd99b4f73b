"""A stand-in for core/workbook_child.py whose output a test scripts, to show what the parent does while frames
are still to come and when the reader fails halfway (core/tests/test_workbook_stream.py).

It is run like the real one (`python -I this_file site`) and reads the same request; the "file" is the zip
magic followed by a JSON list of steps: ["send", kind, payload] writes a frame, ["flush"] flushes the output,
["wait", path] waits (at most 30 s) until the file `path` exists, ["exit", status] ends at once.
"""

import json
import os
import pickle
import struct
import sys
import time


def main():
    request = json.loads(sys.stdin.buffer.readline())
    data = sys.stdin.buffer.read(request["size"])
    out = sys.stdout.buffer
    for step in json.loads(data[4:]):
        if step[0] == "send":
            body = pickle.dumps((step[1], step[2]), protocol=5)
            out.write(struct.pack(">I", len(body)) + body)
        elif step[0] == "flush":
            out.flush()
        elif step[0] == "wait":
            waited = 0.0
            while not os.path.exists(step[1]) and waited < 30:
                time.sleep(0.01)
                waited += 0.01
        elif step[0] == "exit":
            out.flush()
            os._exit(step[1])
    out.flush()


if __name__ == "__main__":
    main()
