#!/usr/bin/env python3
"""qemu_log_check.py - cross-checks one run of siokit's patched QEMU: the
log backend's text (HyperSIO events and vtd_sk_*) against itself and
against the x-siokit-log binary file of the same run.

Usage: qemu_log_check.py QEMU_LOG SIOKIT_BIN

Prints one JSON object: counts, the (sid, domain) pairs with translations,
and "errors", a list of the first disagreements (empty when all agree).
Checks, each written from docs/qemu-patches.md and the VT-d rules, not
from the patch's code:
  1. every vtd_iotlb_page_update ends a walk: the vtd_slpte_fetch lines
     just before it are for its IOVA, their levels step down by one, and
     the last one read the update's slpte at the update's level;
  2. every vtd_iotlb_page_hit / _update is followed by a vtd_sk_translate
     of the same sid and IOVA whose domain and level agree, whose via
     says IOTLB for a hit and a walk for an update, and whose address is
     the slpte's page frame plus the IOVA's offset in the page;
  3. the binary log holds the same translations as the vtd_sk_translate
     lines (as multisets of sid, domain, iova, address, level, via), and
     as many invalidations as vtd_sk_inv lines.
"""
import collections
import json
import re
import struct
import sys

ADDR_BITS = 0x000ffffffffff000      # slpte bits 12..51: the page frame


def level_mask(level):
    return (~((4096 << (9 * (level - 1))) - 1)) & (2**64 - 1)


def mask_level(mask):
    for lv in (1, 2, 3):
        if level_mask(lv) == mask:
            return lv
    return 0


EVENT = re.compile(r'(?:^|[\s:])(vtd_[a-z_]+) (.*)$')
FIELD = re.compile(r'([a-z_]+) (0x[0-9a-f]+|-?\d+)')


def fields(text):
    return {k: int(v, 0) for k, v in FIELD.findall(text)}


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    log_path, bin_path = sys.argv[1], sys.argv[2]
    errors = []
    counts = collections.Counter()
    text_translations = collections.Counter()
    fetches = []          # the current run of vtd_slpte_fetch lines
    pending = []          # hits / updates waiting for their vtd_sk_translate

    def err(msg):
        if len(errors) < 20:
            errors.append(msg)

    with open(log_path, errors='replace') as f:
        for n, line in enumerate(f, 1):
            m = EVENT.search(line.rstrip('\n'))
            if not m:
                continue
            name, rest = m.groups()
            if name == 'vtd_slpte_fetch':
                counts['slpte_fetch'] += 1
                fetches.append(fields(rest.replace('SLPTE fetch:', '')))
                continue
            if name == 'vtd_iotlb_page_update':
                counts['page_update'] += 1
                u = fields(rest)
                walk = [x for x in fetches if x['iova'] == u['iova']]
                if not walk:
                    err(f'{n}: page_update iova {u["iova"]:#x} without slpte fetches')
                else:
                    levels = [x['level'] for x in walk]
                    if levels != list(range(levels[0], levels[0] - len(levels), -1)):
                        err(f'{n}: walk levels {levels} do not step down by one')
                    if walk[-1]['slpte'] != u['slpte'] or walk[-1]['level'] != u['level']:
                        err(f'{n}: walk ends in slpte {walk[-1]["slpte"]:#x} level '
                            f'{walk[-1]["level"]}, update says {u["slpte"]:#x} level {u["level"]}')
                    counts['walk_steps'] += len(walk)
                fetches = []
                pending.append(('update', n, u, u['level']))
                continue
            if name == 'vtd_iotlb_page_hit':
                counts['page_hit'] += 1
                h = fields(rest)
                pending.append(('hit', n, h, mask_level(h['pmask'])))
                continue
            if name == 'vtd_sk_translate':
                counts['sk_translate'] += 1
                t = fields(rest)
                text_translations[(t['sid'], t['domain'], t['iova'], t['addr'],
                                   t['level'], t['via'])] += 1
                match = None
                for i, p in enumerate(pending):
                    if p[2]['sid'] == t['sid'] and p[2]['iova'] == t['iova']:
                        match = pending.pop(i)
                        break
                if match is None:
                    err(f'{n}: vtd_sk_translate iova {t["iova"]:#x} with no hit or update before it')
                    continue
                kind, m_line, e, level = match
                want = (e['slpte'] & ADDR_BITS & level_mask(level)) | \
                       (e['iova'] & ~level_mask(level))
                if t['domain'] != e['domain'] or t['level'] != level:
                    err(f'{n}: domain/level {t["domain"]:#x}/{t["level"]} differ from line {m_line}')
                if (kind == 'hit') != (t['via'] == 1) or t['via'] not in (1, 2, 3):
                    err(f'{n}: via {t["via"]} for a page {kind} (line {m_line})')
                if t['addr'] != want:
                    err(f'{n}: address {t["addr"]:#x}, the slpte of line {m_line} gives {want:#x}')
                continue
            if name == 'vtd_sk_inv':
                counts['sk_inv'] += 1
            elif name == 'vtd_sk_fault':
                counts['sk_fault'] += 1
            elif name.startswith('vtd_iotlb_cc_'):
                counts['cc'] += 1
    counts['unmatched'] = len(pending)
    if pending:
        err(f'{len(pending)} hits or updates never got their vtd_sk_translate')

    bin_translations = collections.Counter()
    kinds = collections.Counter()
    with open(bin_path, 'rb') as f:
        data = f.read()
    if data[:8] != b'SIOKVTD\0':
        err('binary log: no SIOKVTD magic')
        data = b''
    hsize = struct.unpack_from('<I', data, 16)[0] if data else 0
    for off in range(hsize, len(data) - 31, 32):
        t, a, b, sid, did, info = struct.unpack_from('<QQQHHI', data, off)
        kind = info & 15
        kinds[kind] += 1
        if kind == 1:
            bin_translations[(sid, did, a, b, (info >> 4) & 7, (info >> 10) & 3)] += 1
    if data and (len(data) - hsize) % 32:
        err('binary log: a partial last record')
    counts['bin_translate'] = kinds[1]
    counts['bin_invalidate'] = kinds[2]
    counts['bin_fault'] = kinds[3]
    if bin_translations != text_translations:
        diff = (bin_translations - text_translations) + (text_translations - bin_translations)
        err(f'binary and text translations differ in {sum(diff.values())} records')
    if kinds[2] != counts['sk_inv']:
        err(f'{kinds[2]} invalidations in the binary log, {counts["sk_inv"]} vtd_sk_inv lines')
    per_dev = collections.Counter()
    for (sid, did, *_), c in bin_translations.items():
        per_dev[f'{sid:#x}/{did:#x}'] += c
    print(json.dumps({'counts': counts, 'devices': per_dev, 'errors': errors}))


if __name__ == '__main__':
    main()
