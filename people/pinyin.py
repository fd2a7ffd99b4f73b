"""Pinyin keys for searching names: typing `zs` or `zhangsan` finds 张三."""

# Surnames whose reading differs from the character's most common one.
SURNAME_READINGS = {"单": "shan", "解": "xie", "曾": "zeng", "仇": "qiu", "区": "ou", "查": "zha", "朴": "piao",
                    "盖": "ge", "尉迟": "yuchi", "万俟": "moqi", "乐": "yue", "缪": "miao", "翟": "zhai"}


def _syllables(name):
    # Imported here: pypinyin's dictionaries take about 55 MB, which processes that never save a name
    # (the task worker, an export) should not pay for.
    from pypinyin import lazy_pinyin

    name = "".join(name.split())
    for surname, reading in SURNAME_READINGS.items():
        if name.startswith(surname):
            rest = lazy_pinyin(name[len(surname):], errors="ignore")
            return [reading, *rest]
    return lazy_pinyin(name, errors="ignore")


def name_pinyin(name):
    return "".join(_syllables(name)).lower()


def name_initials(name):
    return "".join(s[0] for s in _syllables(name) if s).lower()

