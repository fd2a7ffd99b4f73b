"""The ledger's columns (core.importing.columns), in the order of the import template; the export writes the
same order so that an exported file imports again unchanged. Each column: its header, the spellings real ledgers
use for it, whether an import needs it, whether exports and the template write it as text (ID numbers, phones).

The phone column is 联系电话: a mobile number or a landline with its area code. A file heading it 手机 or 手机号码
says it holds mobile numbers: such a column takes nothing else (a landline goes in a 电话 or 固定电话 column)."""

from core.importing.columns import Column, Columns

LEDGER_COLUMNS = [
    Column("序号", ("编号",), serial=True),
    Column("姓名", ("姓 名", "名字"), required=True),
    Column("性别"),
    Column("民族"),
    Column("出生年月", ("出生日期", "出生年月日", "生日")),
    Column("身份证号", ("公民身份号码", "身份证号码", "身份证", "身份证件号码"), text=True),
    Column("政治面貌", ("党派", "党派（政治面貌）")),
    Column("类别", ("人员类别", "统战类别", "统战对象类别", "所属类别")),
    Column("工作单位及职务", ("工作单位", "单位及职务", "工作单位（职务）")),
    Column("职务", ("职务/职称", "职务职称", "职称")),
    Column("学历", ("文化程度", "最高学历")),
    Column("学位"),
    Column("联系电话", ("电话", "联系方式", "固定电话"), text=True,
           mobile_headers=("手机号码", "手机", "手机号", "移动电话")),
    Column("所在村(社区)", ("所在村（社区）", "村（社区）", "村(社区)", "所在村社", "村社", "所在单位")),
    Column("管理层级", ("层级", "分级管理")),
    Column("是否代表人士", ("代表人士", "是否党外代表人士")),
    Column("籍贯"),
    Column("住址", ("家庭住址", "现住址", "地址")),
    Column("所在领域", ("领域",)),
    Column("加入时间", ("入党（派）时间", "加入党派时间", "参加党派时间")),
    Column("标签"),
    Column("备注", ("说明",)),
]

COLUMNS = Columns(LEDGER_COLUMNS)
HEADERS = COLUMNS.headers
SYNONYMS = COLUMNS.synonyms
REQUIRED = COLUMNS.required
TEXT_HEADERS = tuple(c.header for c in LEDGER_COLUMNS if c.text)
