#!/usr/bin/env python3
"""make bench: boot the bench guests under Bochs twice each and compare the figures.

  bench.py [--image IMG] [--runs N] [-j N]

Boots the image under Bochs (tigerlake, 1 CPU) N times (default 2) for each
bench configuration, each a whole nestvisor.cfg with bench = on: bench64
alone (single-level round trips), and vmx_bench as an L1 with VMCS shadowing
on and off (nested round trips). Collects the BENCH lines (docs/bench.md)
of each serial log, prints each configuration's once and says whether its
runs gave the same figures. Under Bochs the TSC counts emulated
instructions, so they should. Then one line compares an L2 CPUID round trip
with the single-level one. Exits 0 only if every run ended cleanly, printed
every expected figure, and each configuration's runs agree.

Logs go to build/runs/bench-<config>-<k>/ (python3 standard library only).
"""

import argparse
import concurrent.futures
import dataclasses
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

# A bench run's whole nestvisor.cfg (not appended to the repo's, whose
# guests would run first): the bench guest alone, no self-tests, so the
# boot cost is the boot path's. One CPU: Bochs runs every CPU on one host
# thread.
CONFIG_BASE = """\
# Written by test/bench.py (docs/bench.md).
log = info
cpus = 1
selftest = off
bench = on
"""
MACHINE = dict(emulator="bochs", cpus=1, model="tigerlake")
# Figures every configuration prints: nestvisor's boot cost.
WANTED_BOOT = ("build", "reset_to_entry", "boot_to_exit_boot_services", "boot_to_first_guest_insn")


@dataclasses.dataclass(frozen=True)
class Bench:
    """One bench configuration: booted --runs times, its figures compared."""
    name: str           # names its logs: build/runs/bench-<name>-<k>/
    title: str
    guest: str
    config: str         # lines after CONFIG_BASE
    wanted: tuple       # BENCH lines (their first words) a complete run prints

    def nestvisor_cfg(self):
        return CONFIG_BASE + self.config


def nested(shadow):
    return Bench(f"shadow-{shadow}", f"vmx_bench as an L1, VMCS shadowing {shadow}", "vmx_bench",
                 f"nested = vmx_bench\nnested_shadow = {shadow}\nguest = vmx_bench\n",
                 WANTED_BOOT + ("nested_cpuid", "nested_vmcall", "nested_io", "l1_cpuid",
                                "exit guest=vmx_bench vcpu=0 reason=VMRESUME"))


# The round trips of bench64, and the guest's exit statistics (at least its
# CPUID exits); the nested round trips with shadowing on and off.
BENCHES = (
    Bench("single", "bench64, single-level round trips", "bench64", "guest = bench64\n",
          WANTED_BOOT + ("rdtsc_pair", "cpuid", "vmcall", "in", "out",
                         "exit guest=bench64 vcpu=0 reason=CPUID")),
    nested("on"),
    nested("off"),
)

# Bochs' VNC display found no free port (other Bochs on the machine, or one
# just stopped): it ends at once, before emulating anything; boot once more.
RFB_BUSY = "RFB could not bind"
BENCH = re.compile(r"\bBENCH (\S.*)$")
FAIL = re.compile(r"\bFAIL: ")


def rel(path):
    r = os.path.relpath(path, ROOT)
    return path if r.startswith("..") else r


def prepare_image(image, bench):
    """A copy of image whose ::/nestvisor.cfg is bench's; every run boots a copy
    of it, so the runs start from the same bytes (FAT timestamps included)."""
    bench_dir = os.path.join(RUNS_DIR, f"bench-{bench.name}")
    os.makedirs(bench_dir, exist_ok=True)
    img = os.path.join(bench_dir, "nestvisor.img")
    cfg = os.path.join(bench_dir, "nestvisor.cfg")
    shutil.copyfile(image, img)
    with open(cfg, "w") as f:
        f.write(bench.nestvisor_cfg())
    subprocess.run(["mcopy", "-o", "-i", img, cfg, "::/nestvisor.cfg"],
                   env=dict(os.environ, MTOOLS_SKIP_CHECK="1"), check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return img


def boot(bench, k, img):
    """Boot a copy of img in build/runs/bench-<name>-<k>/; return (machine, Outcome)."""
    machine = emulators.Machine(**MACHINE)
    run_dir = os.path.join(RUNS_DIR, f"bench-{bench.name}-{k}")
    if os.path.isdir(run_dir):
        shutil.rmtree(run_dir)
    os.makedirs(run_dir)
    copy = os.path.join(run_dir, "nestvisor.img")
    shutil.copyfile(img, copy)
    return machine, emulators.boot(machine, copy, run_dir)


def bench_run(bench, k, img):
    """Boot run k of bench; return (problems, BENCH lines, one line saying how it went)."""
    machine, out = boot(bench, k, img)
    if out.reason == "exited" and RFB_BUSY in out.detail:
        machine, out = boot(bench, k, img)
    figures = [m.group(1).strip() for m in map(BENCH.search, out.lines) if m]
    status = f"{machine.describe()}: {out.detail}, {out.seconds:.1f} s ({rel(out.serial_log)})"
    if out.reason != "power-off":
        return ["no figures: the boot did not power off cleanly"], figures, status
    problems = [l.strip() for l in out.lines if FAIL.search(l)]
    if any(emulators.CRASH.search(l) for l in out.lines):
        problems.append("crash report in the log")
    exit_ok = re.compile(rf"PASS: guest {bench.guest}: exit code 0\b")
    if not any(exit_ok.search(l) for l in out.lines):
        problems.append(f"{bench.guest} did not end with exit code 0")
    missing = [n for n in bench.wanted if not any(f == n or f.startswith(n + " ") for f in figures)]
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


def figure(figures, line, key):
    """The value of key= on the BENCH line that starts with line; None if absent."""
    for f in figures:
        if f == line or f.startswith(line + " "):
            m = re.search(rf"\b{key}=(\S+)", f)
            return float(m.group(1)) if m else None
    return None


def nested_summary(figures):
    """One line: an L2 CPUID round trip with shadowing on and off against the
    single-level CPUID round trip (bench64's net median); None if a figure is missing."""
    single = figure(figures.get("single", []), "cpuid", "net_median")
    nested = {s: (figure(figures.get(f"shadow-{s}", []), "nested_cpuid", "exits_per_l2_exit"),
                  figure(figures.get(f"shadow-{s}", []), "nested_cpuid", "tsc_per_l2_exit"))
              for s in ("on", "off")}
    if not single or any(v is None for pair in nested.values() for v in pair):
        return None
    parts = [f"{exits:g} nestvisor exits and {tsc:g} instructions with shadowing {s} "
             f"({tsc / single:.1f}x)" for s, (exits, tsc) in nested.items()]
    return (f"bench: an L2 CPUID round trip: {'; '.join(parts)}; "
            f"single level (bench64 cpuid net_median): {single:g} instructions")


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--image", default=DEFAULT_IMAGE, help="boot image (default build/nestvisor.img)")
    p.add_argument("--runs", type=int, default=2, help="boots to compare per configuration (default 2)")
    p.add_argument("-j", "--jobs", type=int, default=2, help="boots at once (default 2)")
    args = p.parse_args()
    if args.runs < 2:
        p.error("--runs: at least 2, to compare")
    if not os.path.exists(args.image):
        print(f"bench: {rel(args.image)} does not exist (make image)", file=sys.stderr)
        return 1
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        images = {b.name: prepare_image(args.image, b) for b in BENCHES}
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"bench: cannot prepare the image: {e}", file=sys.stderr)
        return 1
    print(f"bench: booting {len(BENCHES)} configurations {args.runs} times each under Bochs, "
          f"{args.jobs} at once", flush=True)
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = {b.name: [pool.submit(bench_run, b, k, images[b.name])
                            for k in range(1, args.runs + 1)] for b in BENCHES}
        try:
            results = {name: [f.result() for f in fs] for name, fs in futures.items()}
        except BaseException:   # Ctrl-C: stop the emulators now
            emulators.STOP.set()
            pool.shutdown(wait=True, cancel_futures=True)
            print("bench: interrupted", file=sys.stderr)
            return 130
    bad = 0
    for b in BENCHES:
        print(f"bench: {b.name}: {b.title}")
        bad += report(b, results[b.name], args.runs)
    summary = nested_summary({name: rs[0][1] for name, rs in results.items()})
    if summary and not bad:
        print(summary)
    return 1 if bad else 0


def report(bench, results, runs):
    """Prints how bench's runs went and its figures; returns 1 if they failed or differ."""
    failed = 0
    for k, (problems, _, status) in enumerate(results, start=1):
        print(f"bench: {bench.name}: run {k}: {status}")
        for problem in problems:
            print(f"bench: {bench.name}: run {k}: {problem}")
        failed += bool(problems)
    if failed:
        print(f"bench: {bench.name}: {failed} of {runs} runs failed: figures not compared")
        return 1
    for line in results[0][1]:
        print(f"BENCH {line}")
    diffs = compare(results)
    if diffs:
        print(f"bench: {bench.name}: {runs} runs, figures differ:")
        print("\n".join(diffs))
        return 1
    print(f"bench: {bench.name}: {runs} runs, figures identical")
    return 0


if __name__ == "__main__":
    sys.exit(main())
