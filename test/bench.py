#!/usr/bin/env python3
"""make bench: boot the bench guest under Bochs twice and compare the figures.

  bench.py [--image IMG] [--runs N] [-j N]

Boots the image under Bochs (tigerlake, 1 CPU) N times (default 2) with a
nestvisor.cfg that runs only the bench64 guest with bench = on, collects
the BENCH lines (docs/bench.md) of each serial log, prints them once and
says whether every run gave the same figures. Under Bochs the TSC counts
emulated instructions, so they should. Exits 0 only if every run ended
cleanly, printed every expected figure, and all runs agree.

Logs go to build/runs/bench-<k>/ (python3 standard library only).
"""

import argparse
import concurrent.futures
import os
import re
import shutil
import signal
import subprocess
import sys

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import emulators  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUNS_DIR = os.path.join(ROOT, "build", "runs")
DEFAULT_IMAGE = os.path.join(ROOT, "build", "nestvisor.img")

# The whole nestvisor.cfg of a bench run (not appended to the repo's, whose
# guests would run first): bench64 alone, no self-tests, so the boot cost
# is the boot path's. One CPU: Bochs runs every CPU on one host thread.
CONFIG = """\
# Written by test/bench.py (docs/bench.md).
log = info
cpus = 1
selftest = off
guest = bench64
bench = on
"""
MACHINE = dict(emulator="bochs", cpus=1, model="tigerlake")

# Bochs' VNC display found no free port (other Bochs on the machine, or one
# just stopped): it ends at once, before emulating anything; boot once more.
RFB_BUSY = "RFB could not bind"
BENCH = re.compile(r"\bBENCH (\S.*)$")
FAIL = re.compile(r"\bFAIL: ")
GUEST_EXIT_OK = re.compile(r"PASS: guest bench64: exit code 0\b")
# Figures a complete run prints: the guest's round trips, nestvisor's boot
# cost, and the bench guest's exit statistics (at least its CPUID exits).
WANTED = ("build", "rdtsc_pair", "cpuid", "vmcall", "in", "out", "reset_to_entry",
          "boot_to_exit_boot_services", "boot_to_first_guest_insn",
          "exit guest=bench64 vcpu=0 reason=CPUID")


def rel(path):
    r = os.path.relpath(path, ROOT)
    return path if r.startswith("..") else r


def prepare_image(image, bench_dir):
    """A copy of image whose ::/nestvisor.cfg is CONFIG; every run boots a copy
    of it, so the runs start from the same bytes (FAT timestamps included)."""
    os.makedirs(bench_dir, exist_ok=True)
    img = os.path.join(bench_dir, "nestvisor.img")
    cfg = os.path.join(bench_dir, "nestvisor.cfg")
    shutil.copyfile(image, img)
    with open(cfg, "w") as f:
        f.write(CONFIG)
    subprocess.run(["mcopy", "-o", "-i", img, cfg, "::/nestvisor.cfg"],
                   env=dict(os.environ, MTOOLS_SKIP_CHECK="1"), check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return img


def boot(k, img):
    """Boot a copy of img in build/runs/bench-<k>/; return (machine, Outcome)."""
    machine = emulators.Machine(**MACHINE)
    run_dir = os.path.join(RUNS_DIR, f"bench-{k}")
    if os.path.isdir(run_dir):
        shutil.rmtree(run_dir)
    os.makedirs(run_dir)
    copy = os.path.join(run_dir, "nestvisor.img")
    shutil.copyfile(img, copy)
    return machine, emulators.boot(machine, copy, run_dir)


def bench_run(k, img):
    """Boot run k; return (problems, BENCH lines, one line saying how it went)."""
    machine, out = boot(k, img)
    if out.reason == "exited" and RFB_BUSY in out.detail:
        machine, out = boot(k, img)
    figures = [m.group(1).strip() for m in map(BENCH.search, out.lines) if m]
    status = f"{machine.describe()}: {out.detail}, {out.seconds:.1f} s ({rel(out.serial_log)})"
    if out.reason != "power-off":
        return ["no figures: the boot did not power off cleanly"], figures, status
    problems = [l.strip() for l in out.lines if FAIL.search(l)]
    if any(emulators.CRASH.search(l) for l in out.lines):
        problems.append("crash report in the log")
    if not any(GUEST_EXIT_OK.search(l) for l in out.lines):
        problems.append("bench64 did not end with exit code 0")
    missing = [n for n in WANTED if not any(f == n or f.startswith(n + " ") for f in figures)]
    if missing:
        problems.append(f"no BENCH line for: {', '.join(missing)}")
    return problems, figures, status


def compare(results):
    """Lines saying where the runs' figures differ; empty if they agree."""
    first = results[0][1]
    diffs = []
    for k, (_, figures, _) in enumerate(results[1:], start=2):
        for i in range(max(len(first), len(figures))):
            a = first[i] if i < len(first) else "(none)"
            b = figures[i] if i < len(figures) else "(none)"
            if a != b:
                diffs += [f"  run 1: {a}", f"  run {k}: {b}"]
    return diffs


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--image", default=DEFAULT_IMAGE, help="boot image (default build/nestvisor.img)")
    p.add_argument("--runs", type=int, default=2, help="boots to compare (default 2)")
    p.add_argument("-j", "--jobs", type=int, default=2, help="boots at once (default 2)")
    args = p.parse_args()
    if args.runs < 2:
        p.error("--runs: at least 2, to compare")
    if not os.path.exists(args.image):
        print(f"bench: {rel(args.image)} does not exist (make image)", file=sys.stderr)
        return 1
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        img = prepare_image(args.image, os.path.join(RUNS_DIR, "bench"))
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"bench: cannot prepare the image: {e}", file=sys.stderr)
        return 1
    print(f"bench: booting bench64 {args.runs} times under Bochs, {args.jobs} at once", flush=True)
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(bench_run, k, img) for k in range(1, args.runs + 1)]
        try:
            results = [f.result() for f in futures]
        except BaseException:   # Ctrl-C: stop the emulators now
            emulators.STOP.set()
            pool.shutdown(wait=True, cancel_futures=True)
            print("bench: interrupted", file=sys.stderr)
            return 130
    failed = 0
    for k, (problems, _, status) in enumerate(results, start=1):
        print(f"bench: run {k}: {status}")
        for problem in problems:
            print(f"bench: run {k}: {problem}")
        failed += bool(problems)
    if failed:
        print(f"bench: {failed} of {args.runs} runs failed: figures not compared")
        return 1
    for line in results[0][1]:
        print(f"BENCH {line}")
    diffs = compare(results)
    if diffs:
        print(f"bench: {args.runs} runs, figures differ:")
        print("\n".join(diffs))
    else:
        print(f"bench: {args.runs} runs, figures identical")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
