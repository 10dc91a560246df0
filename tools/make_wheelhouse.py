"""Make a wheelhouse: a folder with geomap and every package it needs, for a PC without the registry.

On a PC that can reach the package registry (PyPI):

    python tools/make_wheelhouse.py wheelhouse                   # Windows and Linux, Python 3.X of this PC
    python tools/make_wheelhouse.py wheelhouse --python 3.12 --platform windows

Copy the folder to the office PC (LGWAN, no registry), then, with the same Python version:

    py -m venv .venv                                                        (Windows)
    .venv\\Scripts\\python -m pip install --no-index --find-links wheelhouse "geomap[app]"

    python3 -m venv .venv                                                   (Linux)
    .venv/bin/python -m pip install --no-index --find-links wheelhouse "geomap[app]"

``--no-index`` keeps pip off the network; ``--find-links`` gives it the folder.

What it does: builds geomap's own wheel from this checkout (``pip wheel``), then runs
``pip download --only-binary=:all:`` for each platform (``win_amd64``; Linux x86-64 with glibc
2.17 or newer, the ``manylinux`` wheels) and the given Python version, with the ``app`` extra
unless ``--no-app``. Binary wheels only, so nothing is compiled on the office PC. A
``README.txt`` in the folder repeats the install commands. Wheels are for one Python version
(3.10 or newer, the same minor version on both PCs).

``--from-installed`` downloads nothing: it packs the packages installed in the running Python
(this venv) as wheels, for a PC with the same system and Python version. The test of the
offline install uses it, so that it needs no registry beyond what building geomap's wheel
takes.
"""

from __future__ import annotations

import argparse
import base64
import csv
import hashlib
import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLATFORMS = {
    "windows": ["win_amd64"],
    # PEP 600 names, newest first down to glibc 2.17 (the manylinux2014 of older wheels)
    "linux": [f"manylinux_2_{minor}_x86_64" for minor in range(28, 16, -1)] + ["manylinux2014_x86_64"],
}
#: Files an installer writes into a .dist-info folder; they are not part of a wheel.
_INSTALLER_FILES = {"INSTALLER", "REQUESTED", "RECORD", "direct_url.json"}

README = """geomap wheelhouse (Python {python}, {platforms})

Install on a PC without access to the package registry, from the folder that holds this file:

Windows (cmd or PowerShell):
    py -{python} -m venv .venv
    .venv\\Scripts\\python -m pip install --no-index --find-links "{folder}" "geomap[app]"
    .venv\\Scripts\\geomap app

Linux:
    python{python} -m venv .venv
    .venv/bin/python -m pip install --no-index --find-links "{folder}" "geomap[app]"
    .venv/bin/geomap app
"""


def run(command: list[str]) -> None:
    print("+ " + " ".join(command), flush=True)
    subprocess.run(command, check=True)


def build_geomap(out: Path) -> Path:
    """geomap's own wheel, built from this checkout into ``out``."""
    before = set(out.glob("geomap-*.whl"))
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(out), str(ROOT)])
    made = sorted(set(out.glob("geomap-*.whl")) - before) or sorted(out.glob("geomap-*.whl"))
    if not made:
        raise SystemExit("pip wheel did not write geomap's wheel")
    return made[-1]


def download(wheel: Path, out: Path, *, platform: str, python: str, extras: str) -> None:
    """``pip download`` of the binary wheels geomap (with ``extras``) needs on ``platform``.

    pip evaluates environment markers for the PC it runs on, not the one named by
    ``--platform``: downloading on Linux for Windows leaves out ``colorama``, which click and
    tqdm need only on Windows. So the folder's wheels are then read with the target's markers
    and whatever they still lack is downloaded too, until nothing is missing.
    """
    command = [sys.executable, "-m", "pip", "download", "--dest", str(out), "--only-binary=:all:",
               "--python-version", python, "--implementation", "cp"]
    for tag in PLATFORMS[platform]:
        command += ["--platform", tag]
    run(command + [f"{wheel}{extras}"])
    for _ in range(10):
        missing = _missing(out, wheel, extras, _target_environment(platform, python))
        if not missing:
            return
        run(command + missing)
    raise SystemExit(f"still missing after downloading: {', '.join(missing)}")


def _target_environment(platform: str, python: str) -> dict:
    from packaging.markers import default_environment

    env = default_environment()
    env.update(python_version=python, python_full_version=f"{python}.0", implementation_name="cpython",
               platform_python_implementation="CPython")
    if platform == "windows":
        env.update(sys_platform="win32", platform_system="Windows", os_name="nt", platform_machine="AMD64")
    else:
        env.update(sys_platform="linux", platform_system="Linux", os_name="posix", platform_machine="x86_64")
    return env


def _wheel_requirements(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as whl:
        meta = next(n for n in whl.namelist() if n.endswith(".dist-info/METADATA") and n.count("/") == 1)
        lines = whl.read(meta).decode("utf-8").splitlines()
    return [line.split(":", 1)[1].strip() for line in lines if line.startswith("Requires-Dist:")]


def _missing(out: Path, wheel: Path, extras: str, env: dict) -> list[str]:
    """Requirements of the wheels in ``out`` (from geomap with ``extras``) that no wheel there meets."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name, parse_wheel_filename

    wheels: dict[str, Path] = {}
    for path in sorted(out.glob("*.whl")):
        wheels.setdefault(canonicalize_name(parse_wheel_filename(path.name)[0]), path)
    todo = [Requirement(f"geomap{extras}")]
    done: set[tuple[str, str]] = set()
    missing: list[str] = []
    while todo:
        req = todo.pop()
        name = canonicalize_name(req.name)
        if name not in wheels:
            if str(req) not in missing:
                missing.append(str(req))
            continue
        for extra in ["", *sorted(req.extras)]:
            if (name, extra) in done:
                continue
            done.add((name, extra))
            for line in _wheel_requirements(wheels[name]):
                sub = Requirement(line)
                if sub.marker is None or sub.marker.evaluate({**env, "extra": extra}):
                    sub.marker = None
                    todo.append(sub)
    return missing


# -- --from-installed: the running Python's packages as wheels --------------------------------


def _closure(requirements: list[str]) -> list:
    """The installed distributions ``requirements`` need, following their own requirements and extras."""
    from importlib import metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    installed = {canonicalize_name(d.metadata["Name"]): d for d in metadata.distributions()}
    todo = [Requirement(r) for r in requirements]
    done: set[tuple[str, str]] = set()
    while todo:
        req = todo.pop()
        name = canonicalize_name(req.name)
        if name not in installed:
            raise SystemExit(f"{req.name} is needed but not installed in {sys.prefix}")
        for extra in ["", *sorted(req.extras)]:
            if (name, extra) in done:
                continue
            done.add((name, extra))
            for line in installed[name].requires or []:
                sub = Requirement(line)
                base = sub.marker is None or sub.marker.evaluate({"extra": ""})
                if (base and not extra) or (extra and not base and sub.marker.evaluate({"extra": extra})):
                    todo.append(sub)
    return [installed[n] for n in sorted({n for n, _ in done})]


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def pack_installed(dist, out: Path) -> Path:
    """One installed distribution as a wheel in ``out`` (its files from RECORD, its own tags)."""
    files = [f for f in dist.files or [] if not str(f).startswith("..")]
    info = next((f.parts[0] for f in files if f.parts[0].endswith(".dist-info")), None)
    if info is None or dist.read_text("WHEEL") is None:
        raise SystemExit(f"{dist.metadata['Name']} was not installed from a wheel; it cannot be packed")
    tags = [line.split(":", 1)[1].strip() for line in dist.read_text("WHEEL").splitlines() if line.startswith("Tag:")]
    parts = [sorted({t.split("-")[i] for t in tags}) for i in range(3)]
    name = re.sub(r"[-_.]+", "_", dist.metadata["Name"])
    path = out / f"{name}-{dist.version}-{'-'.join('.'.join(p) for p in parts)}.whl"
    records = io.StringIO()
    writer = csv.writer(records, lineterminator="\n")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as whl:
        for f in files:
            if "__pycache__" in f.parts or f.suffix == ".pyc":
                continue
            if f.parts[0] == info and f.name in _INSTALLER_FILES:
                continue
            source = Path(dist.locate_file(f))
            if not source.is_file():
                continue
            data = source.read_bytes()
            whl.writestr(f.as_posix(), data)
            writer.writerow([f.as_posix(), _record_hash(data), len(data)])
        writer.writerow([f"{info}/RECORD", "", ""])
        whl.writestr(f"{info}/RECORD", records.getvalue())
    return path


def from_installed(out: Path, geomap_wheel: Path, extras: str) -> None:
    wanted = _wheel_requirements(geomap_wheel)
    chosen = {e.strip() for e in extras.strip("[]").split(",") if e.strip()}
    from packaging.requirements import Requirement

    requirements = []
    for text in wanted:
        req = Requirement(text)
        if req.marker is None or any(req.marker.evaluate({"extra": e}) for e in chosen | {""}):
            req.marker = None
            requirements.append(str(req))
    for dist in _closure(requirements):
        print(f"  {dist.metadata['Name']} {dist.version}", flush=True)
        pack_installed(dist, out)


# -- the command --------------------------------------------------------------------------


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("folder", type=Path, help="where the wheels go (made if missing)")
    parser.add_argument("--platform", choices=sorted(PLATFORMS), action="append",
                        help="windows and/or linux (default: both)")
    parser.add_argument("--python", default=f"{sys.version_info.major}.{sys.version_info.minor}",
                        help="the office PC's Python version, e.g. 3.12 (default: this Python's)")
    parser.add_argument("--no-app", action="store_true", help="leave out the page (geomap app) and its packages")
    parser.add_argument("--from-installed", action="store_true",
                        help="download nothing: pack this Python's installed packages (same system and version only)")
    args = parser.parse_args(argv)
    if not re.fullmatch(r"3\.\d+", args.python) or int(args.python.split(".")[1]) < 10:
        parser.error(f"--python {args.python}: geomap needs Python 3.10 or newer, given as 3.X")
    platforms = args.platform or ["windows", "linux"]
    extras = "" if args.no_app else "[app]"
    out = args.folder.resolve()
    out.mkdir(parents=True, exist_ok=True)
    wheel = build_geomap(out)
    if args.from_installed:
        this = f"{sys.version_info.major}.{sys.version_info.minor}"
        if args.python != this or platforms != ["linux"] or not sys.platform.startswith("linux"):
            parser.error(f"--from-installed packs this PC's packages: use it with --platform linux --python {this} "
                         "on Linux")
        from_installed(out, wheel, extras)
    else:
        for platform in platforms:
            download(wheel, out, platform=platform, python=args.python, extras=extras)
    (out / "README.txt").write_text(README.format(python=args.python, platforms=", ".join(platforms),
                                                  folder=out.name), encoding="utf-8")
    wheels = sorted(out.glob("*.whl"))
    size = sum(w.stat().st_size for w in wheels)
    print(f"{len(wheels)} wheels, {size / 2**20:,.0f} MB in {out}")


if __name__ == "__main__":
    main()
