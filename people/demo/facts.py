"""The facts of one planned person (categories, party, birth, ID number, name, education, tier, keeper, status
…): a mixin of people.demo.generator.Generator, whose samplers (`draw_*`), `rng` and `places` it uses."""

import datetime

from core.demo import weighted_pick

from .. import demo_data as words
from ..choices import Affiliation, Degree, Education, Gender, Status, Tier
from ..identity import check_digit
from .tables import (
    AS_OF,
    COUNTY_KEEPERS,
    DP,
    ETH,
    EXTRA_CATEGORIES,
    HK,
    INT,
    MINORITY_EXTRA,
    MINORITY_NATIVE,
    MO,
    NP,
    NSC,
    OS,
    PARTY_MEMBERS,
    PARTY_ORGS,
    PRIV,
    QIAO,
    REL,
    TW,
)


class PersonFacts:
    """What a person is, drawn attribute by attribute in the order Generator.person() asks."""

    def categories(self, primary):
        rng = self.rng
        codes = [primary]
        if primary in PARTY_MEMBERS and rng.random() < PARTY_MEMBERS[primary]:
            codes.append(DP)
        for code, chance in EXTRA_CATEGORIES[primary]:
            if len(codes) < 3 and code not in codes and rng.random() < chance:
                codes.append(code)
        if len(codes) < 3 and ETH not in codes and rng.random() < MINORITY_EXTRA:
            codes.append(ETH)
        return codes

    def affiliation(self, primary, codes):
        rng = self.rng
        if DP in codes:
            return self.draw_parties.get(primary, self.draw_parties["default"])(rng)
        if NP in codes:
            return Affiliation.NON_PARTY
        if REL in codes or INT in codes or OS in codes:  # 党外 by definition
            return Affiliation.MASSES
        chance = {PRIV: 0.25, NSC: 0.15, ETH: 0.20}.get(primary, 0.08)
        return Affiliation.CPC if rng.random() < chance else Affiliation.MASSES

    def birth(self, profile):
        rng = self.rng
        year = min(2000, max(1940, round(rng.gauss(profile.born, profile.spread))))
        start = datetime.date(year, 1, 1).toordinal()
        return datetime.date.fromordinal(start + rng.randrange(366 if year % 4 == 0 else 365))

    def area(self, codes, ethnicity):
        rng = self.rng
        r = rng.random()
        if ethnicity == "22" and r < 0.35:
            return words.JINGNING
        if QIAO in codes and r < 0.45:
            return words.QINGTIAN if r < 0.3 else ("330302", "浙江温州")
        if r < 0.82:
            native = self.county_native
        else:
            return rng.choice(words.ZHEJIANG_AREAS)
        if ethnicity in MINORITY_NATIVE and rng.random() < 0.7:
            native = MINORITY_NATIVE[ethnicity]
        return self.county_code, native

    def id_number(self, area, birth, gender):
        """A fictional 18-digit number with a valid GB 11643 check digit, unique in the plan."""
        rng = self.rng
        digits = "13579" if gender == Gender.MALE else "02468"
        while True:
            first17 = f"{area}{birth:%Y%m%d}{rng.randrange(100):02d}{rng.choice(digits)}"
            number = first17 + check_digit(first17)
            if number not in self.taken_ids:
                self.taken_ids.add(number)
                return number

    def phone(self):
        rng = self.rng
        while True:
            number = rng.choice(words.MOBILE_PREFIXES) + f"{rng.randrange(10 ** 8):08d}"
            if number not in self.taken_phones:
                self.taken_phones.add(number)
                return number

    def name(self, gender, year, ethnicity):
        rng = self.rng
        surname = rng.choice(words.SHE_SURNAMES) if ethnicity == "22" and rng.random() < 0.8 \
            else self.draw_surname(rng)
        era = 0 if year < 1960 else 1 if year < 1980 else 2
        if rng.random() < 0.25:  # names of the neighbouring generation
            era = max(0, min(2, era + rng.choice((-1, 1))))
        pool = words.GIVEN[(gender, era)]
        if rng.random() < (0.72 if era < 2 else 0.88):
            first = rng.choice(pool)
            second = first if era == 2 and gender == Gender.FEMALE and rng.random() < 0.05 else rng.choice(pool)
            return surname + first + second
        return surname + rng.choice(pool)

    def education(self, primary, codes, birth):
        education = self.draw_education[primary](self.rng)
        if (INT in codes or OS in codes) and education in (Education.SECONDARY, Education.JUNIOR):
            education = Education.COLLEGE if INT in codes else Education.BACHELOR
        if education == Education.POSTGRADUATE and birth.year > AS_OF.year - 24:
            education = Education.BACHELOR
        return education

    def degree(self, education, birth):
        rng = self.rng
        if education == Education.POSTGRADUATE:
            doctor = birth.year <= AS_OF.year - 28 and rng.random() < 0.15
            return Degree.DOCTOR if doctor else Degree.MASTER
        if education == Education.BACHELOR:
            return Degree.BACHELOR if rng.random() < 0.9 else Degree.NONE
        return ""

    def joined(self, affiliation, birth):
        """The date of joining a party: at 22–45 for the CPC and democratic parties, 14–18 for the CYL."""
        if affiliation in (Affiliation.MASSES, Affiliation.NON_PARTY, ""):
            return None
        rng = self.rng
        low, high = (14, 18) if affiliation == Affiliation.CYL else (22, 45)
        year = birth.year + rng.randint(low, high)
        if year > AS_OF.year:
            year = AS_OF.year - rng.randint(0, 2)
        return datetime.date(max(year, birth.year + low), rng.randint(1, 12), rng.randint(1, 28))

    def tier(self, primary):
        county = {DP: 0.18, NP: 0.25, REL: 0.12, PRIV: 0.09}.get(primary, 0.045)
        r = self.rng.random()
        return Tier.COUNTY if r < county else Tier.TOWN if r < county + 0.30 else Tier.VILLAGE

    def owner(self, tier, primary, affiliation, town, village, unit):
        rng = self.rng
        members = self.places.members
        if tier == Tier.VILLAGE:
            return village or town
        if tier == Tier.TOWN:
            return town if village is None or rng.random() < 0.65 else village
        if unit is not None and rng.random() < 0.6:
            return unit
        if rng.random() < 0.35:
            return self.places.county
        keepers = [PARTY_ORGS[affiliation]] if primary == DP and affiliation in PARTY_ORGS \
            else COUNTY_KEEPERS.get(primary, [])
        keepers = [members[k] for k in keepers if k in members]
        return rng.choice(keepers) if keepers else self.places.county

    def status(self, primary, affiliation, birth):
        """(status, date, reason, affiliation, affiliation date): most are 在册; the rest left with a reason."""
        rng = self.rng
        age = AS_OF.year - birth.year
        dead = 0.004 + (0.10 if age >= 80 else 0.04 if age >= 70 else 0.01 if age >= 60 else 0)
        r = rng.random()
        if r < dead:
            status = Status.DECEASED
        elif r < dead + 0.03:
            status = Status.TRANSFERRED_OUT
        elif r < dead + 0.055:
            status = Status.EXITED
        else:
            return Status.ACTIVE, None, "", affiliation, None
        start = datetime.date(2018, 1, 1).toordinal()
        date = datetime.date.fromordinal(rng.randint(start, AS_OF.toordinal()))
        if status == Status.EXITED and primary == INT and affiliation == Affiliation.MASSES and rng.random() < 0.3:
            # A 党外知识分子 who joined the CPC is no longer 党外: the record leaves the ledger.
            return status, date, words.STATUS_REASONS["exited_masses"][0], Affiliation.CPC_PROBATIONARY, date
        return status, date, rng.choice(words.STATUS_REASONS[status]), affiliation, None

    def address(self, town, village):
        place = village.name if village is not None else ""
        return f"{self.places.county.name}{town.name}{place}{self.rng.randint(1, 260)}号"

    def notes(self, codes):
        rng = self.rng
        if QIAO in codes:
            kind = weighted_pick(rng, [("侨眷", 75), ("归侨", 15), ("华侨", 10)])
            country = self.draw_overseas(rng)
            return {"侨眷": f"侨眷，亲属侨居{country}", "归侨": f"归侨，曾侨居{country}",
                    "华侨": f"华侨，侨居{country}"}[kind]
        if OS in codes:
            return f"曾留学{rng.choice(words.STUDY_COUNTRIES)}"
        if TW in codes:
            return "台属" if rng.random() < 0.85 else "台胞"
        if HK in codes:
            return "香港居民" if rng.random() < 0.5 else ""
        if MO in codes:
            return "澳门居民" if rng.random() < 0.5 else ""
        return ""
