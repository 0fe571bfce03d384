#!/usr/bin/env python3
"""nestvisor's test runner (python3 standard library only).

  run.py --run EMU [--image IMG] [--cpus N] [--memory MiB] [--model M] [--timeout S]
      Boot the image once under EMU (bochs | qemu | kvm), stream its serial
      console, exit 0 only if nestvisor's in-machine tests passed and it
      powered off cleanly.

  run.py [--host BIN...] [--runs FILE] [-j N] [--only NAME...] [--image IMG]
      Run host unit-test binaries, then boot every run of the INI file
      (see test/runs.cfg and docs/testing.md). One PASS/FAIL line per check;
      the last line is "N passed, N failed[, N skipped]".

Logs go to build/runs/<run>/ (host tests: build/runs/host/<name>.log).
"""

import argparse
import concurrent.futures
import configparser
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import emulators  # noqa: E402
import equivalence  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUNS_DIR = os.path.join(ROOT, "build", "runs")
DEFAULT_IMAGE = os.path.join(ROOT, "build", "nestvisor.img")
REPO_CFG = os.path.join(ROOT, "nestvisor.cfg")
TAIL_LINES = 25
HOST_TIMEOUT = 300

PASS_LINE = re.compile(r"\bPASS: ")
FAIL_LINE = re.compile(r"\bFAIL: ")
SUMMARY_LINE = re.compile(r"SUMMARY: (\S+): (\d+) passed, (\d+) failed")
SANITIZER = re.compile(r"ERROR: (Address|Leak)Sanitizer|runtime error:")
RUN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
EXACT = re.compile(r"^=(\d+)\s+(.*)$")

_print_lock = threading.Lock()


def rel(path):
    """A path as printed: relative to the repo root when inside it."""
    r = os.path.relpath(path, ROOT)
    return path if r.startswith("..") else r


def emit(lines):
    with _print_lock:
        for line in lines:
            print(line)
        sys.stdout.flush()


class Tally:
    def __init__(self):
        self.passed = self.failed = self.skipped = 0
        self._lock = threading.Lock()

    def add(self, passed=0, failed=0, skipped=0):
        with self._lock:
            self.passed += passed
            self.failed += failed
            self.skipped += skipped

    def line(self):
        s = f"{self.passed} passed, {self.failed} failed"
        return s + (f", {self.skipped} skipped" if self.skipped else "")


# --- one boot, shown live ---------------------------------------------------

def run_once(args):
    machine = emulators.Machine(args.run, cpus=args.cpus, memory=args.memory,
                                model=args.model or "", timeout=args.timeout or 0)
    if machine.emulator == "kvm":
        why = emulators.kvm_unusable()
        if why:
            print(f"run.py: cannot run under kvm: {why}.", file=sys.stderr)
            print("run.py: use EMU=bochs (full VMX) or EMU=qemu (no VMX) instead.", file=sys.stderr)
            return 1
    if not os.path.exists(args.image):
        print(f"run.py: {rel(args.image)} does not exist (make image)", file=sys.stderr)
        return 1
    run_dir = os.path.join(RUNS_DIR, f"run-{machine.emulator}")
    print(f"run.py: booting {rel(args.image)} under {machine.describe()}, timeout {machine.timeout} s; "
          f"logs in {rel(run_dir)}/", flush=True)

    def show(line):
        print(line, flush=True)

    # Boot a copy: the build's image stays untouched and unlocked.
    os.makedirs(run_dir, exist_ok=True)
    image = os.path.join(run_dir, "nestvisor.img")
    shutil.copyfile(args.image, image)
    out = emulators.boot(machine, image, run_dir, on_line=show)
    has_summary = any(emulators.SUMMARY.search(l) for l in out.lines)
    has_poweroff = any(emulators.POWER_OFF.search(l) for l in out.lines)
    has_crash = any(emulators.CRASH.search(l) for l in out.lines)
    ok = has_summary and has_poweroff and not has_crash
    print(f"run.py: {out.detail} after {out.seconds:.1f} s; "
          f"{'in-machine tests passed' if has_summary else 'no passing SUMMARY line'}; "
          f"serial log {rel(out.serial_log)}", flush=True)
    if out.reason in ("exited", "error") and not out.lines:
        print_tail("emulator output", out.emulator_log)
    print("run.py: " + ("OK" if ok else "FAILED"), flush=True)
    return 0 if ok else 1


# Bochs' plugin loading chatter, useless in a tail.
NOISE = re.compile(r"lt_dlhandle is|\[PLUGIN\] loaded plugin")


def print_tail(title, path, lines=None):
    if lines is None:
        try:
            with open(path, "rb") as f:
                lines = emulators.clean(f.read().decode("utf-8", "replace")).split("\n")
        except FileNotFoundError:
            lines = []
    tail = [l for l in lines if l.strip() and not NOISE.search(l)][-TAIL_LINES:]
    emit([f"    --- {title}: last {len(tail)} lines of {rel(path)}"] + [f"    {l}" for l in tail])


# --- host unit tests --------------------------------------------------------

def run_host(binary, tally):
    name = os.path.basename(binary)
    if name.startswith("test_"):
        name = name[len("test_"):]
    log = os.path.join(RUNS_DIR, "host", f"{name}.log")
    os.makedirs(os.path.dirname(log), exist_ok=True)
    start = time.monotonic()
    try:
        proc = subprocess.run([os.path.abspath(binary)], stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              timeout=HOST_TIMEOUT)
        output, status = proc.stdout.decode("utf-8", "replace"), proc.returncode
    except FileNotFoundError:
        output, status = f"{binary}: not found\n", 127
    except subprocess.TimeoutExpired as e:
        output = (e.stdout or b"").decode("utf-8", "replace") + f"\nkilled after {HOST_TIMEOUT} s\n"
        status = -1
    seconds = time.monotonic() - start
    with open(log, "w") as f:
        f.write(output)
    lines = output.splitlines()
    passes = sum(1 for l in lines if PASS_LINE.search(l))
    fails = [l for l in lines if FAIL_LINE.search(l)]
    summary = next((m for m in map(SUMMARY_LINE.search, lines) if m), None)
    problems = []
    if status != 0:
        problems.append(f"exit status {status}")
    if summary is None:
        problems.append("no SUMMARY line")
    elif int(summary.group(3)) or int(summary.group(2)) != passes:
        problems.append(f"summary says {summary.group(2)} passed, {summary.group(3)} failed")
    if not problems and not fails:
        tally.add(passed=1)
        emit([f"PASS host/{name}: {passes} checks  ({rel(log)}, {seconds:.1f} s)"])
        return
    tally.add(failed=1)
    if fails:
        problems.insert(0, f"{len(fails)} of {passes + len(fails)} checks failed")
    report = [f"FAIL host/{name}: {'; '.join(problems)}  ({rel(log)})"]
    report += [f"    {l}" for l in fails]
    if not fails:   # crashed or aborted: show the sanitizer's report, else the end
        start = next((i for i, l in enumerate(lines) if SANITIZER.search(l)), None)
        shown = lines[start:start + TAIL_LINES] if start is not None else lines[-TAIL_LINES:]
        report += [f"    {l}" for l in shown]
    emit(report)


# --- emulator runs from the INI file ------------------------------------------

class Run:
    """One section of runs.cfg."""

    def __init__(self, name, section):
        if not RUN_NAME.match(name):
            raise ValueError(f"[{name}]: run names use letters, digits, '_', '.', '-'")
        known = {"emulator", "cpus", "memory", "model", "timeout", "ips", "config",
                 "expect", "reject", "crash", "failures"}
        unknown = set(section) - known
        if unknown:
            raise ValueError(f"[{name}]: unknown key(s) {', '.join(sorted(unknown))}")
        self.name = name
        try:
            self.machine = emulators.Machine(
                section.get("emulator", "").strip(),
                cpus=section.getint("cpus", 1),
                memory=section.getint("memory", 256),
                model=section.get("model", "").strip(),
                timeout=section.getint("timeout", 0),
                ips=section.getint("ips", emulators.BOCHS_IPS))
        except ValueError as e:
            raise ValueError(f"[{name}]: {e}") from None
        self.config = _lines(section.get("config", ""))
        crash = section.get("crash", "no").strip()
        if crash not in ("no", "expected"):
            raise ValueError(f"[{name}]: crash = no | expected (got {crash!r})")
        self.crash_expected = crash == "expected"
        # A run that shows a failure on purpose names how many FAIL: lines it
        # expects; expect lines then say which.
        self.failures = section.getint("failures", 0)
        self.expect = [_pattern(name, l) for l in _lines(section.get("expect", ""))]
        self.reject = [_pattern(name, l, allow_count=False) for l in _lines(section.get("reject", ""))]


def _lines(value):
    return [l.strip() for l in value.splitlines() if l.strip()]


def _pattern(run, text, allow_count=True):
    """(count or None, compiled regex, source text) for one expect/reject line."""
    count = None
    m = EXACT.match(text)
    if m and allow_count:
        count, text = int(m.group(1)), m.group(2)
    try:
        return count, re.compile(text), text
    except re.error as e:
        raise ValueError(f"[{run}]: bad regex {text!r}: {e}") from None


def load_runs(path):
    """(runs, comparisons): sections with a `compare` key are comparisons
    (test/equivalence.py), the others runs."""
    parser = configparser.ConfigParser(interpolation=None, comment_prefixes=("#",),
                                       inline_comment_prefixes=None, strict=True)
    parser.optionxform = str
    with open(path) as f:
        parser.read_file(f)
    runs = [Run(n, parser[n]) for n in parser.sections() if "compare" not in parser[n]]
    comparisons = [equivalence.Comparison(n, parser[n]) for n in parser.sections()
                   if "compare" in parser[n]]
    names = {r.name for r in runs}
    for c in comparisons:
        missing = [r for r in c.runs if r not in names]
        if missing:
            raise ValueError(f"[{c.name}]: no such run(s): {', '.join(missing)}")
    return runs, comparisons


def run_comparison(comparison, runs, ran, tally):
    """Compares the guests' reports across the runs' serial logs; skipped
    unless every run it reads took place in this invocation."""
    if not all(r in ran for r in comparison.runs):
        tally.add(skipped=1)
        emit([f"SKIP {comparison.name}: needs the runs {' '.join(comparison.runs)}"])
        return
    logs = {}
    for r in runs:
        if r.name in comparison.runs:
            path = os.path.join(RUNS_DIR, r.name, "serial.log")
            try:
                with open(path, errors="replace") as f:
                    lines = emulators.clean(f.read()).splitlines()
            except OSError:
                lines = []
            logs[r.name] = (r.machine.emulator, lines)
    report = []
    for ok, check, problems in equivalence.compare(comparison, logs):
        tally.add(passed=int(ok), failed=int(not ok))
        report.append(f"{'PASS' if ok else 'FAIL'} {comparison.name}: {check}")
        report.extend(f"    {p}" for p in problems)
    emit(report)


def prepare_image(run, image, run_dir):
    """Copy image into run_dir with ::/nestvisor.cfg = base config + the run's lines."""
    os.makedirs(run_dir, exist_ok=True)
    img = os.path.join(run_dir, "nestvisor.img")
    shutil.copyfile(image, img)
    cfg = os.path.join(run_dir, "nestvisor.cfg")
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    if os.path.exists(REPO_CFG):
        with open(REPO_CFG) as f:
            base = f.read()
    else:   # no repo file: keep what the image carries
        got = subprocess.run(["mtype", "-i", img, "::/nestvisor.cfg"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        base = got.stdout.decode("utf-8", "replace") if got.returncode == 0 else ""
    if base and not base.endswith("\n"):
        base += "\n"
    with open(cfg, "w") as f:
        f.write(base + "".join(l + "\n" for l in run.config))
    subprocess.run(["mcopy", "-o", "-i", img, cfg, "::/nestvisor.cfg"], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return img


def judge(run, out):
    """[(ok, check, detail)] for one finished run."""
    lines = out.lines
    checks = []

    def count(regex):
        return sum(1 for l in lines if regex.search(l))

    fails = [l for l in lines if FAIL_LINE.search(l)]
    if run.failures:
        checks.append((len(fails) == run.failures, f"exactly {run.failures} FAIL: lines",
                       "" if len(fails) == run.failures else f"{len(fails)} FAIL: lines"))
    else:
        checks.append((not fails, "no FAIL: lines", f"{len(fails)} FAIL: lines" if fails else ""))
    crashes = [l for l in lines if emulators.CRASH.search(l)]
    if run.crash_expected:
        checks.append((bool(crashes), "crash report present", "" if crashes else out.detail))
    else:
        checks.append((not crashes, "no crash report", crashes[0].strip() if crashes else ""))
        powered = count(emulators.POWER_OFF) > 0
        checks.append((powered, "clean power-off", "" if powered else out.detail))
        # With failures = N, nestvisor's own count must be exactly N too.
        want = re.compile(rf"SUMMARY: nestvisor: \d+ passed, {run.failures} failed")
        summary = next((l for l in lines if want.search(l)), None)
        detail = ""
        if summary is None:
            last = next((l.strip() for l in reversed(lines) if "SUMMARY: nestvisor:" in l), None)
            detail = last or "no SUMMARY: nestvisor: line"
        checks.append((summary is not None,
                       "in-machine tests passed" if not run.failures
                       else f"in-machine tests: exactly {run.failures} failed", detail))
    for n, regex, text in run.expect:
        got = count(regex)
        if n is None:
            checks.append((got > 0, f"expect /{text}/", "" if got else "no matching line"))
        else:
            checks.append((got == n, f"expect ={n} /{text}/", "" if got == n else f"{got} matching lines"))
    for _, regex, text in run.reject:
        hits = [l for l in lines if regex.search(l)]
        checks.append((not hits, f"reject /{text}/", f"matched: {hits[0].strip()}" if hits else ""))
    return checks


def run_emulated(run, image, tally):
    run_dir = os.path.join(RUNS_DIR, run.name)
    if run.machine.emulator == "kvm":
        why = emulators.kvm_unusable()
        if why:
            tally.add(skipped=1)
            emit([f"SKIP {run.name}: {why}"])
            return
    if os.path.isdir(run_dir):
        shutil.rmtree(run_dir)
    try:
        img = prepare_image(run, image, run_dir)
    except (OSError, subprocess.CalledProcessError) as e:
        err = getattr(e, "stderr", b"") or b""
        tally.add(failed=1)
        emit([f"FAIL {run.name}: prepare image -- {e} {err.decode(errors='replace').strip()}  ({rel(run_dir)})"])
        return
    out = emulators.boot(run.machine, img, run_dir)
    if out.reason == "interrupted":
        tally.add(failed=1)
        emit([f"FAIL {run.name}: interrupted after {out.seconds:.1f} s  ({rel(out.serial_log)})"])
        return
    checks = judge(run, out)
    log = rel(out.serial_log)
    report = [f"---- {run.name}: {run.machine.describe()}: {out.detail}, {out.seconds:.1f} s"]
    failed = 0
    for ok, check, detail in checks:
        failed += not ok
        note = f" -- {detail}" if detail and not ok else ""
        report.append(f"{'PASS' if ok else 'FAIL'} {run.name}: {check}{note}  ({log})")
    tally.add(passed=len(checks) - failed, failed=failed)
    emit(report)
    if failed:
        if out.lines:
            print_tail("serial", out.serial_log, out.lines)
        else:
            print_tail("emulator output", out.emulator_log)


def run_tests(args):
    tally = Tally()
    runs, comparisons = [], []
    if args.runs:
        try:
            runs, comparisons = load_runs(args.runs)
        except (OSError, configparser.Error, ValueError) as e:
            print(f"run.py: {args.runs}: {e}", file=sys.stderr)
            tally.add(failed=1)
            print(tally.line(), flush=True)
            return 1
        if args.only:
            # Naming a comparison runs it with the runs it reads.
            only = set(args.only)
            for c in comparisons:
                if c.name in only:
                    only.update(c.runs)
            comparisons = [c for c in comparisons if c.name in only]
            names = {r.name for r in runs} | {c.name for c in comparisons}
            missing = [n for n in args.only if n not in names]
            if missing:
                print(f"run.py: no such run(s): {', '.join(missing)}", file=sys.stderr)
                tally.add(failed=1)
                print(tally.line(), flush=True)
                return 1
            runs = [r for r in runs if r.name in only]
    for binary in args.host or []:
        run_host(binary, tally)
    if runs and not os.path.exists(args.image):
        print(f"run.py: {rel(args.image)} does not exist (make image)", file=sys.stderr)
        tally.add(failed=len(runs))
    elif runs:
        start = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            futures = [pool.submit(run_emulated, r, args.image, tally) for r in runs]
            try:
                for f in futures:
                    f.result()
            except BaseException:   # Ctrl-C: stop the emulators now, not at their timeouts
                emulators.STOP.set()
                pool.shutdown(wait=True, cancel_futures=True)
                raise
        emit([f"---- {len(runs)} emulator runs in {time.monotonic() - start:.1f} s (-j {args.jobs})"])
        for c in comparisons:
            run_comparison(c, runs, {r.name for r in runs}, tally)
    if tally.passed + tally.failed + tally.skipped == 0:
        print("run.py: nothing to test (give --host and/or --runs)", file=sys.stderr)
        tally.add(failed=1)
    print(tally.line(), flush=True)
    return 1 if tally.failed else 0


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--run", choices=emulators.EMULATORS, metavar="EMU",
                   help="boot once under EMU (bochs | qemu | kvm) and stream the console")
    p.add_argument("--image", default=DEFAULT_IMAGE, help="boot image (default build/nestvisor.img)")
    p.add_argument("--cpus", type=int, default=1, help="--run: number of CPUs (default 1)")
    p.add_argument("--memory", type=int, default=256, help="--run: MiB (default 256)")
    p.add_argument("--model", help="--run: CPU model (default: tigerlake for bochs, max for qemu)")
    p.add_argument("--timeout", type=int, help="--run: seconds (default: bochs 600, qemu/kvm 120)")
    p.add_argument("--host", nargs="+", metavar="BIN", help="host unit-test binaries to run")
    p.add_argument("--runs", metavar="FILE", help="INI file of emulator runs (test/runs.cfg)")
    p.add_argument("--only", nargs="+", metavar="NAME", help="with --runs: only these runs")
    p.add_argument("-j", "--jobs", type=int, default=2, help="emulator runs at once (default 2)")
    args = p.parse_args()
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        if args.run:
            return run_once(args)
        return run_tests(args)
    except KeyboardInterrupt:
        print("run.py: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
