"""Where the daemon spends its CPU: py-spy samples it during one scenario, and the stacks are summarised.

    .venv/bin/pip install py-spy                      # once; a profiler, not a dependency of the daemon
    .venv/bin/python scripts/bench/profile.py turns   # or: idle, startup (from spawn through warm-up)
    .venv/bin/python scripts/bench/profile.py turns --secs 90 --out /tmp/turns.txt

The raw collapsed stacks are kept (--out) for flame graphs; the summary shows each thread's share and
the functions with the most samples, by their own line and including callees.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from scripts.bench.daemon import Daemon, config_toml  # noqa: E402
from scripts.bench.questions import make_clips  # noqa: E402
from scripts.bench.rtvi_turns import connect_voice_client, rtvi_turn  # noqa: E402

SCENARIOS = ("idle", "turns", "startup")


def summarize_stacks(lines: list[str], top: int = 20) -> str:
    """Thread shares and top functions of py-spy `--format raw --threads` output."""
    own, inclusive, threads = collections.Counter(), collections.Counter(), collections.Counter()
    total = 0
    for line in lines:
        stack, _, count_text = line.rstrip().rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count, frames = int(count_text), stack.split(";")
        total += count
        threads[re.sub(r"^thread \(\d+\):?\s*", "", frames[0]) or "main"] += count
        own[frames[-1]] += count
        for function in {re.sub(r":\d+\)$", ")", frame) for frame in frames[1:]}:
            inclusive[function] += count
    if not total:
        return "no samples"
    share = lambda n: f"{100.0 * n / total:5.1f}%"  # noqa: E731
    out = [f"{total} samples", "threads:"] + [f"  {share(n)} {name}" for name, n in threads.most_common(8)]
    out += ["own line:"] + [f"  {share(n)} {name}" for name, n in own.most_common(top)]
    out += ["including callees:"] + [f"  {share(n)} {name}" for name, n in inclusive.most_common(top)]
    return "\n".join(out)


def py_spy(pid: int, out: Path, secs: float) -> subprocess.Popen[bytes]:
    binary = shutil.which("py-spy", path=str(REPO / ".venv" / "bin")) or shutil.which("py-spy")
    if binary is None:
        raise SystemExit("py-spy is not installed: .venv/bin/pip install py-spy")
    args = [binary, "record", "-o", str(out), "--format", "raw", "--threads", "-r", "100", "-d", str(int(secs)),
            "-p", str(pid), "--nonblocking"]
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def profile(scenario: str, secs: float, out: Path) -> None:
    daemon = Daemon(config_toml())
    starting = asyncio.create_task(daemon.start())
    while daemon.process is None:  # attach as soon as the process exists, to see start-up too
        await asyncio.sleep(0.01)
    spy = py_spy(daemon.pid, out, secs) if scenario == "startup" else None
    try:
        await starting
        await daemon.wait_warm()
        spy = spy or py_spy(daemon.pid, out, secs)
        if scenario == "idle":
            client = await connect_voice_client(daemon.url)
            await asyncio.sleep(secs + 1)
            await client.close()
        elif scenario == "turns":
            clips, ends = make_clips(8), time.monotonic() + secs - 8
            while time.monotonic() < ends:
                await rtvi_turn(daemon.url, clips[int(time.monotonic()) % len(clips)])
        await asyncio.to_thread(spy.wait, secs + 30)
    finally:
        await daemon.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description="profile the daemon with py-spy during one scenario")
    parser.add_argument("scenario", choices=SCENARIOS)
    parser.add_argument("--secs", type=float, default=40.0, help="sampling time (default 40 s)")
    parser.add_argument("--out", type=Path, default=Path("/tmp/rtvi-edge-profile.txt"), help="raw stacks file")
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(profile(args.scenario, args.secs, args.out))
    print(summarize_stacks(args.out.read_text().splitlines(), args.top) if args.out.exists() else "no profile written")
    print(f"raw stacks: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
