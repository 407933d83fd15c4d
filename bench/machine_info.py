"""The machine a benchmark ran on, for the header of bench/RESULTS.md: CPU, cores, memory,
kernel, and the tidelake commit (flagged when src/ or include/ have uncommitted changes); and
the pieces of RESULTS.md every benchmark driver writes the same way: the machine table's rows,
and replacing one `## ` section while keeping the others."""

import datetime
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def machine() -> dict:
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_kb = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(ROOT), "diff", "--quiet", "HEAD", "--", "src", "include"]).returncode
    if commit and dirty:
        commit += " + uncommitted changes in src/ or include/"
    return dict(cpu=cpu, nproc=os.cpu_count(), memory=f"{mem_kb / 1024 / 1024:.1f} GiB",
                kernel=platform.release(), commit=commit or "unknown")


def run_info(script: str, **extra) -> dict:
    """machine(), plus when the run began, the command that reproduces it (`script` with this
    process's arguments) and the load average then; `extra` is added as it is."""
    info = machine()
    info.update(date=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                command=" ".join([".deps/venv/bin/python", script, *sys.argv[1:]]),
                load_start=os.getloadavg()[0], **extra)
    return info


def build_type(binary: Path) -> str:
    """The CMake build type of the build directory holding `binary` ("Release build")."""
    cache = binary.parent / "CMakeCache.txt"
    if cache.exists():
        for line in cache.read_text().splitlines():
            if line.startswith("CMAKE_BUILD_TYPE:"):
                return line.split("=", 1)[1] + " build"
    return "unknown build type"


def machine_rows(info: dict) -> list:
    """The common rows of a report's machine table (info: machine() plus the run's date, command
    and load averages)."""
    return [
        "| machine | |",
        "| --- | --- |",
        f"| CPU | {info['cpu']} |",
        f"| nproc | {info['nproc']} |",
        f"| memory | {info['memory']} |",
        f"| kernel | {info['kernel']} |",
        f"| load average (1 min) at start / end | {info['load_start']:.2f} / {info['load_end']:.2f} |",
    ]


def replace_section(path: Path, section: str, text: str) -> None:
    """Writes `text` as the `section` ("## Title") of the Markdown file `path`, keeping every
    other section (appended when the file has no such section)."""
    old = path.read_text() if path.exists() else ""
    lines = old.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == section), None)
    if start is None:
        new = (old.rstrip("\n") + "\n\n" if old.strip() else "") + text
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        new = "\n".join(lines[:start] + text.splitlines() + ([""] + lines[end:] if end < len(lines) else []))
    path.write_text(new.rstrip("\n") + "\n")
