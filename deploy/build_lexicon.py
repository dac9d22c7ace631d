"""Builds the Swedish lexicon of the R22 check (services/deidentify, ADR 0022) into one file.

Run by `make bootstrap` when the file is missing; reads three maintained sources, each
installed by the project's own set-up, and writes `.cache/deidentify/lexicon-sv.json.gz`:

- given names and surnames used in Sweden: the `names-dataset` package (PyPI), restricted to
  Sweden and the countries most Swedish families with roots elsewhere come from (ORIGINS);
- the Swedish vocabulary: Debian's `wswedish` word list (/usr/share/dict/swedish) and the
  word forms of Debian's `hunspell-sv-se` dictionary, expanded with `unmunch`
  (`hunspell-tools`); English words (Debian's `wamerican`), which staff mix in.

What the file holds (all lower case):
- `given`, `surnames`: the names the source lists for Sweden, less the words it mistook for
  names ("Hej", "Lärare": NOT_NAMES, checked by hand; and an ordinary word counts as a name
  only if it ranks among Sweden's common names: "Vilja" and "Berg" do, "Inte" does not);
- `common`: ordinary words in both word lists (strict; a lower-case name that is one of these
  is read as the word, R22 rule 3);
- `vocabulary`: every word form of either list (generous; a capitalised word that is one of
  these is an institution or a noun, not an unknown name);
- `proper`: every proper noun the dictionary knows, names or places ("Lund" after "i" is a
  place);
- `places`: proper nouns the dictionary knows that are not names (places, countries,
  institutions); a Swedish surname that is also a place is a name when it is common as a
  surname ("Lund", "Berg") and a place otherwise ("Stockholm", "Malmö").

Loading the names dataset takes about 1 GB and half a minute once; the result is ~6 MB.
"""
from __future__ import annotations

import gzip
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = Path(os.environ.get("DEIDENTIFY_LEXICON", ROOT / ".cache" / "deidentify" / "lexicon-sv.json.gz"))
WORDLIST = Path("/usr/share/dict/swedish")
ENGLISH = Path("/usr/share/dict/american-english")  # Debian's wamerican: English words staff mix in
HUNSPELL = Path("/usr/share/hunspell/sv_SE")


# Words the source lists as names because people wrote them in the name field ("Hej",
# "Lärare"); checked by hand among its Swedish entries that are also ordinary words.
NOT_NAMES = set(
    "familjen hej hejsan fröken fru salong spel restaurang kapten gilla förnamn efternamn namn korv "
    "kungen heja mitt stall använder inget ingen privat kameran kakan farmor farfar mormor morfar "
    "lärare myran loppan ankan husse matte kobra mamma pappa skolan elev eleven hemma".split()
)


# Countries whose names Swedish pupils and guardians carry besides Sweden's own: the Nordic
# countries and the largest countries of birth of Sweden's foreign-born population (SCB).
# The source keeps only each name's ten largest countries, so "Maria" or "Mohammed" have no
# Swedish rank although they are among the most common names in Sweden.
ORIGINS = ("NO", "DK", "FI", "IS", "SY", "IQ", "IR", "SO", "AF", "ER", "ET", "TR", "PL", "BA", "RS",
           "HR", "DE", "GB", "US", "FR", "NL", "LB", "EG", "MA", "PS", "JO", "TH", "IN", "CL", "ES",
           "IT", "PT", "RU", "UA", "RO", "HU", "GR", "MK", "AL", "PK", "BD", "NG", "GH", "KE")
OTHER_RANK = 1500      # a name of an origin country counts if ranked this high there
SURNAME_NOT_PLACE = 1000  # a Swedish surname ranked this high is a name first ("Lund", "Berg")
AMBIGUOUS_RANK = 2500  # a name that is also a word must rank this high in Sweden to count
SWEDISH_TOP = 3000  # names ranked this high in Sweden are names before they are rare words


def _names(kind: str) -> dict[str, int]:
    """Name → its Swedish rank (0 when unranked in Sweden), for the names we keep."""
    import names_dataset

    source = Path(names_dataset.__file__).parent / "v3" / f"{kind}.pkl.gz"
    with gzip.open(source, "rb") as stream:
        everything = pickle.load(stream)  # noqa: S301 - the package's own data file
    kept = {}
    for name, info in everything.items():
        if not name.replace("-", "").isalpha():
            continue
        ranks = info.get("rank") or {}
        swedish = "SE" in ranks or "SE" in (info.get("country") or {})
        if swedish or any((ranks.get(c) or OTHER_RANK + 1) <= OTHER_RANK for c in ORIGINS):
            kept[name] = ranks.get("SE") or 0
    return kept


def _hunspell_forms() -> list[str]:
    out = subprocess.run(
        ["unmunch", f"{HUNSPELL}.dic", f"{HUNSPELL}.aff"], capture_output=True, check=True
    ).stdout
    return [line.strip() for line in out.decode("utf-8", "replace").splitlines() if line.strip()]


def build() -> dict[str, list[str]]:
    wordlist = {w.strip() for w in WORDLIST.read_text(encoding="latin-1").splitlines() if w.strip()}
    forms = set(_hunspell_forms())
    lower_words = {w for w in wordlist | forms if w[:1].islower()}
    english = {w.strip().lower() for w in ENGLISH.read_text(encoding="utf-8", errors="replace").splitlines()
               if w.strip()[:1].islower() and "'" not in w} if ENGLISH.exists() else set()
    common = {w for w in wordlist if w[:1].islower()} & {w for w in forms if w[:1].islower()}
    proper_nouns = {w.lower() for w in wordlist | forms if w[:1].isupper()}

    first = _names("first_names")
    last = _names("last_names")
    ranked = {}
    for name, rank in (*first.items(), *last.items()):
        if rank:
            ranked[name.lower()] = min(rank, ranked.get(name.lower(), rank))

    def names_of(source: dict[str, int]) -> set[str]:
        # A name that is also an ordinary word is kept only if it is common as a name in
        # Sweden ("Vilja", "Saga", "Berg"); else it is the source's noise ("Inte", "Rektor").
        lowered = {name.lower() for name in source} - NOT_NAMES
        return {n for n in lowered if n not in common or 0 < ranked.get(n, 0) <= AMBIGUOUS_RANK}

    given = names_of(first)
    surnames = names_of(last)
    name_first = {name.lower() for name, rank in last.items() if 0 < rank <= SURNAME_NOT_PLACE}
    names = given | surnames
    # The dictionary's proper nouns include names' genitives ("Kalles"): those are names.
    places = {p for p in proper_nouns - given - name_first if not (p.endswith("s") and p[:-1] in names)}
    # A common Swedish name is a name first even where a word list has it in lower case
    # ("kalle", "lindgren"), unless it is an ordinary word in both lists ("vilja", "berg").
    swedish_names = {n.lower() for n, rank in (*first.items(), *last.items())
                     if 0 < rank <= SWEDISH_TOP and len(n) >= 5}  # "max", "per", "bo" stay words
    return {
        "given": sorted(given),
        "surnames": sorted(surnames - places),
        "common": sorted(common),
        "vocabulary": sorted((lower_words | english) - (swedish_names - common)),
        "places": sorted(places),
        "proper": sorted(proper_nouns),
    }


def main() -> int:
    missing = [str(p) for p in (WORDLIST, Path(f"{HUNSPELL}.dic")) if not p.exists()]
    if missing:
        print(f"build_lexicon: missing {', '.join(missing)} (make bootstrap installs them)", file=sys.stderr)
        return 1
    lexicon = build()
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    partial = TARGET.with_suffix(".partial")
    with gzip.open(partial, "wt", encoding="utf-8") as stream:
        json.dump(lexicon, stream, ensure_ascii=False)
    partial.replace(TARGET)
    print("build_lexicon: " + ", ".join(f"{len(v)} {k}" for k, v in lexicon.items()) + f" -> {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
