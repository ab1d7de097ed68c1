"""The faster Socket.IO binary check answers exactly like python-socketio's own."""

from __future__ import annotations

import pytest
from socketio import packet

from tracker_app.fastpacket import FastPacket


class Rows(list):
    pass


class Props(dict):
    pass


@pytest.mark.parametrize(
    "data",
    [
        None,
        "text",
        1,
        2.5,
        True,
        [],
        {},
        {"a": [1, {"b": "c"}]},
        ["update", {"c1": {"props": {"rows": [{"id": 1, "title": "x"}] * 30}}}],
        b"raw",
        bytearray(b"raw"),
        {"a": [1, {"b": b"deep"}]},
        ["x", {"y": bytearray(1)}],
        Props(rows=Rows([{"id": 1}])),
        Props(rows=Rows([{"blob": b"x"}])),
        ("tuple", b"not walked"),
    ],
)
def test_same_answer_as_python_socketio(data):
    assert FastPacket.data_is_binary(data) == packet.Packet.data_is_binary(data)


def test_an_encoded_packet_is_unchanged():
    data = ["update", {"c1": {"props": {"rows": [{"id": 1, "title": "é"}]}}}]
    assert (
        FastPacket(packet.EVENT, data=data).encode()
        == packet.Packet(packet.EVENT, data=data).encode()
    )
