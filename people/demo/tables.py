"""Statistics of the demo ledger (people.demo): how often each category occurs, what goes with it, who keeps
whom, the profile (age, sex, education) of each main category. The word lists are in people/demo_data.py."""

import datetime
from dataclasses import dataclass

from ..choices import Affiliation, Education

AS_OF = datetime.date(2025, 6, 30)  # status changes are dated up to here, whatever the day of loading

# Statutory category codes (people.choices.STATUTORY_CATEGORIES)
DP, NP, INT, ETH, REL, PRIV, NSC, OS, HK, MO, TW, QIAO = (f"{i:02d}" for i in range(1, 13))

# How often each category is a person's main one (percent, roughly).
PRIMARY_WEIGHTS = {DP: 7, NP: 3, INT: 22, ETH: 3.5, REL: 1.2, PRIV: 25.5, NSC: 25, OS: 3.5,
                   HK: 0.5, MO: 0.2, TW: 0.6, QIAO: 8.5}
# Further categories a person of a main category often has as well (probability each).
EXTRA_CATEGORIES = {
    DP: [(INT, 0.40), (PRIV, 0.08), (NSC, 0.05), (OS, 0.05), (QIAO, 0.04)],
    NP: [(INT, 0.50), (OS, 0.05)],
    INT: [(OS, 0.08), (QIAO, 0.04), (NSC, 0.02)],
    ETH: [(PRIV, 0.10), (NSC, 0.10), (INT, 0.08)],
    REL: [],
    PRIV: [(QIAO, 0.10), (HK, 0.015), (TW, 0.01), (NSC, 0.03)],
    NSC: [(OS, 0.06), (INT, 0.05), (QIAO, 0.04)],
    OS: [(INT, 0.40), (NSC, 0.15)],
    HK: [(PRIV, 0.25), (QIAO, 0.05)],
    MO: [(PRIV, 0.25)],
    TW: [(PRIV, 0.15)],
    QIAO: [(PRIV, 0.15), (NSC, 0.05)],
}
# Share of a main category whose members also belong to a democratic party (so also 民主党派成员).
PARTY_MEMBERS = {PRIV: 0.05, INT: 0.12, NSC: 0.03, OS: 0.10}
MINORITY_EXTRA = 0.01  # people of other main categories who are also of an ethnic minority

PARTIES = {  # by sector: entrepreneurs join 民建 first, doctors 农工党, teachers 民进 …
    "default": [(Affiliation.RCCK, 10), (Affiliation.CDL, 20), (Affiliation.CNDCA, 12), (Affiliation.CAPD, 20),
                (Affiliation.CPWDP, 16), (Affiliation.CZGP, 8), (Affiliation.JIUSAN, 13), (Affiliation.TDSGL, 1)],
    PRIV: [(Affiliation.CNDCA, 60), (Affiliation.CZGP, 12), (Affiliation.RCCK, 8), (Affiliation.CDL, 5),
           (Affiliation.CAPD, 5), (Affiliation.CPWDP, 5), (Affiliation.JIUSAN, 5)],
    OS: [(Affiliation.JIUSAN, 25), (Affiliation.CZGP, 25), (Affiliation.CDL, 20), (Affiliation.CAPD, 10),
         (Affiliation.CPWDP, 10), (Affiliation.RCCK, 10)],
}
PARTY_SECTOR = {  # where members of each party work when 民主党派成员 is their main category
    Affiliation.RCCK: ["biz", "edu", "public"], Affiliation.CDL: ["edu", "edu", "culture", "public"],
    Affiliation.CNDCA: ["biz", "biz", "biz", "mid"], Affiliation.CAPD: ["edu", "edu", "edu", "culture"],
    Affiliation.CPWDP: ["med", "med", "med", "public"], Affiliation.CZGP: ["biz", "biz", "mid", "med"],
    Affiliation.JIUSAN: ["tech", "edu", "med", "public"], Affiliation.TDSGL: ["edu", "biz"],
}
PARTY_ORGS = {  # the party's county organisation (member unit short names in org/demo.py)
    Affiliation.RCCK: "民革县支部", Affiliation.CDL: "民盟县委", Affiliation.CNDCA: "民建县总支",
    Affiliation.CAPD: "民进县委", Affiliation.CPWDP: "农工党县总支", Affiliation.CZGP: "致公党县支部",
    Affiliation.JIUSAN: "九三学社县支社",
}
COUNTY_KEEPERS = {  # member units that keep 县管 people of a main category
    NP: ["县知联会"], INT: ["县教育局", "县卫健局", "县知联会", "县科协"], ETH: ["县民宗局"], REL: ["县民宗局"],
    PRIV: ["县工商联"], NSC: ["县新联会", "县委社会工作部"], OS: ["县欧美同学会"], HK: ["县海联会"],
    MO: ["县海联会"], TW: ["县委台办"], QIAO: ["县侨联", "县外办"],
}

# Profile of each main category: birth-year mean and spread, share of men, education weights
# (postgraduate, bachelor, college, secondary, junior).
@dataclass(frozen=True)
class Profile:
    born: int
    spread: int
    male: float
    education: tuple


PROFILES = {
    DP: Profile(1971, 11, 0.55, (12, 55, 20, 10, 3)), NP: Profile(1968, 10, 0.60, (15, 60, 15, 8, 2)),
    INT: Profile(1976, 10, 0.48, (15, 65, 17, 3, 0)), ETH: Profile(1978, 12, 0.50, (2, 15, 20, 33, 30)),
    REL: Profile(1966, 12, 0.68, (2, 10, 20, 38, 30)), PRIV: Profile(1971, 10, 0.76, (3, 22, 30, 30, 15)),
    NSC: Profile(1983, 9, 0.56, (6, 50, 30, 12, 2)), OS: Profile(1985, 8, 0.52, (60, 38, 2, 0, 0)),
    HK: Profile(1964, 12, 0.58, (5, 30, 25, 25, 15)), MO: Profile(1964, 12, 0.58, (5, 30, 25, 25, 15)),
    TW: Profile(1962, 12, 0.55, (5, 30, 25, 25, 15)), QIAO: Profile(1968, 13, 0.52, (3, 20, 25, 30, 22)),
}
EDUCATIONS = (Education.POSTGRADUATE, Education.BACHELOR, Education.COLLEGE, Education.SECONDARY,
              Education.JUNIOR)
ENTERPRISE_FIELDS = [("农业", "农业"), ("茶业", "农业"), ("纺织", "纺织服装"), ("电子", "电子信息"),
                     ("材料", "新材料")]
MINORITY_NATIVE = {"16": "湖南", "06": "贵州", "09": "贵州", "12": "贵州", "08": "广西", "03": "宁夏",
                   "11": "辽宁", "07": "四川", "10": "吉林", "02": "内蒙古", "13": "广西", "14": "云南"}

# Current county 人大/政协 term and the one before it.
TERMS = [(datetime.date(2021, 12, 28), datetime.date(2026, 12, 31)),
         (datetime.date(2016, 12, 26), datetime.date(2021, 12, 27))]
