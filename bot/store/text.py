"""What a record keeps of a user's text: NFKC-normalised, without invisible formatting characters and without
floods of combining marks.

Staff read these records in the console and copy from them. A right-to-left override (U+202E) can make
"txt.exe" read as "exe.txt", zero-width characters hide words from a search, and hundreds of stacked combining
marks ("Zalgo" text) spill over the lines above and below. None of these carry meaning in a question about
intellectual property, so they are removed before storage; NFKC also folds full-width letters and digits
(ＡＢＣ１２３ → ABC123) so the same words look and search the same.
"""

from __future__ import annotations

import unicodedata

MAX_MARKS = 2  # combining marks kept after one base character (enough for any real accent, e.g. ệ)


def clean_for_storage(text: str) -> str:
    out: list[str] = []
    marks = 0
    for ch in unicodedata.normalize("NFKD", text):  # marks counted decomposed; NFC at the end makes it NFKC
        category = unicodedata.category(ch)
        if category == "Cf" or (category == "Cc" and ch not in "\n\t"):
            continue  # bidi controls, zero-width (non-)joiners and spaces, BOM, soft hyphen; control characters
        if category in ("Mn", "Me"):
            marks += 1
            if marks > MAX_MARKS:
                continue
        else:
            marks = 0
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out)).strip()


def as_written(text: str) -> str:
    """Text we or an operator wrote, kept as written (NFKC would turn Chinese punctuation into ASCII) but without
    control or invisible formatting characters."""
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf")).strip()
