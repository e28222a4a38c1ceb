"""Read a ``.qdpx`` zip as hostile input: bounded entry count and bytes, no unsafe names.

Nothing is extracted to disk. Each entry is read through zipfile's decompressor while the
bytes actually produced are counted against what is left of the budget, so a zip bomb stops
at the limit whatever its headers declare (a header that understates a size makes the CRC
check fail instead).
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass
from typing import Final

from tandem.qualitative.exchange.errors import Problem

_CHUNK: Final = 64 * 1024
_DRIVE: Final = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True, slots=True)
class ReadLimits:
    """Bounds on what an import reads from a file.

    ``max_bytes`` caps the uncompressed bytes read in total (the project XML and the texts
    it uses); ``max_entries`` caps the zip's entry count.
    """

    max_bytes: int = 200 * 1024 * 1024
    max_entries: int = 10_000


def unsafe_name(name: str) -> str | None:
    """Return why a zip entry or ``internal://`` name is unsafe, or None when it is not."""
    normalised = name.replace("\\", "/")
    if "\x00" in name:
        return "contains a NUL character"
    if normalised.startswith("/") or _DRIVE.match(normalised):
        return "is an absolute path"
    if ".." in normalised.split("/"):
        return "climbs out of the archive with '..'"
    return None


class Archive:
    """The entries of a ``.qdpx`` zip, looked up without regard to case, read within limits."""

    def __init__(self, data: bytes, limits: ReadLimits) -> None:
        self.problems: list[Problem] = []
        self._limits = limits
        self._left = limits.max_bytes
        self._zip: zipfile.ZipFile | None = None
        self._entries: dict[str, zipfile.ZipInfo] = {}
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
            self.problems.append(
                Problem("not-zip", "file", f"is not a readable zip archive ({exc})")
            )
            return
        infos = self._zip.infolist()
        if len(infos) > limits.max_entries:
            self.problems.append(
                Problem(
                    "zip-entries",
                    "file",
                    f"has {len(infos)} entries, more than the {limits.max_entries} allowed",
                )
            )
            return
        for info in infos:
            reason = unsafe_name(info.filename)
            if reason is not None:
                self.problems.append(
                    Problem("zip-path", f"entry {info.filename!r}", f"{reason}; refused")
                )
                continue
            key = posixpath.normpath(info.filename.replace("\\", "/")).lower()
            self._entries.setdefault(key, info)

    def root_files(self, suffix: str) -> list[str]:
        """Return the names of the entries at the root of the zip whose name ends in ``suffix``."""
        return sorted(
            info.filename
            for key, info in self._entries.items()
            if "/" not in key and key.endswith(suffix) and not info.is_dir()
        )

    def find(self, *names: str) -> zipfile.ZipInfo | None:
        """Return the first entry whose name matches one of ``names``, ignoring case."""
        for name in names:
            info = self._entries.get(posixpath.normpath(name.replace("\\", "/")).lower())
            if info is not None and not info.is_dir():
                return info
        return None

    def read(self, info: zipfile.ZipInfo) -> bytes | None:
        """Return the entry's bytes, or None after recording why it cannot be read."""
        element = f"entry {info.filename!r}"
        if self._zip is None:
            return None
        if info.flag_bits & 0x1:
            self.problems.append(Problem("zip-encrypted", element, "is encrypted"))
            return None
        if info.file_size > self._left:
            self._too_large(element)
            return None
        chunks: list[bytes] = []
        read = 0
        try:
            with self._zip.open(info) as stream:
                while chunk := stream.read(min(_CHUNK, self._left - read + 1)):
                    read += len(chunk)
                    if read > self._left:
                        self._too_large(element)
                        return None
                    chunks.append(chunk)
        except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError) as exc:
            self.problems.append(Problem("zip-corrupt", element, f"cannot be read ({exc})"))
            return None
        self._left -= read
        return b"".join(chunks)

    def _too_large(self, element: str) -> None:
        self.problems.append(
            Problem(
                "zip-too-large",
                element,
                f"would take the uncompressed size past the {self._limits.max_bytes:,} bytes "
                "allowed (a zip bomb, or a project too large to import)",
            )
        )
