"""Result folders that cannot lie: a run is written whole into a hidden folder beside OUT and
swapped in only once every file and the manifest are written.

* ``RunFolder.begin(out)`` checks the output location before any work (not a file, writable,
  either new, empty, or an earlier result) and makes the hidden folder ``.OUT.partial-<pid>-…``
  next to it; files are written there; ``commit`` writes ``manifest.json`` last and swaps the
  folder into place (an atomic exchange where Linux offers it, else OUT -> ``OUT.previous``,
  new -> OUT, then ``OUT.previous`` removed); ``abandon`` removes it and leaves OUT untouched.
  A process killed at any moment leaves the previous OUT, the new OUT, or (between the two
  renames of the fallback only) ``OUT.previous``, which the next run puts back.
* An earlier run's files are never left beside the new ones: OUT is replaced whole.  The new
  folder is made by this process (mode 0700 until it is swapped in), so no symlink inside it
  is followed; a symlink at OUT itself is replaced, its target never written.
* ``manifest.json``: engine version, command, as-of date, options, the input files (bytes,
  sha256, records) and every output file (bytes, sha256, and for a CSV its rows as it reads
  back).  ``read_manifest(out)`` verifies a folder against it; a folder without a valid
  manifest is not a result.

>>> import tempfile
>>> out = Path(tempfile.mkdtemp()) / "out"
>>> run = RunFolder.begin(out)
>>> _ = (run.path / "a.csv").write_text("x\\r\\n1\\r\\n2\\r\\n", encoding="utf-8")
>>> manifest = run.commit()
>>> [(f["path"], f["rows"]) for f in read_manifest(out)["outputs"]]
[('a.csv', 2)]
"""

from __future__ import annotations

import csv
import ctypes
import ctypes.util
import datetime as dt
import errno
import hashlib
import json
import os
import secrets
import shutil
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator

import pyarrow as pa

from .errors import OutputFolderError, ResultFolderError
from .messages import text

MANIFEST = "manifest.json"
MANIFEST_FORMAT = 1
RESULT_NAMES = frozenset({
    "clusters.csv", "pairs.csv", "decisions.csv", "notices.csv", "verification.csv", "splits.csv", "flags.csv",
    "links.csv", "unmatched_left.csv", "unmatched_right.csv", "flags_left.csv", "flags_right.csv", "findings.csv",
    "separation.csv", "missing.csv", "summary.csv", "summary.xlsx", "sample.csv", "spotcheck.csv", "spotcheck.xlsx",
    "printable", "blocks.csv", MANIFEST, "state", "report.html", "办理清单.xlsx",
})
"""Names an earlier run (with or without a manifest) may hold: a folder of only these may be replaced."""
MAX_STEM_BYTES = 120
"""Longest file name stem written (UTF-8 bytes); file systems take 255."""


def engine_version() -> str:
    try:
        from importlib.metadata import version
        return version("wis-linkage")
    except Exception:  # an uninstalled checkout
        return "unknown"


def safe_file_stem(stem: str) -> str:
    """``stem`` shortened to MAX_STEM_BYTES of UTF-8 with a hash of the whole, so that two long
    names stay apart; short stems as they are.

    >>> safe_file_stem("330106") , len(safe_file_stem("9" * 270))
    ('330106', 120)
    """
    if len(stem.encode("utf-8")) <= MAX_STEM_BYTES:
        return stem
    digest = hashlib.sha256(stem.encode("utf-8")).hexdigest()[:12]
    kept = stem.encode("utf-8")[:MAX_STEM_BYTES - 13].decode("utf-8", "ignore")
    return f"{kept}~{digest}"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def csv_rows(path: Path) -> int:
    """Data rows of a CSV as it reads back (the header row not counted): Arrow's reader (quoted
    line breaks kept in their field), one column only; Python's csv module where Arrow cannot
    read the file (rows of unequal length, bad UTF-8)."""
    import pyarrow.csv as pacsv

    try:
        first = pacsv.read_csv(path, read_options=pacsv.ReadOptions(autogenerate_column_names=True, skip_rows=1),
                               parse_options=pacsv.ParseOptions(newlines_in_values=True),
                               convert_options=pacsv.ConvertOptions(include_columns=["f0"],
                                                                    column_types={"f0": pa.string()}))
        return first.num_rows
    except (pa.ArrowInvalid, OSError):
        with open(path, encoding="utf-8-sig", newline="") as handle:
            return max(0, sum(1 for _ in csv.reader(handle)) - 1)


def describe_input(path: str | os.PathLike, records: int | None = None) -> dict[str, Any]:
    """An input file as the manifest lists it: path, bytes, sha256, records."""
    path = Path(path)
    return {"path": str(path), "bytes": path.stat().st_size, "sha256": sha256_of(path), "records": records}


def _parent_of(out: Path) -> Path:
    return out.absolute().parent


def check_output_folder(out: str | os.PathLike) -> Path:
    """OUT checked before any work: not a file, and either absent, empty, or an earlier result
    (a manifest, or only names a run writes).  Raises OutputFolderError with a clear message."""
    out = Path(out)
    if out.is_symlink() and not out.exists():
        return out  # a dangling link: replaced by the new folder
    if out.exists() and not out.is_dir():
        raise OutputFolderError(text("out.is_file", path=out))
    if out.is_dir() and not out.is_symlink():
        names = sorted(entry.name for entry in os.scandir(out))
        if names and MANIFEST not in names:
            foreign = [name for name in names if name not in RESULT_NAMES]
            if foreign:
                raise OutputFolderError(text("out.not_result", path=out, example=foreign[0]))
        if MANIFEST in names:  # an earlier result: replaced whole, so nothing a clerk changed or added may be in it
            try:
                read_manifest(out)
            except ResultFolderError as exc:
                raise OutputFolderError(text("out.changed", path=out, detail=exc)) from exc
    parent = _parent_of(out)
    for ancestor in (parent, *parent.parents):
        if ancestor.exists():
            if not ancestor.is_dir():
                raise OutputFolderError(text("out.unwritable", path=out, detail=f"{ancestor} is a file"))
            break
    return out


class RunFolder:
    """The hidden folder a run writes into (``path``), swapped into ``out`` by ``commit``."""

    def __init__(self, out: Path, path: Path, *, command: list[str] | str | None, options: dict | None):
        self.out, self.path = out, path
        self.command = command if command is not None else list(sys.argv)
        self.options = dict(options or {})
        self.inputs: list[dict[str, Any]] = []
        self.as_of: str | None = None
        self.manifest: dict[str, Any] | None = None

    @classmethod
    def begin(cls, out: str | os.PathLike, *, command: list[str] | str | None = None,
              options: dict | None = None) -> "RunFolder":
        """Check ``out`` and make the hidden folder beside it (raises OutputFolderError)."""
        out = check_output_folder(out)
        parent = _parent_of(out)
        try:
            parent.mkdir(parents=True, exist_ok=True)
            _recover(out)
            path = parent / f".{out.name}.partial-{os.getpid()}-{secrets.token_hex(4)}"
            path.mkdir(mode=0o700)
        except OSError as exc:
            raise OutputFolderError(text("out.unwritable", path=out, detail=exc.strerror or exc)) from exc
        return cls(out, path, command=command, options=options)

    def add_input(self, path: str | os.PathLike | None, records: int | None = None, **notes: Any) -> None:
        """An input file (hashed now) for the manifest, with ``notes`` on how it was read (sheets,
        header row); frames (no path) are listed by record count only."""
        if path is None or not isinstance(path, (str, os.PathLike)):
            self.inputs.append({"path": None, "records": records, **notes})
        else:
            self.inputs.append({**describe_input(path, records), **notes})

    def commit(self) -> dict[str, Any]:
        """Write manifest.json (the last file) and swap the folder into ``out``.  Returns the manifest."""
        try:
            manifest = self._manifest()
            target = self.path / MANIFEST
            with open(target, "w", encoding="utf-8") as handle:
                json.dump(manifest, handle, ensure_ascii=False, indent=1)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(self.path, 0o777 & ~_umask())
            _swap(self.path, self.out)
        except OSError as exc:
            self.abandon()
            raise OutputFolderError(text("out.write_failed", path=self.out, detail=exc)) from exc
        self.manifest = manifest
        return manifest

    def abandon(self) -> None:
        """Remove the hidden folder; ``out`` stays as it was."""
        shutil.rmtree(self.path, ignore_errors=True)

    def _manifest(self) -> dict[str, Any]:
        outputs = []
        for file in sorted(p for p in self.path.rglob("*") if p.is_file() and p.name != MANIFEST):
            relative = file.relative_to(self.path).as_posix()
            outputs.append({"path": relative, "bytes": file.stat().st_size, "sha256": sha256_of(file),
                            "rows": csv_rows(file) if file.suffix == ".csv" else None})
        return {"format": MANIFEST_FORMAT, "engine": "wis-linkage", "engine_version": engine_version(),
                "command": self.command, "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                "as_of": self.as_of, "options": self.options, "inputs": self.inputs, "outputs": outputs}


@contextmanager
def atomic_folder(out: str | os.PathLike, *, run: RunFolder | None = None, **manifest: Any) -> Iterator[Path]:
    """Write a whole result folder: yields the hidden folder to write into; commits it when the
    block ends, abandons it when the block raises.  With ``run`` (begun by the caller, who
    commits it) the block writes into ``run.path``."""
    if run is not None:
        yield run.path
        return
    run = RunFolder.begin(out, command=manifest.pop("command", None), options=manifest.pop("options", None))
    run.as_of = manifest.pop("as_of", None)
    try:
        yield run.path
    except BaseException:
        run.abandon()
        raise
    run.commit()


def read_manifest(out: str | os.PathLike, *, verify: bool = True) -> dict[str, Any]:
    """The manifest of a result folder, checked: every file listed is there with its bytes (and
    with ``verify`` its sha256), and no other file is.  Raises ResultFolderError."""
    out = Path(out)
    path = out / MANIFEST
    if not path.is_file():
        raise ResultFolderError(text("manifest.missing", path=out))
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if manifest.get("format") != MANIFEST_FORMAT or not isinstance(manifest.get("outputs"), list):
            raise ValueError(f"format {manifest.get('format')!r}")
    except (OSError, ValueError, AttributeError) as exc:
        raise ResultFolderError(text("manifest.bad", path=out, detail=exc)) from exc
    listed = set()
    for entry in manifest["outputs"]:
        file = out / entry["path"]
        listed.add(entry["path"])
        if file.is_symlink() or not file.is_file():
            raise ResultFolderError(text("manifest.mismatch", path=out, file=entry["path"], detail="missing"))
        if file.stat().st_size != entry["bytes"]:
            raise ResultFolderError(text("manifest.mismatch", path=out, file=entry["path"], detail="bytes"))
        if verify and sha256_of(file) != entry["sha256"]:
            raise ResultFolderError(text("manifest.mismatch", path=out, file=entry["path"], detail="sha256"))
    for file in out.rglob("*"):
        relative = file.relative_to(out).as_posix()
        if (file.is_file() or file.is_symlink()) and relative != MANIFEST and relative not in listed:
            raise ResultFolderError(text("manifest.extra", path=out, file=relative))
    return manifest


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _previous(out: Path) -> Path:
    return out.with_name(out.name + ".previous")


def _recover(out: Path) -> None:
    """Tidy what a killed run left: its hidden folders (their process gone), and an
    ``OUT.previous`` (put back when OUT is missing, else removed)."""
    parent = _parent_of(out)
    for entry in parent.glob(f".{out.name}.partial-*"):
        pid = entry.name.rsplit(".partial-", 1)[1].split("-")[0]
        if not (pid.isdigit() and _alive(int(pid))):
            _remove(entry)
    previous = _previous(out)
    if previous.exists() or previous.is_symlink():
        if out.exists() or out.is_symlink():
            _remove(previous)
        else:
            os.rename(previous, out)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # our own earlier folder (a library caller that crashed in this process)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove(path: Path) -> None:
    if path.is_symlink() or not path.is_dir():
        path.unlink(missing_ok=True)
    else:
        shutil.rmtree(path, ignore_errors=True)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False where not offered."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP if hasattr(errno, "ENOTSUP") else errno.EINVAL):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _swap(new: Path, out: Path) -> None:
    """Put the folder ``new`` at ``out``; an existing ``out`` (folder or link) is removed after."""
    if not (out.exists() or out.is_symlink()):
        os.rename(new, out)
        return
    if _exchange(new, out):
        _remove(new)  # now the earlier result
        return
    previous = _previous(out)
    _remove(previous)
    os.rename(out, previous)
    os.rename(new, out)
    _remove(previous)


def output_rows(manifest: dict[str, Any]) -> dict[str, int]:
    """file -> rows of every CSV a manifest lists."""
    return {entry["path"]: entry["rows"] for entry in manifest["outputs"] if entry.get("rows") is not None}


def files_written(manifest: dict[str, Any]) -> Iterable[str]:
    return [entry["path"] for entry in manifest["outputs"]]
