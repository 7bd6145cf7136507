"""Reads TensorBoard event files without TensorFlow: the record framing
(u64 length, masked CRC-32C, data, masked CRC-32C), every checksum checked
with a CRC-32C computed bit by bit here, and the Event protobuf decoded by
hand (wall_time 1, step 2, file_version 3, summary 5 { value 1 { tag 1,
simple_value 2 } }).

read_events(path) -> (file_version, [(step, tag, value, wall_time)])
"""
import struct


def crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFF


def masked(data):
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def varint(buf, at):
    shift = value = 0
    while True:
        b = buf[at]
        at += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return value, at


def fields(buf):
    """(field number, wire type, value) of a protobuf message."""
    at = 0
    while at < len(buf):
        key, at = varint(buf, at)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, at = varint(buf, at)
        elif wire == 1:
            value, at = buf[at:at + 8], at + 8
        elif wire == 2:
            n, at = varint(buf, at)
            value, at = buf[at:at + n], at + n
        elif wire == 5:
            value, at = buf[at:at + 4], at + 4
        else:
            raise ValueError(f"wire type {wire}")
        yield number, wire, value


def read_events(path):
    data = open(path, "rb").read()
    at, version, scalars = 0, None, []
    while at < len(data):
        header = data[at:at + 8]
        (length,) = struct.unpack("<Q", header)
        (length_crc,) = struct.unpack("<I", data[at + 8:at + 12])
        if length_crc != masked(header):
            raise ValueError(f"{path}: bad length checksum at {at}")
        event = data[at + 12:at + 12 + length]
        (data_crc,) = struct.unpack("<I", data[at + 12 + length:at + 16 + length])
        if data_crc != masked(event) or len(event) != length:
            raise ValueError(f"{path}: bad data checksum at {at}")
        at += 16 + length
        wall, step = None, 0
        values = []
        for number, wire, value in fields(event):
            if number == 1 and wire == 1:
                (wall,) = struct.unpack("<d", value)
            elif number == 2 and wire == 0:
                step = value
            elif number == 3 and wire == 2:
                version = value.decode()
            elif number == 5 and wire == 2:
                for n, w, v in fields(value):
                    if n != 1 or w != 2:
                        continue
                    tag = simple = None
                    for n2, w2, v2 in fields(v):
                        if n2 == 1 and w2 == 2:
                            tag = v2.decode()
                        elif n2 == 2 and w2 == 5:
                            (simple,) = struct.unpack("<f", v2)
                    values.append((tag, simple))
        for tag, simple in values:
            scalars.append((step, tag, simple, wall))
    return version, scalars
