#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""storguard -> ticketing system relay (a template: adapt MAPPING and the
two API calls to your tool).

Receives storguard's native webhook events (Format=native), verifies the
Standard Webhooks signature, drops repeated event ids, and keeps one ticket
per incident in a REST ticketing API:

  raised                  POST  {TICKET_API}/tickets            -> ticket id
  updated, mitigated      PATCH {TICKET_API}/tickets/<id>       (+ a comment)
  resolved, closed        PATCH {TICKET_API}/tickets/<id>       state change
  test                    answered 200, nothing created

Environment: STORGUARD_SECRET_FILE (the same secret as SecretFile=),
TICKET_API (e.g. https://tickets.example.net/api), TICKET_TOKEN_FILE,
RELAY_DB (default ./relay.db), RELAY_PORT (default 8080).
Run it behind a TLS-terminating proxy or add ssl as in
tests/webhook/receiver.py.

Answers: 200 when handled (or a repeat), 401 for a bad signature (a dead
letter on storguard's side: look at it), 503 when the ticketing API failed
(storguard retries with backoff).
"""

import base64
import hashlib
import hmac
import json
import os
import sqlite3
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# incident field -> ticket field; priorities 1..5 map to the tool's own.
MAPPING = {
    "priority": {1: "critical", 2: "high", 3: "medium", 4: "low", 5: "planning"},
    "state": {"open": "new", "mitigated": "in_progress", "resolved": "resolved", "closed": "closed"},
}
TOLERANCE_SEC = 300

SECRET = open(os.environ["STORGUARD_SECRET_FILE"], "rb").read().strip()
KEY = base64.b64decode(SECRET[6:]) if SECRET.startswith(b"whsec_") else SECRET
API = os.environ.get("TICKET_API", "http://127.0.0.1:9000/api")
TOKEN = open(os.environ["TICKET_TOKEN_FILE"]).read().strip() if "TICKET_TOKEN_FILE" in os.environ else None
DB = sqlite3.connect(os.environ.get("RELAY_DB", "relay.db"), check_same_thread=False)
DB.execute("CREATE TABLE IF NOT EXISTS seen (event_id TEXT PRIMARY KEY)")
DB.execute("CREATE TABLE IF NOT EXISTS tickets (dedup_key TEXT PRIMARY KEY, ticket_id TEXT)")


def verify(headers, body):
    mid, ts, sigs = headers.get("webhook-id"), headers.get("webhook-timestamp"), headers.get("webhook-signature")
    if not (mid and ts and sigs) or abs(time.time() - int(ts)) > TOLERANCE_SEC:
        return False
    want = base64.b64encode(hmac.new(KEY, f"{mid}.{ts}.".encode() + body, hashlib.sha256).digest()).decode()
    return any(s.startswith("v1,") and hmac.compare_digest(s[3:], want) for s in sigs.split())


def api(method, path, doc):
    req = urllib.request.Request(API + path, data=json.dumps(doc).encode(), method=method,
                                 headers={"Content-Type": "application/json"})
    if TOKEN:
        req.add_header("Authorization", "Bearer " + TOKEN)
    with urllib.request.urlopen(req, timeout=20) as r:
        return json.load(r) if r.length else {}


def handle(ev):
    inc = ev["incident"]
    fields = {
        "title": "[storguard] %s on %s" % (inc.get("title", inc["id"]), ev["host"]),
        "description": inc.get("description", ""),
        "priority": MAPPING["priority"].get(inc["priority"], "medium"),
        "state": MAPPING["state"].get(inc["status"], "new"),
        "external_id": inc["dedup_key"],
        "configuration_item": inc.get("ci_id"),
        "major_incident": inc.get("major", False),
    }
    comment = "%s at %s (event %s)%s" % (ev["event_type"], ev["time"], ev["event_id"],
                                         ": workaround " + inc["workaround"] if inc.get("workaround") else "")
    row = DB.execute("SELECT ticket_id FROM tickets WHERE dedup_key = ?", (inc["dedup_key"],)).fetchone()
    if row is None:
        ticket = api("POST", "/tickets", dict(fields, comment=comment))
        DB.execute("INSERT INTO tickets VALUES (?, ?)", (inc["dedup_key"], str(ticket["id"])))
    else:
        api("PATCH", "/tickets/%s" % row[0], dict(fields, comment=comment))


class Relay(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self, status, text):
        out = text.encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if not verify({k.lower(): v for k, v in self.headers.items()}, body):
            return self.answer(401, "bad signature")
        ev = json.loads(body)
        if ev.get("schema") != "storguard.webhook/1":
            return self.answer(400, "not a storguard.webhook/1 event")
        if ev["event_type"] == "test":
            return self.answer(200, "test received")
        with DB:
            if DB.execute("SELECT 1 FROM seen WHERE event_id = ?", (ev["event_id"],)).fetchone():
                return self.answer(200, "repeat of a handled event")
            try:
                handle(ev)
            except Exception as e:  # the ticketing API failed: storguard retries
                DB.rollback()
                return self.answer(503, "ticketing API: %s" % e)
            DB.execute("INSERT INTO seen VALUES (?)", (ev["event_id"],))
        self.answer(200, "ok")


if __name__ == "__main__":
    ThreadingHTTPServer(("0.0.0.0", int(os.environ.get("RELAY_PORT", "8080"))), Relay).serve_forever()
