"""The simulated station's link: boot, heartbeat, answer the CSMS from a device model.

Behaviour is handlers/sim.py's; this only keeps time and moves text, reporting each frame to
an observer as the hub does (transport/hub.Flow)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
import uuid
from collections.abc import Callable
from typing import Any

from ocppctl.core.schemas import SchemaRegistry
from ocppctl.core.versions import Version
from ocppctl.handlers.guard import guarded
from ocppctl.handlers.sim import DeviceModel, boot_payload, follow_ups, station_answer
from ocppctl.io.recorder import ocpp_time, utc_stamp
from ocppctl.transport.client import LinkError, LinkOptions, closed_reason, connect_station
from ocppctl.transport.control import decode_message, encode_message, open_control
from ocppctl.transport.flow import Flow
from ocppctl.transport.security import ClientSecurity


async def run_station(
    url: str,
    versions: list[Version],
    registry: SchemaRegistry,
    model: DeviceModel,
    connect_timeout: float,
    security: ClientSecurity,
    options: LinkOptions,
    observe: Callable[[Flow], None],
    stop: asyncio.Event,
    heartbeat: float | None = None,
    control: str | None = None,
) -> None:
    """Connect, boot and serve until `stop` is set; LinkError if the link fails. With
    `control`, a Unix socket there takes {"op": "set", "component", "variable", "value"}
    (`ocppctl sim set`): the value changes as a sensor's would, and monitors raise NotifyEvent."""
    from websockets.exceptions import ConnectionClosed

    link = await connect_station(
        url, versions, registry, lambda: str(uuid.uuid4()), connect_timeout, security=security, options=options
    )
    session, version, socket = link.session, link.version, link.socket
    name = session.station or ""
    observe(Flow(utc_stamp(), name, 1, None, version, event="connect", detail={"subprotocol": version.subprotocol}))
    interval = heartbeat

    async def send_call(action: str, payload: Any) -> None:
        sent = session.call(action, payload, time.monotonic(), 30, check=False)
        await socket.send(sent.text)
        observe(Flow(utc_stamp(), name, 1, "station", version, sent.text, sent.findings, frame=sent.frame))

    async def control_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = decode_message(await reader.readline())
            events = model.set_value(
                str(request["component"]), str(request["variable"]), str(request["value"]), ocpp_time()
            )
            if events is None:
                reply: dict[str, Any] = {
                    "ok": False,
                    "error": f"no {request['component']}/{request['variable']} in the model",
                }
            else:
                for payload in events:
                    await send_call("NotifyEvent", payload)
                reply = {"ok": True, "events": sum(len(p["eventData"]) for p in events)}
        except (ValueError, KeyError, TypeError) as exc:
            reply = {"ok": False, "error": f"bad control request: {exc}"}
        writer.write(encode_message(reply))
        await writer.drain()
        writer.close()

    control_server = await open_control(control, control_client) if control is not None else None
    await send_call("BootNotification", boot_payload(registry, version, model))
    next_beat = time.monotonic() + (interval or 300)
    try:
        while not stop.is_set():
            wait = max(0.0, next_beat - time.monotonic())
            receiving = asyncio.ensure_future(socket.recv())
            stopping = asyncio.ensure_future(stop.wait())
            done, _ = await asyncio.wait({receiving, stopping}, timeout=wait, return_when=asyncio.FIRST_COMPLETED)
            if stopping not in done:
                stopping.cancel()
            if receiving not in done:
                receiving.cancel()
                if stop.is_set():
                    break
                await send_call("Heartbeat", {})
                next_beat = time.monotonic() + (interval or 300)
                continue
            event = session.receive(receiving.result(), time.monotonic())
            text = event.text
            observe(Flow(utc_stamp(), name, 1, "csms", version, text, event.findings, frame=event.frame))
            if event.kind == "result" and event.call is not None and event.call.action == "BootNotification":
                payload = event.frame.payload if event.frame is not None else None
                if heartbeat is None and isinstance(payload, dict) and isinstance(payload.get("interval"), int):
                    interval = max(1, payload["interval"])
                    next_beat = time.monotonic() + interval
            if event.kind != "call" or event.frame is None:
                continue
            frame = event.frame
            verdict = guarded(
                version, event.findings, station_answer, model, version.name, frame.action or "", frame.payload
            )
            sent = session.respond(frame.id, verdict, time.monotonic())
            await socket.send(sent.text)
            observe(Flow(utc_stamp(), name, 1, "station", version, sent.text, sent.findings, frame=sent.frame))
            if verdict[0] == "result":
                for action, payload in follow_ups(
                    model, registry, version, frame.action or "", frame.payload, ocpp_time()
                ):
                    await send_call(action, payload)
    except ConnectionClosed as exc:
        raise LinkError(closed_reason(exc, waiting=False)) from None
    finally:
        if control_server is not None:
            control_server.close()
            with contextlib.suppress(OSError):
                os.unlink(str(control))
        await socket.close()
        observe(Flow(utc_stamp(), name, 1, None, version, event="close", detail={}))
