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
5. Write ``figures.csv``, ``index.html``, the meeting paper and ``manifest.json`` into a build
   folder beside the outputs, then swap it into ``outputs/<period>/`` with renames
   (:mod:`perfpack.execution.pack_folder`). A run that fails before this step (the paper
   included), is stopped (Ctrl-C, SIGTERM, SIGHUP) or is killed, leaves the previous outputs
   exactly as they were; only a folder the pack made is ever replaced.

A partial run (``sections=[...]``) updates those sections inside the existing pack and keeps
the others (their pages, notebooks and figures): the index, ``figures.csv`` and the paper are
rebuilt from all of them, and the manifest says which run produced each section.

The runner knows nothing about crime: sections are notebooks, figures are rows.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from perfpack.config import DEMO_DIR, PROJECT_ROOT, peer_settings
from perfpack.csv_cells import write_csv
from perfpack.execution import pack_folder
from perfpack.execution.assembly import assemble
from perfpack.execution.pack_folder import PackFolderError, check_out_root, check_replaceable, clean_debris, make_build, make_scratch, new_run_id, pid_alive
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


class NotPublished(RunError):
    """The sections ran but the pack could not be completed (the meeting paper failed):
    nothing was published, the earlier pack is as it was."""

    exit_code = 1


class Stopped(KeyboardInterrupt):
    """The run was stopped by a signal (SIGTERM, SIGHUP), handled as Ctrl-C is."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum

    def __str__(self) -> str:
        return f"stopped by {signal.Signals(self.signum).name}"


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
    """Sections by id (``01-all-crime``), number (``01``) or name (``all-crime``); None: all."""
    if wanted is None:
        return available
    wanted = [w for w in wanted if str(w).strip()]
    if not wanted:
        raise RunError(
            f"--sections names no section. Name one or more, separated by commas (such as 08 or 01,03), or leave --sections out to run them all: {', '.join(s.id for s in available)}."
        )
    chosen, unknown = [], []
    for w in wanted:
        w = w.strip()
        key = w.zfill(2) if w.isdigit() and len(w) < 2 else w  # "3" is section 03
        match = [s for s in available if key in (s.id, s.id[:2], s.id[3:])]
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


# ---- locking -----------------------------------------------------------------------------------


def acquire_lock(out_root: Path, period: str, run_id: str = "") -> Path:
    """Create ``outputs/.<period>.lock`` or explain who holds it. Stale locks are taken over."""
    out_root.mkdir(parents=True, exist_ok=True)
    lock = out_root / f".{period}.lock"
    for _ in range(2):
        if lock.is_dir() or lock.is_symlink() and not lock.exists():
            raise RunError(
                f"The lock {lock} is a {'folder' if lock.is_dir() else 'broken link'}, not a lock file the pack made; the pack will not remove it. The pack never makes a folder or link there: look inside, keep what you need elsewhere, remove it and run again."
            )
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                info = json.loads(lock.read_text(encoding="utf-8") or "{}")
            except (OSError, ValueError):
                info = {}
            pid = int(info.get("pid", 0) or 0) if isinstance(info, dict) and str(info.get("pid", "0")).isdigit() else 0
            if pid and pid_alive(pid) and pid != os.getpid():
                raise RunError(
                    f"Another run of {period} is in progress (process {pid}, started {info.get('started_at', '?')}). Wait for it to finish; if no run is going on, delete {lock}."
                ) from None
            if lock.is_dir():
                continue
            lock.unlink(missing_ok=True)  # stale: its process has gone
            continue
        with os.fdopen(fd, "w") as f:
            json.dump({"pid": os.getpid(), "started_at": _now(), "run_id": run_id}, f)
        return lock
    raise RunError(f"Could not take the lock {lock}; delete it if no run is going on.")


def publish(build: Path, final: Path, run_id: str = "") -> None:
    """Swap a finished build into place (:func:`perfpack.execution.pack_folder.publish`)."""
    pack_folder.publish(build, final, run_id or new_run_id())


def _disk_words(exc: OSError, doing: str) -> str:
    """An operating-system error while the run writes, in plain words."""
    where = f" ({exc.filename})" if exc.filename else ""
    tail = "Nothing was published; the earlier outputs are unchanged."
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return f"The disk is full{where} while {doing}. Free some space there (or point TMPDIR, for the run's temporary copy of the data, or --out at a disk with room) and run again. {tail}"
    if exc.errno == errno.EROFS:
        return f"The folder is on a read-only disk{where} while {doing}. Choose a folder you can write to with --out (or TMPDIR for the run's temporary files). {tail}"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"Permission denied{where} while {doing}. Choose a folder you can write to with --out (or TMPDIR for the run's temporary files), or ask for write access. {tail}"
    return f"Could not finish {doing}{where}: {exc.strerror or exc}. {tail}"


@contextmanager
def _signals_as_interrupts() -> Iterator[None]:
    """SIGTERM and SIGHUP raise :class:`Stopped` (a KeyboardInterrupt) in the main thread, so a
    run stopped by a service manager, a closed terminal or ``kill`` cleans up as Ctrl-C does."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, _frame):
        raise Stopped(signum)

    before = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)


@contextmanager
def _no_interruptions() -> Iterator[None]:
    """While the run cleans up, a second Ctrl-C or SIGTERM waits until it has finished."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)


# ---- the run -----------------------------------------------------------------------------------


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


def gather_pack_files(figures_dir: Path, build: Path) -> dict[str, list[str]]:
    """Files the sections wrote for the pack itself (``<figures_dir>/pack/<section>/``: the
    peer table ``peers.csv``, say) go into the pack beside ``figures.csv``; returns each
    section's, for the manifest (a partial run keeps those of the sections it does not run)."""
    from perfpack.stats.figures import PACK_FILES_DIR  # heavy: only at the step that needs it, so a refused run exits at once

    folder = figures_dir / PACK_FILES_DIR
    written: dict[str, list[str]] = {}
    for section in sorted(folder.iterdir()) if folder.is_dir() else []:
        for path in sorted(section.glob("*")) if section.is_dir() else []:
            if path.is_file() and path.suffix != ".tmp":
                shutil.copy2(path, build / path.name)
                written.setdefault(section.name, []).append(path.name)
    return written


def _check_kernel(name: str) -> None:
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel  # heavy: only at the step that needs it, so a refused run exits at once

    try:
        KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        raise RunError(
            f"The Jupyter kernel '{name}' is not installed. Run `make env` (it registers the kernel), or: {sys.executable} -m ipykernel install --sys-prefix --name {name}"
        ) from None


def _shown(path: Path) -> str:
    """A local path as a published page may show it: relative to the project, else its name."""
    path = Path(path)
    for root in {PROJECT_ROOT, PROJECT_ROOT.resolve()}:
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            continue
    return path.name


def _check_numbers(timeout, workers) -> None:
    for name, value in (("--timeout", timeout), ("--workers", workers)):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            what = "seconds each section may run, such as 600" if name == "--timeout" else "sections run at once, such as 2"
            raise RunError(f"{name} is {value!r}; it must be a whole number of at least 1 ({what}). Nothing was run.")


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
    :class:`perfpack.sources.contract.DataValidationError` before anything is written;
    :class:`NotPublished` when the sections ran but the pack could not be completed (nothing
    is published then either); :class:`Stopped` (a KeyboardInterrupt) on SIGTERM or SIGHUP.

    With ``sections``, the sections named are run again inside the existing pack for the
    period, which keeps its other sections.

    ``peers``: a folder of ONS police force area tables workbooks (default ``peers.dir`` in
    the configuration; neither: the peer comparison says no peer data were given)."""
    from perfpack.sources import make_snapshot  # heavy: only at the step that needs it, so a refused run exits at once
    from perfpack.sources.contract import DataValidationError  # noqa: F401  (documented exception)

    t0 = time.perf_counter()
    started_at = _now()
    run_id = new_run_id()
    p = Period.parse(period)
    _check_numbers(timeout, workers)
    config = resolve(force, config_path, source)  # the force's profile, or one derived from the data
    config_path = config.path.resolve()
    data_dir = Path(data_dir or DEMO_DIR).resolve()
    out_root = Path(out_dir or OUTPUTS_DIR).resolve()
    nb_dir = Path(notebooks_dir or NOTEBOOKS_DIR).resolve()
    workers = max(1, int(workers or os.cpu_count() or 1))
    timeout = int(timeout or config.timeout_seconds)
    final = out_root / p.id

    every = discover_sections(nb_dir)
    specs = select_sections(every, sections)
    if not specs:
        raise RunError(f"No section notebooks (NN-name.ipynb) in {nb_dir}.")
    check_commentary(config, sorted({s.id for s in every} | {p.stem for p in NOTEBOOKS_DIR.glob(SECTION_PATTERN)}))  # the pack's sections, and this run's
    check_parameters(specs)
    _check_kernel(config.kernel)
    peer_workbook = find_peer_workbook(peers, config, p)
    from perfpack.pages.preflight import check_inputs  # heavy (pandas): only at the step that needs it, so a refused run exits at once

    problems = check_inputs(config, p, [s.id for s in specs], [s.id for s in every])
    if problems:
        raise RunError(
            f"What the sections read besides the data has {len(problems)} problem{'s' if len(problems) != 1 else ''}; nothing was run and no outputs were changed.\n\n"
            + "\n\n".join(problems)
        )
    try:
        check_out_root(out_root)
        check_replaceable(final, p.id)  # refused now, before the lock; checked again under it
    except PackFolderError as exc:
        raise RunError(str(exc)) from None

    made_out_root = not out_root.exists()  # removed again if the run publishes nothing
    with _signals_as_interrupts():
        try:
            lock = acquire_lock(out_root, p.id, run_id)
        except OSError as exc:
            raise RunError(_disk_words(exc, f"taking the lock in {out_root}")) from None
        scratch = build = sockets = None
        section_workers = None
        doing = "preparing the run"
        try:
            clean_debris(out_root)
            earlier = check_replaceable(final, p.id)
            doing = "making the run's temporary folder"
            scratch = make_scratch(run_id)
            doing = "making the build folder"
            build = make_build(out_root, p.id, run_id)
            doing = "starting the section workers"
            sockets = pack_folder.socket_folder(scratch, run_id)
            section_workers = Workers(scratch, start=min(workers, len(specs)), fork_kernels=config.fork_kernels, sockets=sockets)
            t_val = time.perf_counter()
            snapshot = scratch / "data"
            if config.derived:  # the notebooks read the derived profile like any other
                config_path = write_derived(config, scratch / "profile")
            doing = "validating the data and writing the run's copy of it"
            ds = make_snapshot(data_dir, source, data_force(config, force, source), config, snapshot, today=today, peers=peer_workbook)
            _check_period_in_data(p, ds)
            ds.tables.clear()  # the sections read the snapshot: the runner needs no table while they run
            import pyarrow  # heavy: only at the step that needs it, so a refused run exits at once

            pyarrow.default_memory_pool().release_unused()  # and give the memory back to the system
            validate_seconds = round(time.perf_counter() - t_val, 2)

            figures_dir = scratch / "figures"
            from perfpack.publish.revisions import RunRevisions  # heavy: only at the step that needs it, so a refused run exits at once

            # earlier packs, read before this run replaces one; what they published, for the pages
            revisions = RunRevisions(out_root, p.id, figures_dir, force=ds.force, source=source)
            version = code_version(profile_dir=None if config.derived else config.profile_dir, notebooks_dir=nb_dir)
            run_info = {"period": p.id, "source": ds.source, "force": ds.force, "files": ds.files, "code_version": describe_version(version)}
            published_parameters = {
                "period": p.id,
                "data_dir": _shown(data_dir),
                "source": source,
                "force": force,
                "config_path": _shown(config_path),
                "figures_dir": "",
            }
            from perfpack.publish.export import local_path_pairs  # heavy: only at the step that needs it, so a refused run exits at once

            # what the published notebooks and pages show instead of the machine's folders
            local_paths = local_path_pairs(
                {
                    str(snapshot): _shown(data_dir),
                    str(figures_dir): "figures",
                    str(scratch): "run-folder",
                    str(build): "",
                    str(final): "",
                    str(out_root): _shown(out_root),
                    str(config_path): _shown(config_path),
                    str(config_path.parent): _shown(config_path.parent),
                    str(data_dir): _shown(data_dir),
                    str(nb_dir): _shown(nb_dir),
                    **({str(peer_workbook.parent): _shown(peer_workbook.parent)} if peer_workbook else {}),
                    str(PROJECT_ROOT): "",
                }
            )
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
                    "published_parameters": published_parameters,
                    "local_paths": local_paths,
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
            doing = "running the sections"
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

            doing = "writing the pack"
            pack_files = gather_pack_files(figures_dir, build)
            for sid, names in pack_files.items():
                if sid in results:
                    results[sid]["pack_files"] = names
            parameters = {
                "data_dir": str(data_dir),
                "source": source,
                "force": force,
                "sections": [s.id for s in specs],
                "workers": workers,
                "fork_kernels": config.fork_kernels,
                "timeout_seconds": timeout,
                "config": str(config_path),
                "peers": str(peer_workbook.parent) if peer_workbook else None,
            }
            partial = sections is not None and bool(sections)
            manifest, figures, failed = assemble(
                p, specs, results, build, final, figures_dir, earlier, partial, run_id, started_at, ds, version, validate_seconds, t0, parameters
            )
            manifest["profile"] = describe_profile(config, config_path)
            from perfpack.publish.index import write_index  # heavy: only at the step that needs it, so a refused run exits at once
            from perfpack.publish.paper import write_paper  # heavy: only at the step that needs it, so a refused run exits at once

            write_csv(figures, build / "figures.csv")  # text a spreadsheet would run as a formula, neutralised
            doing = "comparing with the packs published before"
            manifest["revisions"] = revisions.record(build, figures, manifest, config.revisions_material_pct)  # revisions.csv and the note, before the swap
            doing = "writing the pack"
            manifest["paper"] = {"status": "ok", "docx": "meeting-paper.docx", "html": "meeting-paper.html"}
            write_index(build, manifest, figures, config, p)
            doing = "writing the draft meeting paper"
            try:
                write_paper(build, manifest, figures, config, p)
            except OSError:
                raise
            except Exception as exc:  # all or nothing: the pack is not published without its paper
                raise NotPublished(
                    f"The draft meeting paper could not be made ({type(exc).__name__}: {exc}); nothing was published, and the earlier {p.id} pack, if any, is unchanged. "
                    f"The sections ran ({len(specs) - len(failed)} of {len(specs)} ok); run again once the cause is fixed."
                ) from None
            doing = "writing the manifest"
            manifest["finished_at"] = _now()
            manifest["duration_seconds"] = round(time.perf_counter() - t0, 2)
            manifest["files"] = sorted({*pack_folder.files_in(build), "manifest.json"} - {pack_folder.RUN_MARK})
            (build / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
            doing = "publishing the pack"
            publish(build, final, run_id)
            return RunResult(1 if failed else 0, final, manifest)
        except PackFolderError as exc:
            raise RunError(str(exc)) from None
        except OSError as exc:  # a full disk, a read-only folder...: in words, nothing published
            raise RunError(_disk_words(exc, doing)) from None
        finally:
            with _no_interruptions():
                if section_workers is not None:
                    # finished: wait for them to end; otherwise (bad data, interrupted) stop them now
                    section_workers.close(now=not section_workers.finished)
                for folder in {scratch, sockets} - {None}:
                    shutil.rmtree(folder, ignore_errors=True)
                if build is not None and build.exists():
                    shutil.rmtree(build, ignore_errors=True)
                lock.unlink(missing_ok=True)
                if made_out_root:
                    try:
                        out_root.rmdir()  # the run made it and published nothing: nothing is left
                    except OSError:  # not empty: it holds the pack, or files another run put there
                        pass
