#!/usr/bin/env python3
"""Prints one closing line for the whole suite from lit's and ctest's JUnit
XML reports: `weir: N passed, N failed, N skipped`. Exits 1 on any failure
or when a report is missing (a suite that did not run is not a pass)."""
import sys
import xml.etree.ElementTree as ET


def count(path):
    passed = failed = skipped = 0
    for case in ET.parse(path).getroot().iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif case.find("skipped") is not None:
            skipped += 1
        else:
            passed += 1
    return passed, failed, skipped


def main(paths):
    totals = [0, 0, 0]
    for path in paths:
        try:
            for i, n in enumerate(count(path)):
                totals[i] += n
        except (OSError, ET.ParseError) as e:
            print(f"summarize: no report from {path}: {e}", file=sys.stderr)
            totals[1] += 1
    passed, failed, skipped = totals
    print(f"weir: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
