"""The machine a benchmark ran on, for the header of bench/RESULTS.md: CPU, cores, memory,
kernel, and the tidelake commit (flagged when src/ or include/ have uncommitted changes)."""

import os
import platform
import subprocess
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
