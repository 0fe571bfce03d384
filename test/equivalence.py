#!/usr/bin/env python3
"""The equivalence oracle: a test guest must print the same report whether it
runs bare on Bochs, bare on QEMU or virtualized by nestvisor on Bochs.

A [section] of test/runs.cfg with a `compare` key is a comparison, not a run:

    [equivalence]
    compare = qemu-bare bochs-bare bochs-modes   runs whose serial logs are read
    guests  = real16 prot32                      guests compared
    require = bochs/bare qemu/bare bochs/virtualized   (the default) instances
                                                 each guest must have
    mode_specific =                              at most MAX_MODE_SPECIFIC per guest
        real16: ^PASS: cpuid: .*hypervisor       "guest: regex" lines that may differ

From each log it takes every *instance* of a guest: bare, the guest's own
lines between nestvisor's "bare NAME: starting on cpuN" and its verdict
"guest NAME (bare): ..."; virtualized, the lines nestvisor prefixes with
"[cpuN] NAME: ", one instance per CPU up to the guest's SUMMARY line. Of
each instance only the report lines count (PASS:, FAIL:, SKIP:, SUMMARY:):
INFO lines may say what differs. Each guest needs an instance of every
kind `require` names (by default bare under Bochs, bare under QEMU and
virtualized under Bochs; a guest that needs VMX cannot run on QEMU's TCG),
each with its SUMMARY,
and all its instances must have identical report lines, in order, apart
from lines matching the guest's mode-specific regexes; a FAIL line is never
set aside.

`python3 test/equivalence.py` tests this module and prints report lines, so
`make test` runs it like a host test.
"""

import re

MAX_MODE_SPECIFIC = 3
REQUIRED = (("bochs", "bare"), ("qemu", "bare"), ("bochs", "virtualized"))

BARE_START = re.compile(r"\bbare (\S+): starting on cpu\d+")
BARE_END = re.compile(r"\bguest (\S+) \(bare\): ")
PREFIXED = re.compile(r"^\[cpu(\d+)\] (\S+?): (.*)$")
NESTVISOR_LINE = re.compile(r"^\[cpu\d+\] ")
REPORT = re.compile(r"^(PASS|FAIL|SKIP|SUMMARY): ")


class Comparison:
    """One comparison section of runs.cfg."""

    def __init__(self, name, section):
        known = {"compare", "guests", "mode_specific", "require"}
        unknown = set(section) - known
        if unknown:
            raise ValueError(f"[{name}]: unknown key(s) {', '.join(sorted(unknown))}")
        self.name = name
        self.runs = section.get("compare", "").split()
        self.guests = section.get("guests", "").split()
        if not self.runs or not self.guests:
            raise ValueError(f"[{name}]: compare and guests must each name at least one")
        self.require = []
        for item in section.get("require", " ".join("/".join(r) for r in REQUIRED)).split():
            emulator, sep, kind = item.partition("/")
            if not sep or kind not in ("bare", "virtualized"):
                raise ValueError(f"[{name}]: require {item!r}: expected EMULATOR/bare or "
                                 "EMULATOR/virtualized")
            self.require.append((emulator, kind))
        self.mode_specific = {g: [] for g in self.guests}
        for line in section.get("mode_specific", "").splitlines():
            line = line.strip()
            if not line:
                continue
            guest, sep, regex = line.partition(":")
            guest, regex = guest.strip(), regex.strip()
            if not sep or guest not in self.mode_specific:
                raise ValueError(f"[{name}]: mode_specific line {line!r}: expected "
                                 "'GUEST: regex' for a guest in guests")
            if len(self.mode_specific[guest]) == MAX_MODE_SPECIFIC:
                raise ValueError(f"[{name}]: {guest}: more than {MAX_MODE_SPECIFIC} "
                                 "mode-specific lines")
            try:
                self.mode_specific[guest].append(re.compile(regex))
            except re.error as e:
                raise ValueError(f"[{name}]: bad regex {regex!r}: {e}") from None


def instances(lines):
    """[(guest, kind, report lines, complete)] in log order; kind is 'bare' or
    'virtualized'; complete tells whether the instance reached its end."""
    found = []
    bare = None                 # (guest, lines) while a bare guest owns the console
    open_virt = {}              # (cpu, guest) -> lines
    for line in lines:
        if bare is not None:
            m = BARE_END.search(line)
            if m and NESTVISOR_LINE.match(line):
                found.append((bare[0], "bare", bare[1], m.group(1) == bare[0]))
                bare = None
            elif REPORT.match(line):
                bare[1].append(line)
            continue
        m = BARE_START.search(line)
        if m and NESTVISOR_LINE.match(line):
            bare = (m.group(1), [])
            continue
        m = PREFIXED.match(line)
        if m and REPORT.match(m.group(3)):
            key = (m.group(1), m.group(2))
            open_virt.setdefault(key, []).append(m.group(3))
            if m.group(3).startswith("SUMMARY: "):
                found.append((key[1], "virtualized", open_virt.pop(key), True))
    if bare is not None:
        found.append((bare[0], "bare", bare[1], False))
    for (_, guest), got in open_virt.items():
        found.append((guest, "virtualized", got, False))
    return found


def _kept(lines, specific):
    return [l for l in lines
            if l.startswith("FAIL: ") or not any(r.search(l) for r in specific)]


def compare(comparison, logs):
    """logs: {run name: (emulator, [lines])}. Returns [(ok, check, detail lines)],
    one per guest."""
    results = []
    for guest in comparison.guests:
        specific = comparison.mode_specific[guest]
        seen = []               # (label, kind, emulator, kept lines)
        problems = []
        for run in comparison.runs:
            emulator, lines = logs[run]
            for g, kind, got, complete in instances(lines):
                if g != guest:
                    continue
                label = f"{run} ({kind})"
                if not complete or not any(l.startswith("SUMMARY: ") for l in got):
                    problems.append(f"{label}: the guest's report did not reach its SUMMARY line")
                seen.append((label, kind, emulator, _kept(got, specific)))
        for emulator, kind in comparison.require:
            if not any(s[1] == kind and s[2] == emulator for s in seen):
                problems.append(f"no {kind} run under {emulator} in {' '.join(comparison.runs)}")
        if seen and not problems:
            ref_label, _, _, ref = seen[0]
            for label, _, _, got in seen[1:]:
                if got == ref:
                    continue
                i = next((i for i, (a, b) in enumerate(zip(ref, got)) if a != b),
                         min(len(ref), len(got)))
                problems.append(f"{ref_label} and {label} differ at report line {i + 1}:")
                problems.append(f"  {ref_label}: {ref[i] if i < len(ref) else '(no line)'}")
                problems.append(f"  {label}: {got[i] if i < len(got) else '(no line)'}")
                break
        n = len(seen[0][3]) if seen else 0
        check = (f"{guest}: {n} report lines identical in {len(seen)} runs"
                 if not problems else f"{guest}: bare and virtualized reports")
        results.append((not problems, check, problems))
    return results


# --- self-test: `python3 test/equivalence.py` --------------------------------

def _selftest():
    import configparser
    passed = failed = 0

    def report(ok, what):
        nonlocal passed, failed
        passed += ok
        failed += not ok
        print(f"{'PASS' if ok else 'FAIL'}: {what}")

    def section(text):
        p = configparser.ConfigParser(interpolation=None)
        p.read_string("[c]\n" + text)
        return Comparison("c", p["c"])

    bare_log = ["[cpu0] bare g: starting on cpu1 in real mode at 0x1000",
                "INFO: g: bare", "PASS: one", "PASS: cpuid: bare flavour",
                "SUMMARY: g: 2 passed, 0 failed", "guest: exit code 0",
                "[cpu0] PASS: guest g (bare): exit code 0"]
    virt_log = ["[cpu0] g: INFO: g: virtualized", "[cpu1] h: PASS: other guest",
                "[cpu0] g: PASS: one", "[cpu0] g: PASS: cpuid: virt flavour",
                "[cpu0] g: SUMMARY: g: 2 passed, 0 failed",
                "[cpu0] PASS: guest g: exit code 0"]
    got = instances(bare_log + virt_log)
    report([(g, k, c) for g, k, _, c in got] ==
           [("g", "bare", True), ("g", "virtualized", True), ("h", "virtualized", False)],
           "instances: one bare, one virtualized, one unfinished, in log order")
    report(got[0][2] == ["PASS: one", "PASS: cpuid: bare flavour", "SUMMARY: g: 2 passed, 0 failed"],
           "instances: a bare instance keeps only the guest's report lines")
    report(got[1][2][0] == "PASS: one", "instances: the virtualized prefix is removed")

    c = section("compare = a b c\nguests = g\nmode_specific =\n  g: ^PASS: cpuid:\n")
    logs = {"a": ("bochs", bare_log), "b": ("qemu", bare_log), "c": ("bochs", virt_log)}
    res = compare(c, logs)
    report(res[0][0], "compare: equal apart from a declared mode-specific line")
    c2 = section("compare = a b c\nguests = g\n")
    res = compare(c2, logs)
    report(not res[0][0] and any("differ at report line 2" in p for p in res[0][2]),
           "compare: an undeclared difference fails and names the line")
    c3 = section("compare = a b c\nguests = g\nmode_specific = g: cpuid:\n")
    report(compare(c3, logs)[0][0], "compare: an unanchored mode-specific regex sets lines aside")
    failing = [l.replace("PASS: cpuid: bare", "FAIL: cpuid: bare") for l in bare_log]
    res = compare(c3, {"a": ("bochs", failing), "b": ("qemu", bare_log), "c": ("bochs", virt_log)})
    report(not res[0][0], "compare: a FAIL line cannot be declared mode-specific")
    res = compare(c, {"a": ("bochs", bare_log), "b": ("bochs", bare_log), "c": ("bochs", virt_log)})
    report(not res[0][0] and any("no bare run under qemu" in p for p in res[0][2]),
           "compare: each of bare Bochs, bare QEMU and virtualized Bochs is required")
    c4 = section("compare = a c\nguests = g\nrequire = bochs/bare bochs/virtualized\n"
                 "mode_specific = g: cpuid:\n")
    report(compare(c4, {"a": ("bochs", bare_log), "c": ("bochs", virt_log)})[0][0],
           "compare: require narrows the instances needed")
    cut = bare_log[:3]
    res = compare(c, {"a": ("bochs", cut), "b": ("qemu", bare_log), "c": ("bochs", virt_log)})
    report(not res[0][0], "compare: a bare guest that never ended fails")
    try:
        section("compare = a\nguests = g\nmode_specific =\n" +
                "".join(f"  g: x{i}\n" for i in range(MAX_MODE_SPECIFIC + 1)))
        report(False, "config: more than MAX_MODE_SPECIFIC lines are refused")
    except ValueError:
        report(True, "config: more than MAX_MODE_SPECIFIC lines are refused")
    try:
        section("compare = a\nguests = g\nmode_specific = other: x\n")
        report(False, "config: a mode-specific line for an unlisted guest is refused")
    except ValueError:
        report(True, "config: a mode-specific line for an unlisted guest is refused")
    print(f"SUMMARY: equivalence: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(_selftest())
