"""The quarterly batch: validate, run every section notebook with papermill, export, publish.

Order of work, so that a bad run never damages a good one:

1. Parse the period, read the configuration, find the sections and check with papermill's
   notebook inspection that each takes exactly the runner's parameters.
2. Take a lock for the period (two runs of one period never mix their files).
3. Load and validate the data once; write a validated snapshot to a private temporary folder.
4. Run the sections in parallel worker processes (explicit kernel, per-section timeout,
   progress bar). A failing section is still exported, showing its error; the others go on.
   The workers are started before the data are validated and each runs one section after
   another, every section in a fresh kernel (forked from a kernel server that imported the
   libraries once: :mod:`perfpack.execution.kernel_fork`); a worker whose runner dies stops itself.
   Sections start longest first, by the last published run's times.
5. Write ``figures.csv``, ``index.html`` and ``manifest.json`` into a build folder beside the
   outputs, then swap it into ``outputs/<period>/`` with renames. A run that fails before
   this step, or is killed, leaves the previous outputs exactly as they were.

The runner knows nothing about crime: sections are notebooks, figures are rows.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from perfpack.config import DEMO_DIR, PROJECT_ROOT, peer_settings
from perfpack.execution.provenance import code_version
from perfpack.execution.workers import SectionSpec, Workers, run_section
from perfpack.parameters import NOTEBOOK_PARAMETERS
from perfpack.periods import Period
from perfpack.profiles import check_commentary, data_force, describe_profile, resolve, write_derived
from perfpack.publish.run_info import describe_version

# jsonschema (imported by nbformat and papermill) imports rfc3987_syntax when it is installed,
# and that builds a parser at import time: 0.9 s of CPU in every process that reads a
# notebook, for IRI string formats no notebook schema uses. Without it jsonschema skips them.
sys.modules.setdefault("rfc3987_syntax", None)

NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
OUTPUTS_DIR = PROJECT_ROOT / "outputs"
SECTION_PATTERN = "[0-9][0-9]-*.ipynb"


class RunError(Exception):
    """A run that cannot start or cannot publish; ``str()`` is the plain message."""

    exit_code = 2


@dataclass
class RunResult:
    exit_code: int
    out_dir: Path | None
    manifest: dict = field(default_factory=dict)


def _now() -> str:
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


def discover_sections(notebooks_dir: Path = NOTEBOOKS_DIR) -> list[SectionSpec]:
    from perfpack.publish.export import notebook_title  # heavy: only at the step that needs it, so a refused run exits at once

    return [SectionSpec(p.stem, p, notebook_title(p)) for p in sorted(Path(notebooks_dir).glob(SECTION_PATTERN))]


def select_sections(available: list[SectionSpec], wanted: list[str] | None) -> list[SectionSpec]:
    """Sections by id (``01-all-crime``), number (``01``) or name (``all-crime``)."""
    if not wanted:
        return available
    chosen, unknown = [], []
    for w in wanted:
        w = w.strip()
        match = [s for s in available if w in (s.id, s.id[:2], s.id[3:])]
        if not match:
            unknown.append(w)
        for m in match:
            if m not in chosen:
                chosen.append(m)
    if unknown:
        raise RunError(f"Unknown section{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}. The sections are: {', '.join(s.id for s in available)}.")
    return sorted(chosen, key=lambda s: s.id)


def check_parameters(sections: list[SectionSpec]) -> None:
    """Every notebook must declare exactly the parameters the runner passes."""
    import papermill as pm  # heavy: only at the step that needs it, so a refused run exits at once

    expected = set(NOTEBOOK_PARAMETERS)
    problems = []
    for s in sections:
        params = pm.inspect_notebook(str(s.path))
        if not params:
            problems.append(f"{s.path.name}: no cell tagged 'parameters'. Tag the cell that sets the defaults with 'parameters'.")
            continue
        got = set(params)
        if got != expected:
            missing, extra = sorted(expected - got), sorted(got - expected)
            problems.append(
                f"{s.path.name}: parameters differ from what the runner passes"
                + (f"; missing {', '.join(missing)}" if missing else "")
                + (f"; not passed by the runner: {', '.join(extra)}" if extra else "")
                + f". The runner passes: {', '.join(NOTEBOOK_PARAMETERS)}."
            )
    if problems:
        raise RunError("Notebook parameters do not match the runner:\n" + "\n".join("- " + p for p in problems))


# ---- locking and leftovers --------------------------------------------------------------------


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def acquire_lock(out_root: Path, period: str) -> Path:
    """Create ``outputs/.<period>.lock`` or explain who holds it. Stale locks are taken over."""
    out_root.mkdir(parents=True, exist_ok=True)
    lock = out_root / f".{period}.lock"
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                info = json.loads(lock.read_text(encoding="utf-8") or "{}")
            except (OSError, ValueError):
                info = {}
            pid = int(info.get("pid", 0) or 0)
            if pid and _pid_alive(pid) and pid != os.getpid():
                raise RunError(
                    f"Another run of {period} is in progress (process {pid}, started {info.get('started_at', '?')}). Wait for it to finish; if no run is going on, delete {lock}."
                ) from None
            lock.unlink(missing_ok=True)  # stale: its process has gone
            continue
        with os.fdopen(fd, "w") as f:
            json.dump({"pid": os.getpid(), "started_at": _now()}, f)
        return lock
    raise RunError(f"Could not take the lock {lock}; delete it if no run is going on.")


def clean_debris(out_root: Path) -> list[Path]:
    """Remove build and swap folders, and private temporary folders (the data snapshot), left
    by runs that were killed (their process is gone)."""
    removed = []
    if not out_root.is_dir():
        return removed
    ours = [p for p in out_root.iterdir() if p.name.startswith(".build-") or p.name.startswith(".old-")]
    ours += Path(tempfile.gettempdir()).glob("perfpack-*-*-*")  # run()'s scratch: perfpack-<period>-<pid>-<random>
    for p in ours:
        if p.is_dir():
            try:
                pid = int(p.name.rsplit("-", 2)[-2])
            except (ValueError, IndexError):
                continue
            if not _pid_alive(pid):
                shutil.rmtree(p, ignore_errors=True)
                removed.append(p)
    return removed


def publish(build: Path, final: Path) -> None:
    """Swap a finished build into place with renames; the old outputs go only once the new are in."""
    old = None
    if final.exists():
        old = final.parent / f".old-{final.name}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        os.replace(final, old)
    try:
        os.replace(build, final)
    except OSError:
        if old is not None:
            os.replace(old, final)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def longest_first(specs: list[SectionSpec], out_root: Path, period_id: str) -> list[SectionSpec]:
    """The sections in the order to start them: the longest first, by their times in the last
    published run (this period's, else the newest), so that no long section starts last and
    runs alone at the end; in notebook order when no run is published yet."""
    manifests = sorted(out_root.glob("*/manifest.json"), key=lambda m: (m.parent.name == period_id, m.stat().st_mtime), reverse=True)
    for m in manifests[:1]:
        try:
            seconds = {s["id"]: float(s.get("seconds") or 0) for s in json.loads(m.read_text(encoding="utf-8"))["sections"]}
        except (OSError, ValueError, KeyError, TypeError):
            break
        # stable: ties keep notebook order; a section the last run did not have goes first
        return sorted(specs, key=lambda s: -seconds.get(s.id, float("inf")))
    return list(specs)


def _check_period_in_data(period: Period, ds) -> None:
    covs = [c for c in (ds.coverage(t) for t in ds.tables) if c]
    if not covs:
        raise RunError("The data hold no dated records at all; nothing to report.")
    first, last = min(c[0] for c in covs), max(c[1] for c in covs)
    if period.end < first or period.start > last:
        raise RunError(
            f"The period {period.id} ({period.start} to {period.end}) is outside the data, which run from {first} to {last}. Choose a period inside that range, or point --data at the right extract."
        )


def find_peer_workbook(peers: str | Path | None, config, period: Period) -> Path | None:
    """The ONS workbook for the period's year from ``--peers`` (or ``peers.dir`` in the
    configuration), its most similar group checked; None when neither names a folder."""
    from perfpack.sources.peers import PeerDataError, check_group, find_workbook  # heavy: only at the step that needs it, so a refused run exits at once

    settings = peer_settings(config)
    folder = Path(peers).expanduser().resolve() if peers else settings.dir
    if folder is None:
        return None
    _, unknown = check_group(settings.group)
    if unknown:
        raise RunError(
            f"{config.path}: peers.group names {', '.join(repr(u) for u in unknown)}, not one of the 43 police force areas of England and Wales. Write each as the ONS names it (e.g. 'Derbyshire', 'Devon and Cornwall')."
        )
    try:
        return find_workbook(folder, period.end)
    except PeerDataError as exc:
        raise RunError(f"Peer data (--peers): {exc}") from None


def gather_pack_files(figures_dir: Path, build: Path) -> None:
    """Files the sections wrote for the pack itself (``<figures_dir>/pack/``: the peer table
    ``peers.csv``, say) go into the pack beside ``figures.csv``."""
    from perfpack.stats.figures import PACK_FILES_DIR  # heavy: only at the step that needs it, so a refused run exits at once

    folder = figures_dir / PACK_FILES_DIR
    for path in sorted(folder.glob("*")) if folder.is_dir() else []:
        if path.is_file() and path.suffix != ".tmp":
            shutil.copy2(path, build / path.name)


def _check_kernel(name: str) -> None:
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel  # heavy: only at the step that needs it, so a refused run exits at once

    try:
        KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        raise RunError(
            f"The Jupyter kernel '{name}' is not installed. Run `make env` (it registers the kernel), or: {sys.executable} -m ipykernel install --sys-prefix --name {name}"
        ) from None


def run(
    period: str,
    data_dir: str | Path | None = None,
    source: str = "canonical",
    force: str = "",
    sections: list[str] | None = None,
    workers: int | None = None,
    out_dir: str | Path | None = None,
    config_path: str | Path | None = None,
    notebooks_dir: str | Path | None = None,
    timeout: int | None = None,
    progress: bool = True,
    today=None,
    peers: str | Path | None = None,
) -> RunResult:
    """Run the pack for one period. Returns the exit code (0: every section ran) and the
    published folder. Raises :class:`RunError` or
    :class:`perfpack.sources.contract.DataValidationError` before anything is written.

    ``peers``: a folder of ONS police force area tables workbooks (default ``peers.dir`` in
    the configuration; neither: the peer comparison says no peer data were given)."""
    from perfpack.sources import make_snapshot  # heavy: only at the step that needs it, so a refused run exits at once
    from perfpack.sources.contract import DataValidationError  # noqa: F401  (documented exception)

    t0 = time.perf_counter()
    started_at = _now()
    p = Period.parse(period)
    config = resolve(force, config_path, source)  # the force's profile, or one derived from the data
    config_path = config.path.resolve()
    data_dir = Path(data_dir or DEMO_DIR).resolve()
    out_root = Path(out_dir or OUTPUTS_DIR).resolve()
    nb_dir = Path(notebooks_dir or NOTEBOOKS_DIR).resolve()
    workers = max(1, int(workers or os.cpu_count() or 1))
    timeout = int(timeout or config.timeout_seconds)

    every = discover_sections(nb_dir)
    specs = select_sections(every, sections)
    if not specs:
        raise RunError(f"No section notebooks (NN-name.ipynb) in {nb_dir}.")
    check_commentary(config, sorted({s.id for s in every} | {p.stem for p in NOTEBOOKS_DIR.glob(SECTION_PATTERN)}))  # the pack's sections, and this run's
    check_parameters(specs)
    _check_kernel(config.kernel)
    peer_workbook = find_peer_workbook(peers, config, p)

    lock = acquire_lock(out_root, p.id)
    scratch = Path(tempfile.mkdtemp(prefix=f"perfpack-{p.id}-{os.getpid()}-"))  # the pid: clean_debris finds a killed run's
    build = out_root / f".build-{p.id}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    section_workers = None
    try:
        clean_debris(out_root)
        section_workers = Workers(scratch, start=min(workers, len(specs)), fork_kernels=config.fork_kernels)
        t_val = time.perf_counter()
        snapshot = scratch / "data"
        if config.derived:  # the notebooks read the derived profile like any other
            config_path = write_derived(config, scratch / "profile")
        ds = make_snapshot(data_dir, source, data_force(config, force, source), config, snapshot, today=today, peers=peer_workbook)
        _check_period_in_data(p, ds)
        ds.tables.clear()  # the sections read the snapshot: the runner needs no table while they run
        import pyarrow  # heavy: only at the step that needs it, so a refused run exits at once

        pyarrow.default_memory_pool().release_unused()  # and give the memory back to the system
        validate_seconds = round(time.perf_counter() - t_val, 2)

        (build / "notebooks").mkdir(parents=True)
        figures_dir = scratch / "figures"
        from perfpack.publish.revisions import RunRevisions  # heavy: only at the step that needs it, so a refused run exits at once

        revisions = RunRevisions(
            out_root, p.id, figures_dir, force=ds.force, source=source
        )  # earlier packs, read before this run replaces one; what they published, for the pages
        version = code_version(profile_dir=None if config.derived else config.profile_dir, notebooks_dir=nb_dir)
        run_info = {"period": p.id, "source": ds.source, "force": ds.force, "files": ds.files, "code_version": describe_version(version)}
        jobs = {}
        for s in specs:
            jobs[s.id] = {
                "section": s.id,
                "input": str(s.path),
                "output": str(build / "notebooks" / s.path.name),
                "html": str(build / f"{s.id}.html"),
                "result": str(scratch / f"{s.id}.result.json"),
                "parameters": {
                    "period": p.id,
                    "data_dir": str(snapshot),
                    "source": source,
                    "force": force,
                    "config_path": str(config_path),
                    "figures_dir": str(figures_dir),
                },
                "kernel": config.kernel,
                "cwd": str(nb_dir),
                "timeout": timeout,
                "marking": config.protective_marking,
                "transparency": config.transparency,
                "period": p.id,
                "run_info": dict(run_info, title=s.title, notebook=f"notebooks/{s.path.name}"),
            }
        results: dict[str, dict] = {}
        bar = None
        if progress:
            from tqdm import tqdm  # heavy: only at the step that needs it, so a refused run exits at once

            bar = tqdm(total=len(specs), desc=f"{p.id}", unit="section", file=sys.stderr, dynamic_ncols=True)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            try:
                futures = {pool.submit(run_section, s, jobs[s.id], timeout, scratch, section_workers): s for s in longest_first(specs, out_root, p.id)}
                for fut in as_completed(futures):
                    s = futures[fut]
                    results[s.id] = fut.result()
                    if bar is not None:
                        bar.set_postfix_str(f"{s.id}: {results[s.id]['status']}")
                        bar.update(1)
            except BaseException:  # interrupted: stop the running sections, start no more
                pool.shutdown(wait=False, cancel_futures=True)
                section_workers.close(now=True)
                raise
        section_workers.finish()
        if bar is not None:
            bar.close()

        from perfpack.stats.figures import merge_figures  # heavy: only at the step that needs it, so a refused run exits at once

        figures = merge_figures([figures_dir / f"{s.id}.csv" for s in specs])
        figures.to_csv(build / "figures.csv", index=False)
        gather_pack_files(figures_dir, build)
        section_records = []
        for s in specs:
            r = results[s.id]
            section_records.append(
                {
                    "id": s.id,
                    "title": s.title,
                    "status": r.get("status"),
                    "seconds": r.get("seconds"),
                    "execute_seconds": r.get("execute_seconds"),
                    "error": r.get("error"),
                    "html": f"{s.id}.html" if (build / f"{s.id}.html").is_file() else None,
                    "notebook": f"notebooks/{s.path.name}" if (build / "notebooks" / s.path.name).is_file() else None,
                    **({"notes": r["notes"]} if r.get("notes") else {}),
                }
            )
        failed = [r for r in section_records if r["status"] != "ok"]
        manifest = {
            "period": p.id,
            "force": ds.force,
            "parameters": {
                "data_dir": str(data_dir),
                "source": source,
                "force": force,
                "sections": [s.id for s in specs],
                "workers": workers,
                "fork_kernels": config.fork_kernels,
                "timeout_seconds": timeout,
                "config": str(config_path),
                "peers": str(peer_workbook.parent) if peer_workbook else None,
            },
            "started_at": started_at,
            "finished_at": _now(),
            "duration_seconds": round(time.perf_counter() - t0, 2),
            "validate_seconds": validate_seconds,
            "code_version": version,
            "profile": describe_profile(config, config_path),
            "inputs": ds.files,
            "data_quality": ds.facts,
            "data_notes": ds.notes,
            "unavailable": ds.unavailable,
            "sections": section_records,
            "status": "ok" if not failed else "failed",
        }
        manifest["revisions"] = revisions.record(build, figures, manifest, config.revisions_material_pct)  # revisions.csv and the note, before the swap
        (build / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
        from perfpack.publish.index import write_index  # heavy: only at the step that needs it, so a refused run exits at once

        write_index(build, manifest, figures, config, p)
        try:
            from perfpack.publish.paper import write_paper  # heavy: only at the step that needs it, so a refused run exits at once

            write_paper(build, manifest, figures, config, p)
            manifest["paper"] = {"status": "ok", "docx": "meeting-paper.docx", "html": "meeting-paper.html"}
        except Exception as exc:  # the pack is still published; the index and the exit code say so
            manifest["paper"] = {"status": "failed", "error": f"{type(exc).__name__}: {exc}"}
            for name in ("meeting-paper.docx", "meeting-paper.html"):
                (build / name).unlink(missing_ok=True)
            write_index(build, manifest, figures, config, p)
        (build / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
        final = out_root / p.id
        publish(build, final)
        return RunResult(1 if failed or manifest["paper"]["status"] != "ok" else 0, final, manifest)
    finally:
        if section_workers is not None:
            # finished: wait for them to end; otherwise (bad data, interrupted) stop them now
            section_workers.close(now=not section_workers.finished)
        shutil.rmtree(scratch, ignore_errors=True)
        if build.exists():
            shutil.rmtree(build, ignore_errors=True)
        lock.unlink(missing_ok=True)
