"""A bounds-checked cursor and the two error kinds every decoder here raises.

Every rejection of input names one canonical stage of docs/PROTOCOL.md ("Canonical
stages"); a malformed request (a missing field, a `random` value of the wrong size)
is a BadArgs, answered as an error with no stage, since no stage describes it.
"""

STAGES = frozenset(
    {
        "key",
        "key_kind",
        "length",
        "version",
        "header",
        "session_count",
        "session_not_found",
        "key_unwrap",
        "authentication",
        "signature",
        "empty",
        "algorithm",
    }
)


class Rejected(Exception):
    """The input is refused; `stage` is where, `message` says why in words."""

    def __init__(self, stage, message):
        if stage not in STAGES:
            raise AssertionError(f"not a canonical stage: {stage!r}")
        super().__init__(message)
        self.stage = stage
        self.message = message


class BadArgs(Exception):
    """The request itself is malformed (not the message or key it carries)."""


class Reader:
    """Reads fields front to back; running short raises Rejected at the stage
    the caller names for that field, so the error says which field was cut."""

    def __init__(self, data, what):
        self.data = bytes(data)
        self.pos = 0
        self.what = what

    def remaining(self):
        return len(self.data) - self.pos

    def take(self, n, field, stage="length"):
        if n < 0:
            raise Rejected(stage, f"{self.what}: negative length for {field}")
        if self.remaining() < n:
            raise Rejected(
                stage,
                f"{self.what} ends inside {field}: it needs {n} bytes at offset "
                f"{self.pos}, {self.remaining()} remain",
            )
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def u16le(self, field, stage="length"):
        return int.from_bytes(self.take(2, field, stage), "little")

    def u32le(self, field, stage="length"):
        return int.from_bytes(self.take(4, field, stage), "little")

    def u32be(self, field, stage="length"):
        return int.from_bytes(self.take(4, field, stage), "big")

    def rest(self):
        out = self.data[self.pos :]
        self.pos = len(self.data)
        return out


def hex_arg(args, field):
    value = args.get(field)
    if not isinstance(value, str):
        raise BadArgs(f"{field} is missing or not a string")
    try:
        return bytes.fromhex(value)
    except ValueError as e:
        raise BadArgs(f"{field} is not hex: {e}") from None


def str_arg(args, field):
    value = args.get(field)
    if not isinstance(value, str):
        raise BadArgs(f"{field} is missing or not a string")
    return value


def list_arg(args, field):
    value = args.get(field)
    if not isinstance(value, list):
        raise BadArgs(f"{field} is missing or not a list")
    return value
