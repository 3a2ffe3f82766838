"""The on-disk state of a sweep, so an interrupted sweep resumes where it stopped.

Layout of a sweep's results directory::

    sweep.json                 what is being run (spec, base scenario, fingerprint), written first
    design.csv                 the variants: one row per variant, one column per factor
    variants/variant-000017.csv  the replications of one finished variant
    results.csv                all variants, written last (its presence means the sweep finished)

Every file is written to a temporary name and renamed into place, so a
variant file exists only when complete. A variant file damaged afterwards
(truncated, edited) is found when the sweep resumes, reported and run
again. Numbers are written with full precision (shortest round-trip form),
so a table assembled from the files equals the one computed in memory,
whether or not the sweep was resumed. Nothing is read, written or deleted
through a symbolic link.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.errors import ResultsFolderError
from analysis.outputs.files import atomic_write, remove_file, write_json

METADATA = "sweep.json"
DESIGN = "design.csv"
RESULTS = "results.csv"
VARIANTS_FOLDER = "variants"
_VARIANT_FILE = re.compile(r"^variant-(\d+)\.csv$")
_STALE_TEMPORARY = re.compile(r"^\.variant-\d+\.csv\..+\.tmp$")  # left by a killed run (atomic_write's names)


class SweepMismatchError(ResultsFolderError, ValueError):
    """The directory holds results of a different sweep (other design, base, seed or replications)."""


def fingerprint(content: dict[str, Any]) -> str:
    """A digest of everything that decides a sweep's numbers."""
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def write_table(path: Path, table: pd.DataFrame) -> Path:
    """CSV with full float precision, written atomically."""
    return atomic_write(path, lambda stream: table.to_csv(stream, index=False))


class SweepJournal:
    """Finished variants of one sweep, one file each, in ``directory``."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.variants_folder = self.directory / VARIANTS_FOLDER
        self.damaged: list[int] = []  # variant files found damaged (and deleted, to be run again)

    def start(self, metadata: dict[str, Any], design: pd.DataFrame, restart: bool = False) -> None:
        """Record what runs here; refuse a directory holding a different sweep unless ``restart``."""
        for path in (self.directory, self.variants_folder):
            if path.is_symlink():
                raise ResultsFolderError(f"{path} is a symbolic link; a sweep writes only into real folders")
        existing = self._metadata()
        if existing is not None and existing.get("fingerprint") != metadata["fingerprint"]:
            if not restart:
                raise SweepMismatchError(
                    f"{self.directory} holds results of a different sweep (design, base scenario, seed or "
                    "replications changed); use another --out directory or --restart to discard them")
        if restart:
            self._discard()
        write_json(self.directory / METADATA, metadata)
        write_table(self.directory / DESIGN, design.reset_index())
        self.variants_folder.mkdir(parents=True, exist_ok=True)
        # A killed run can leave a temporary file behind (never a complete-looking one): clear ours only.
        for stale in self.variants_folder.iterdir():
            if _STALE_TEMPORARY.match(stale.name):
                remove_file(stale)

    def finished(self, replications: int | None = None) -> set[int]:
        """Variants whose file is complete (temporary files are never picked up).

        With ``replications``, each file is checked (every row whole, one per
        replication, the right variant); damaged ones are deleted and listed
        in :attr:`damaged`, so the sweep runs them again.
        """
        if not self.variants_folder.is_dir() or self.variants_folder.is_symlink():
            return set()
        done = set()
        for path in sorted(self.variants_folder.iterdir()):
            match = _VARIANT_FILE.match(path.name)
            if match is None or path.is_symlink() or not path.is_file():
                continue
            variant = int(match.group(1))
            if replications is None or _complete(path, variant, replications):
                done.add(variant)
            else:
                self.damaged.append(variant)
                remove_file(path)
        return done

    def record(self, variant: int, rows: pd.DataFrame) -> Path:
        return write_table(self._variant_path(variant), rows)

    def assemble(self, variants: list[int], replications: int) -> pd.DataFrame:
        """All variants' rows in variant order, checked complete; written as ``results.csv``."""
        tables = [pd.read_csv(self._variant_path(variant)) for variant in variants]
        results = pd.concat(tables, ignore_index=True)
        counts = results.groupby("variant").size()
        short = counts[counts != replications]
        if len(short) or len(counts) != len(variants):
            raise RuntimeError(f"variant files in {self.variants_folder} are incomplete: {short.to_dict()}")
        write_table(self.directory / RESULTS, results)
        return results

    def _variant_path(self, variant: int) -> Path:
        return self.variants_folder / f"variant-{variant:06d}.csv"

    def _metadata(self) -> dict[str, Any] | None:
        path = self.directory / METADATA
        if not path.exists():
            return None
        return json.loads(path.read_text(encoding="utf-8"))

    def _discard(self) -> None:
        remove_file(self.directory / RESULTS)
        for variant in self.finished():
            remove_file(self._variant_path(variant))


def _complete(path: Path, variant: int, replications: int) -> bool:
    """True when a variant file is whole: ends with a line break, every row has every column, one row
    per replication 0..n-1, all of this variant."""
    try:
        text = path.read_text(encoding="utf-8")
        rows = list(csv.reader(io.StringIO(text)))
    except (OSError, UnicodeDecodeError, csv.Error):
        return False
    if not text.endswith("\n") or len(rows) != replications + 1:
        return False
    header, body = rows[0], rows[1:]
    if "variant" not in header or "replication" not in header or any(len(row) != len(header) for row in body):
        return False
    at_variant, at_replication = header.index("variant"), header.index("replication")
    return ([row[at_variant] for row in body] == [str(variant)] * replications
            and [row[at_replication] for row in body] == [str(r) for r in range(replications)])
