#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A webhook receiver for storguard's tests: a real HTTP(S) server on
127.0.0.1 that records every request and answers as scripted.

  receiver.py [--port N] [--cert FILE --key FILE [--client-ca FILE]]
              [--secret FILE] [--schema FILE]

It prints one line when it listens, "PORT <port> CONTROL <port>
JSONSCHEMA <0|1>" (1: --schema is enforced with python3-jsonschema), and
serves two ports: the webhook port (TLS when --cert is given) and a
plain-HTTP control port:

  POST /script     JSON list of answers for the next requests, in order:
                   {"status": 500, "delay": 0.5, "retry_after": "1",
                    "body": "...", "drop": true}
                   ("drop" closes the connection without an answer;
                   "delay" is in seconds).  When the list is empty the
                   answer is 200 with body "ok".
  GET  /requests   every request so far: method, path, headers, body,
                   time, and what this receiver checked:
                     sig_ok     the Standard Webhooks signature verifies
                                with --secret, by Python's hmac/hashlib
                                (an implementation independent of the
                                daemon's OpenSSL one); null without --secret
                     schema_ok  a native payload validates against --schema
                                (python3-jsonschema); null when not native
                                or jsonschema is missing
                     answered   the status sent, or "drop"
  GET  /wait?count=N&timeout=S   returns when N requests were recorded (or
                   after S seconds with what there is): no sleeping in tests
  POST /reset      forget requests and script

Nothing but 127.0.0.1 is ever bound.
"""

import argparse
import base64
import hashlib
import hmac
import json
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

try:
    import jsonschema
except ImportError:  # structural checks in the C test then
    jsonschema = None


class State:
    def __init__(self, secret, schema):
        self.lock = threading.Condition()
        self.requests = []
        self.script = []
        self.key = None
        if secret is not None:
            s = secret.strip()
            self.key = base64.b64decode(s[len(b"whsec_"):]) if s.startswith(b"whsec_") else s
        self.validator = None
        if schema is not None and jsonschema is not None:
            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            self.validator = cls(schema)

    def verify(self, headers, body):
        if self.key is None:
            return None
        mid = headers.get("webhook-id")
        ts = headers.get("webhook-timestamp")
        sig = headers.get("webhook-signature")
        if not mid or not ts or not sig:
            return False
        if "." in mid:  # the spec: no '.' in the id
            return False
        if abs(int(ts) - time.time()) > 300:  # the spec's replay window
            return False
        expected = base64.b64encode(
            hmac.new(self.key, mid.encode() + b"." + ts.encode() + b"." + body, hashlib.sha256).digest()
        ).decode()
        for s in sig.split(" "):
            version, _, value = s.partition(",")
            if version == "v1" and hmac.compare_digest(value, expected):
                return True
        return False

    def check_schema(self, body):
        if self.validator is None:
            return None
        try:
            doc = json.loads(body)
        except ValueError:
            return False
        if not isinstance(doc, dict) or doc.get("schema") != "storguard.webhook/1":
            return None
        errors = sorted(self.validator.iter_errors(doc), key=str)
        return not errors


def make_handler(state):
    class Hook(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes: without this, Nagle and the
        # client's delayed ACK add 40 ms to every answer.
        disable_nagle_algorithm = True

        def log_message(self, *args):
            pass

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            with state.lock:
                answer = state.script.pop(0) if state.script else {}
            # Recorded on arrival: a request whose answer never reaches the
            # client (it timed out, it was killed) was still received.
            rec = {
                "method": "POST",
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": body.decode("utf-8", "replace"),
                "time": time.time(),
                "sig_ok": state.verify({k.lower(): v for k, v in self.headers.items()}, body),
                "schema_ok": state.check_schema(body),
                "answered": "drop" if answer.get("drop") else answer.get("status", 200),
            }
            with state.lock:
                state.requests.append(rec)
                state.lock.notify_all()
            if answer.get("delay"):
                # Not a synchronisation: a slow receiver IS the behaviour under
                # test (the notifier's per-attempt timeout must cut it off),
                # so the answer is delayed on purpose by the scripted time.
                time.sleep(float(answer["delay"]))
            if answer.get("drop"):
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return
            out = answer.get("body", "ok").encode()
            self.send_response(int(answer.get("status", 200)))
            if "retry_after" in answer:
                self.send_header("Retry-After", str(answer["retry_after"]))
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

    return Hook


def make_control(state):
    class Control(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, *args):
            pass

        def reply(self, obj):
            out = json.dumps(obj).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def do_GET(self):
            u = urlparse(self.path)
            if u.path == "/requests":
                with state.lock:
                    self.reply(state.requests)
            elif u.path == "/wait":
                q = parse_qs(u.query)
                count = int(q.get("count", ["1"])[0])
                deadline = time.monotonic() + float(q.get("timeout", ["10"])[0])
                with state.lock:
                    while len(state.requests) < count and time.monotonic() < deadline:
                        state.lock.wait(deadline - time.monotonic())
                    self.reply({"count": len(state.requests)})
            else:
                self.send_error(404)

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            if self.path == "/script":
                with state.lock:
                    state.script.extend(json.loads(body or b"[]"))
                self.reply({"ok": True})
            elif self.path == "/reset":
                with state.lock:
                    state.requests.clear()
                    state.script.clear()
                self.reply({"ok": True})
            else:
                self.send_error(404)

    return Control


class Server(ThreadingHTTPServer):
    allow_reuse_address = True
    daemon_threads = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        # A client that went away (timed out, killed) is part of the tests.
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--client-ca", help="require a client certificate signed by this CA")
    p.add_argument("--secret")
    p.add_argument("--schema")
    a = p.parse_args()

    secret = open(a.secret, "rb").read() if a.secret else None
    schema = json.load(open(a.schema)) if a.schema else None
    state = State(secret, schema)

    hook = Server(("127.0.0.1", a.port), make_handler(state))
    if a.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.cert, a.key)
        if a.client_ca:
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(a.client_ca)
        hook.socket = ctx.wrap_socket(hook.socket, server_side=True)
    control = Server(("127.0.0.1", 0), make_control(state))
    threading.Thread(target=control.serve_forever, daemon=True).start()
    print("PORT %d CONTROL %d JSONSCHEMA %d" % (hook.server_address[1], control.server_address[1],
                                                state.validator is not None), flush=True)
    try:
        hook.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
