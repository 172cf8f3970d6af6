#!/usr/bin/env python3
"""Turns an `ogi gen` log of the current year into open cases for a store that already holds the agencies.

Keeps only case events dated up to DAY, and only the cases received from SINCE on (so most are still open on
DAY), renaming each case and eventId with SUFFIX after the year so that a second batch does not collide with a
first. Used to measure the console's work list with thousands of open cases (docs/CONSOLE.md, Speed).

Usage: tools/open_cases.py IN.jsonl OUT.jsonl DAY SINCE SUFFIX   (dates YYYY-MM-DD; SUFFIX e.g. "" or "b")
"""
import json
import sys


def main():
    src, dst, day, since, suffix = sys.argv[1:6]
    skipped, kept = set(), 0
    with open(src, encoding='utf-8') as f, open(dst, 'w', encoding='utf-8') as out:
        for line in f:
            e = json.loads(line)
            if 'caseId' not in e or e.get('occurredOn', '9999') > day:
                continue  # agency events are in the store already; later events not yet happened
            if 'received' in e and e['occurredOn'] < since:
                skipped.add(e['caseId'])
            if e['caseId'] in skipped:
                continue
            year = '-' + day[:4] + '-'
            e['caseId'] = e['caseId'].replace(year, year[:-1] + suffix + '-')
            e['eventId'] = e['eventId'].replace(year, year[:-1] + suffix + '-')
            out.write(json.dumps(e, ensure_ascii=False) + '\n')
            kept += 1
    print(f'{kept} events', file=sys.stderr)


if __name__ == '__main__':
    main()
