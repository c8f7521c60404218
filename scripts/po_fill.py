"""Fill empty English translations from 'Chinese<TAB>English' lines on stdin.

Usage: .venv/bin/python scripts/po_fill.py < terms.tsv   (then `make translations`)
"""
import sys

from babel.messages.pofile import read_po, write_po

PO = "translations/en/LC_MESSAGES/messages.po"


def main() -> None:
    terms = dict(line.rstrip("\n").split("\t", 1) for line in sys.stdin if "\t" in line)
    with open(PO, "rb") as f:
        catalog = read_po(f)
    filled = 0
    for message in catalog:
        if message.id and not message.string and message.id in terms:
            message.string = terms[message.id]
            filled += 1
    with open(PO, "wb") as f:
        write_po(f, catalog, width=120, omit_header=False)
    missing = [m.id for m in catalog if m.id and not m.string]
    print(f"filled {filled}; still untranslated {len(missing)}")
    for m in missing:
        print("  ", m)


if __name__ == "__main__":
    main()
