"""Short forms and common spellings of given names in Sweden (smeknamn och stavningar).

Each line: the name as registered, then the forms people write for it. The table is read in
both directions: a registered "Karl" is found as "Kalle", a registered "Kalle" as "Karl".
Spelling variants that only differ in letters that sound alike (Mohammed/Muhammad,
Mikael/Michael, Sofia/Sophia) need no line here: names.skeleton finds them.
"""
from __future__ import annotations

_TABLE = """
karl: kalle calle kaj
carl: calle kalle
lars: lasse
mikael: micke mike
michael: micke mike
per: pelle pär
olof: olle
olov: olle
nils: nisse
jan: janne
johan: jocke jojje
joakim: jocke
anders: andy
hans: hasse
bengt: bengan
tomas: tompa tom
thomas: tompa tom
kristoffer: krille stoffe
christoffer: krille stoffe
sebastian: sebbe
jonathan: jonte
jonatan: jonte
hampus: hampe
viktor: vicke
albin: abbe
william: wille liam
vilhelm: ville
wilhelm: ville
emanuel: manne
gabriel: gabbe
samuel: sam sami
benjamin: benji ben
daniel: danne dan
david: dave
theodor: theo teo
leonard: leo
leopold: leo
oskar: ogge
rasmus: rasse
patrik: putte patte
fredrik: fredde
gustav: gurra gusse
gustaf: gurra
alexander: alex acke
aleksander: alex
alexandra: alex sandra
elisabeth: lisa betty lisbeth elsa bettan
elisabet: lisa betty lisbet
kristina: stina kicki tina
christina: stina kicki tina
katarina: kattis kajsa karin
catharina: kattis kajsa
margareta: greta maggan meta
birgitta: britta gittan
charlotte: lotta lotte
charlotta: lotta
susanna: sanna sussie
josefin: jossan josse
josefine: jossan
madeleine: madde
amanda: mandy
rebecka: becka
victoria: vickan vicky
viktoria: vickan vicky
jennifer: jenny
matilda: tilda tilde
mathilda: tilda
helena: lena
magdalena: magda lena
maria: maja mia
marie: mia
ingrid: inga
ann-sofie: annso
anna-karin: annki
mohammed: mo moha hamoudi
muhammad: mo hamoudi
ahmed: ahmad
abdullahi: abdi
abdirahman: abdi
ibrahim: ibbe
mustafa: musse
fatima: fatma
hussein: husse
ismail: isse
zainab: zeinab zaynab
yusuf: jusuf yousef youssef
""".strip()


def variants() -> dict[str, set[str]]:
    """Every name of the table → the other forms of it (both directions)."""
    forms: dict[str, set[str]] = {}
    for line in _TABLE.splitlines():
        name, _, others = line.partition(":")
        group = {name.strip(), *others.split()}
        for member in group:
            forms.setdefault(member, set()).update(group - {member})
    return forms
