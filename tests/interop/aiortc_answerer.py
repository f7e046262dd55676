"""A WhatsApp call answerer built on aiortc, not on webrtc-rs: the peer that
wacall's simulator and replay are tested against, so they cannot share a bug
with wacall's own bridge.

Modes:
  offer   read an offer file, write an answer file, run the call
  bridge  receive Meta-style webhooks (signatures checked with Python's hmac),
          answer through the Graph API (pre_accept, accept), as a real bridge does
  bic     place a business-initiated call: POST connect with aiortc's offer,
          apply WhatsApp's answer from the connect webhook

Faults make it answer the way broken bridges do:
  ice-lite     the answer declares a=ice-lite
  passive      the answer says a=setup:passive and aiortc really waits as DTLS server
  controlled   the ICE agent stays controlled (ICE-CONTROLLED), ignoring 487
  wrong-ufrag  the answer's a=ice-ufrag is not the one the agent uses
  silent       no audio track: the answer is recvonly and nothing is sent

The result (what it heard, signature checks) is written as JSON to --result.
"""

import argparse
import asyncio
import fractions
import hashlib
import hmac
import json
import math
import re
import signal
import sys
import time
from array import array

import aioice.ice
from aiohttp import ClientSession, web
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamTrack
import av

# Loopback only: the tests never use another address.
aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]


class Tone(MediaStreamTrack):
    """A sine tone in real time, 20 ms frames, 48 kHz mono."""

    kind = "audio"

    def __init__(self, hz):
        super().__init__()
        self.hz = hz
        self.pts = 0
        self.start = None

    async def recv(self):
        if self.start is None:
            self.start = time.monotonic()
        target = self.start + self.pts / 48000
        delay = target - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        samples = array("h", (int(0.3 * 32767 * math.sin(2 * math.pi * self.hz * (self.pts + i) / 48000)) for i in range(960)))
        frame = av.AudioFrame(format="s16", layout="mono", samples=960)
        frame.planes[0].update(samples.tobytes())
        frame.sample_rate = 48000
        frame.pts = self.pts
        frame.time_base = fractions.Fraction(1, 48000)
        self.pts += 960
        return frame


def frequency(samples, rate=48000):
    """Dominant frequency of a clean tone from its zero crossings."""
    crossings = []
    for i in range(1, len(samples)):
        a, b = samples[i - 1], samples[i]
        if a < 0 <= b:
            crossings.append(i - 1 + (-a) / (b - a))
    if len(crossings) < 10:
        return None
    return (len(crossings) - 1) / ((crossings[-1] - crossings[0]) / rate)


class Call:
    def __init__(self, args):
        self.args = args
        self.pc = RTCPeerConnection()
        self.heard = array("h")
        self.packets = 0
        self.ice_state = None

        @self.pc.on("track")
        def on_track(track):
            asyncio.ensure_future(self.consume(track))

        @self.pc.on("iceconnectionstatechange")
        def on_ice():
            self.ice_state = self.pc.iceConnectionState

    async def consume(self, track):
        while True:
            try:
                frame = await track.recv()
            except Exception:
                return
            self.packets += 1
            channels = len(frame.layout.channels)
            # The plane buffer is padded: keep only the frame's samples.
            pcm = array("h", bytes(frame.planes[0]))[: frame.samples * channels]
            if len(self.heard) < 48000 * 30:
                self.heard.extend(pcm[::channels])

    async def answer(self, offer):
        fault = self.args.fault
        if fault == "controlled":
            original = aioice.ice.Connection.check_start

            async def limited(conn, pair):
                pair._tries = getattr(pair, "_tries", 0) + 1
                if pair._tries > 5:
                    conn.check_state(pair, aioice.ice.CandidatePair.State.FAILED)
                    conn.check_complete(pair)
                    return
                return await original(conn, pair)

            aioice.ice.Connection.check_start = limited
            aioice.ice.Connection.switch_role = lambda conn, ice_controlling: None
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=offer, type="offer"))
        transceiver = self.pc.getTransceivers()[0]
        if fault != "silent":
            transceiver.sender.replaceTrack(Tone(self.args.tone))
            transceiver.direction = "sendrecv"
        else:
            transceiver.direction = "recvonly"
        if fault == "passive":
            transceiver.receiver.transport._set_role("server")
        if fault == "controlled":
            transceiver.receiver.transport.transport._connection.ice_controlling = False
        answer = await self.pc.createAnswer()
        await self.pc.setLocalDescription(answer)
        sdp = self.pc.localDescription.sdp
        # Meta accepts one sha-256 fingerprint only (pipecat strips the rest too).
        sdp = "".join(l for l in sdp.splitlines(True) if not l.startswith("a=fingerprint:") or l.startswith("a=fingerprint:sha-256"))
        if fault == "ice-lite":
            sdp = sdp.replace("t=0 0\r\n", "t=0 0\r\na=ice-lite\r\n", 1)
        if fault == "wrong-ufrag":
            sdp = re.sub(r"a=ice-ufrag:\S+", "a=ice-ufrag:notTheAgentsUfrag", sdp)
        return sdp

    async def offer(self):
        self.pc.addTrack(Tone(self.args.tone))
        await self.pc.setLocalDescription(await self.pc.createOffer())
        sdp = self.pc.localDescription.sdp
        return "".join(l for l in sdp.splitlines(True) if not l.startswith("a=fingerprint:") or l.startswith("a=fingerprint:sha-256"))

    def result(self):
        return {
            "heard_hz": frequency(self.heard[48000:] if len(self.heard) > 96000 else self.heard),
            "heard_seconds": len(self.heard) / 48000,
            "frames": self.packets,
            "ice": self.ice_state,
        }

    async def close(self):
        await self.pc.close()


def write_result(path, data):
    with open(path + ".tmp", "w") as f:
        json.dump(data, f)
    import os

    os.replace(path + ".tmp", path)


async def offer_mode(args):
    deadline = time.monotonic() + 30
    while True:
        try:
            with open(args.offer) as f:
                offer = f.read()
            if offer.strip():
                break
        except FileNotFoundError:
            pass
        if time.monotonic() > deadline:
            sys.exit("no offer")
        await asyncio.sleep(0.05)
    call = Call(args)
    sdp = await call.answer(offer)
    with open(args.answer_out + ".tmp", "w", newline="") as f:
        f.write(sdp)
    import os

    os.replace(args.answer_out + ".tmp", args.answer_out)
    await asyncio.sleep(args.seconds)
    write_result(args.result, call.result())
    await call.close()


async def webhook_mode(args):
    calls = {}
    state = {"signatures_ok": 0, "signatures_bad": 0, "terminated": [], "graph": [], "statuses": [], "answers": 0}
    stop = asyncio.Event()
    session = ClientSession()
    url = f"{args.graph_url}/v23.0/{args.phone_number_id}/calls"
    headers = {"Authorization": f"Bearer {args.graph_token}"}

    async def graph(body):
        async with session.post(url, json=body, headers=headers) as r:
            reply = await r.json()
            state["graph"].append({"action": body["action"], "status": r.status, "body": reply})
            return r.status, reply

    async def handle_connect(call_id, offer):
        call = Call(args)
        calls[call_id] = call
        sdp = await call.answer(offer)
        session_body = {"sdp_type": "answer", "sdp": sdp}
        status, _ = await graph({"messaging_product": "whatsapp", "call_id": call_id, "action": "pre_accept", "session": session_body})
        if status == 200:
            await graph({"messaging_product": "whatsapp", "call_id": call_id, "action": "accept", "session": session_body})

    async def place_call():
        sys.stderr.write("placing a call\n")
        call = Call(args)
        offer = await call.offer()
        sys.stderr.write("offer ready\n")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                status, reply = await graph({"messaging_product": "whatsapp", "to": args.to, "action": "connect", "session": {"sdp_type": "offer", "sdp": offer}})
                if status == 200:
                    calls[reply["calls"][0]["id"]] = call
                    return
                sys.stderr.write(f"connect: HTTP {status} {reply}\n")
            except Exception as e:
                sys.stderr.write(f"connect: {e!r}\n")
            await asyncio.sleep(0.2)

    async def verify(request):
        q = request.query
        if q.get("hub.mode") == "subscribe" and q.get("hub.verify_token") == args.verify_token:
            return web.Response(text=q.get("hub.challenge", ""))
        return web.Response(status=403)

    async def receive(request):
        body = await request.read()
        expected = hmac.new(args.app_secret.encode(), body, hashlib.sha256).hexdigest()
        given = request.headers.get("X-Hub-Signature-256", "").split("sha256=")[-1]
        if not hmac.compare_digest(expected, given):
            state["signatures_bad"] += 1
            write_result(args.result, state)
            return web.Response(status=401)
        state["signatures_ok"] += 1
        payload = json.loads(body)
        for entry in payload.get("entry", []):
            for change in entry.get("changes", []):
                value = change.get("value", {})
                for st in value.get("statuses", []):
                    state["statuses"].append(st["status"])
                for c in value.get("calls", []):
                    if c["event"] == "connect" and c["session"]["sdp_type"] == "offer":
                        asyncio.ensure_future(handle_connect(c["id"], c["session"]["sdp"]))
                    elif c["event"] == "connect":
                        state["answers"] += 1
                        call = calls.get(c["id"])
                        if call:
                            await call.pc.setRemoteDescription(RTCSessionDescription(sdp=c["session"]["sdp"], type="answer"))
                    elif c["event"] == "terminate":
                        call = calls.pop(c["id"], None)
                        record = {"id": c["id"], "status": c.get("status"), "errors": c.get("errors", []), "direction": c.get("direction")}
                        if call:
                            record.update(call.result())
                            asyncio.ensure_future(call.close())
                        state["terminated"].append(record)
        write_result(args.result, state)
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/webhook", verify)
    app.router.add_post("/webhook", receive)
    runner = web.AppRunner(app)
    await runner.setup()
    host, port = args.listen.rsplit(":", 1)
    site = web.TCPSite(runner, host, int(port))
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    print(json.dumps({"listening": f"http://{host}:{port}/webhook"}), flush=True)
    write_result(args.result, state)
    if args.mode == "bic":
        placing = asyncio.ensure_future(place_call())
        placing.add_done_callback(lambda t: t.exception() and sys.stderr.write(f"place_call failed: {t.exception()!r}\n"))
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    try:
        await asyncio.wait_for(stop.wait(), timeout=args.seconds)
    except asyncio.TimeoutError:
        pass
    write_result(args.result, state)
    await session.close()
    await runner.cleanup()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=["offer", "bridge", "bic"])
    p.add_argument("--to", default="15550100001")
    p.add_argument("--offer")
    p.add_argument("--answer-out")
    p.add_argument("--result", required=True)
    p.add_argument("--tone", type=float, default=1000.0)
    p.add_argument("--fault", choices=["ice-lite", "passive", "controlled", "wrong-ufrag", "silent"])
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--listen", default="127.0.0.1:0")
    p.add_argument("--app-secret", default="")
    p.add_argument("--verify-token", default="")
    p.add_argument("--graph-url", default="")
    p.add_argument("--graph-token", default="")
    p.add_argument("--phone-number-id", default="")
    args = p.parse_args()
    asyncio.run(offer_mode(args) if args.mode == "offer" else webhook_mode(args))


if __name__ == "__main__":
    main()
