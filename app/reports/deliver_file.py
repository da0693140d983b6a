"""The file outbox: with no SMTP server configured, each e-mail is written to a folder as an
.eml file (exactly what the SMTP server would have got; any mail client opens it) with its
attachments copied into a folder of the same name beside it, so the demo's reports arrive
where anyone can open them.

The file's name ends with a hash of the message's stable outbox key and the .eml is written
last, by an atomic rename: a message written again (after a crash) finds its file and leaves
it, so the folder holds each message once.
"""

from __future__ import annotations

import hashlib
import os
import re
from email.message import EmailMessage
from pathlib import Path

_UNSAFE = re.compile(r"[^\w@.+-]+")


def file_name(label: str, target: str, key: str) -> str:
    """`<label>_<recipient>_<hash>`: readable, safe on every file system, unique per key."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:10]
    readable = _UNSAFE.sub("_", f"{label} {target}").strip("_")[:120]
    return f"{readable}_{digest}"


def write_message(folder: Path, name: str, message: EmailMessage) -> Path:
    """Write `<folder>/<name>.eml` (and its attachments into `<folder>/<name>/`) once."""
    path = folder / f"{name}.eml"
    if path.exists():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    for part in message.iter_attachments():
        filename = part.get_filename()
        if filename:
            files = folder / name
            files.mkdir(exist_ok=True)
            (files / Path(filename).name).write_bytes(part.get_payload(decode=True))
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(bytes(message))
    os.replace(partial, path)
    return path
