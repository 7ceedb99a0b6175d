"""Log into the local Odoo as a user and save a screenshot of a page.

    python tools/screenshot.py --login sally --url /odoo/crm --out shots/crm.png

Drives Debian's headless Chromium over the DevTools protocol (websocket-client,
installed by ./contoso in its venv), so a person can look at what a user sees.
"""

import argparse
import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request

import websocket


def odoo_session(base, db, login, password):
    payload = json.dumps(
        {"jsonrpc": "2.0", "params": {"db": db, "login": login, "password": password}}
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - the Odoo we serve locally
        f"{base}/web/session/authenticate",
        data=payload,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        body = json.load(response)
        if body.get("error"):
            raise SystemExit(f"login {login} refused: {body['error']['message']}")
        cookie = response.headers.get("Set-Cookie", "")
    return cookie.split("session_id=", 1)[1].split(";", 1)[0]


class Chrome:
    def __init__(self, width, height):
        self.profile = tempfile.mkdtemp(prefix="contoso-shot-")
        self.proc = subprocess.Popen(
            [
                shutil.which("chromium") or "/usr/bin/chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--window-size={width},{height}",
                # Port 0: Chromium picks a free port and writes it to
                # DevToolsActivePort, so several engineers can shoot at once.
                "--remote-debugging-port=0",
                f"--user-data-dir={self.profile}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        pages = []
        for _ in range(100):
            try:
                with open(port_file) as ports:
                    port = ports.readline().strip()
                with urllib.request.urlopen(  # noqa: S310 - our own Chromium
                    f"http://127.0.0.1:{port}/json"
                ) as resp:
                    pages = [t for t in json.load(resp) if t["type"] == "page"]
                if pages:
                    break
            except (OSError, ValueError):
                pass
            time.sleep(0.2)
        if not pages:
            self.close_browser()
            raise SystemExit("Chromium did not open its DevTools port in 20 s")
        self.ws = websocket.create_connection(pages[0]["webSocketDebuggerUrl"])
        self.next_id = 0

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(
            json.dumps({"id": self.next_id, "method": method, "params": params})
        )
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                return message.get("result", {})

    def close(self):
        self.ws.close()
        self.close_browser()

    def close_browser(self):
        self.proc.terminate()
        self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", default="http://127.0.0.1:8069")
    parser.add_argument("--db", default="contoso")
    parser.add_argument("--login", default="sally")
    parser.add_argument("--password", help="defaults to the login (demo users)")
    parser.add_argument("--url", default="/odoo/crm")
    parser.add_argument("--out", required=True)
    parser.add_argument(
        "--wait", type=float, default=2.0, help="seconds to settle once a view shows"
    )
    parser.add_argument("--size", default="1400x900")
    args = parser.parse_args()
    session = odoo_session(args.base, args.db, args.login, args.password or args.login)
    width, height = (int(x) for x in args.size.split("x"))
    chrome = Chrome(width, height)
    try:
        chrome.call(
            "Network.setCookie",
            name="session_id",
            value=session,
            url=args.base,
        )
        chrome.call("Page.navigate", url=args.base + args.url)
        # The web client builds its assets on first use: wait for a view.
        deadline = time.monotonic() + 90
        ready = (
            "!!document.querySelector('.o_view_controller, .o_login_auth, .o_error')"
        )
        while time.monotonic() < deadline:
            answer = chrome.call("Runtime.evaluate", expression=ready)
            if answer.get("result", {}).get("value"):
                break
            time.sleep(0.5)
        time.sleep(args.wait)
        shot = chrome.call("Page.captureScreenshot", format="png")
        with open(args.out, "wb") as out:
            out.write(base64.b64decode(shot["data"]))
        print(args.out)
    finally:
        chrome.close()


if __name__ == "__main__":
    main()
