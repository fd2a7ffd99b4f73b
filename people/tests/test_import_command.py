"""`manage.py import_people`: exit codes 0/1/2, the JSON report, --dry-run, --skip-invalid, --update, --user."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.testing import create_user
from people.importers import NUMERIC_ID
from people.lookups import registered_elsewhere
from people.models import Person

from .test_importer import ledger, make_id, person


def run(*args):
    """(exit status, stdout, stderr) of the command."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_people", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return exc.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


@pytest.fixture
def good(tmp_path):
    path = tmp_path / "花名册.xlsx"
    path.write_bytes(ledger([person(身份证号=make_id(seq=123)), person("李四", 身份证号=make_id(seq=125))]))
    return path


@pytest.fixture
def bad(tmp_path):
    path = tmp_path / "有错.xlsx"
    path.write_bytes(ledger([person(身份证号=make_id(seq=123)), person("李四", 身份证号=330998197503141230)]))
    return path


def test_a_clean_file_exits_0_and_writes_the_report(org, good, tmp_path):
    report = tmp_path / "report.json"
    status, out, _ = run(str(good), "--unit", org.town1.division_code, "--report", str(report))
    assert status == 0
    assert "新增 2" in out
    assert json.loads(report.read_text(encoding="utf-8")) == {
        "data_rows": 2, "valid_rows": 2, "created": 2, "updated": 0, "unchanged": 0, "errors": [],
    }
    created = Person.objects.get(name="张三")
    assert created.owner_unit == org.town1 and created.created_by is None
    assert created.history.get().history_change_reason == "Excel导入：花名册.xlsx"
    # The same file again creates nothing.
    status, _, _ = run(str(good), "--unit", str(org.town1.pk), "--report", str(report))
    assert status == 0
    assert json.loads(report.read_text(encoding="utf-8"))["unchanged"] == 2
    assert Person.objects.count() == 2


def test_invalid_rows_exit_1_and_nothing_is_written(org, bad, tmp_path):
    report = tmp_path / "report.json"
    status, out, err = run(str(bad), "--unit", org.town1.division_code, "--report", str(report))
    assert status == 1
    assert Person.objects.count() == 0
    assert "第4行“身份证号”列" in err and "未写入任何数据" in out
    assert json.loads(report.read_text(encoding="utf-8")) == {
        "data_rows": 2, "valid_rows": 1, "created": 0, "updated": 0, "unchanged": 0,
        "errors": [{"row": 4, "column": "身份证号", "message": NUMERIC_ID}],
    }


def test_skip_invalid_imports_the_valid_rows_and_still_exits_1(org, bad):
    status, _, _ = run(str(bad), "--unit", org.town1.division_code, "--skip-invalid")
    assert status == 1
    assert list(Person.objects.values_list("name", flat=True)) == ["张三"]


def test_dry_run_writes_nothing(org, good, tmp_path):
    report = tmp_path / "report.json"
    status, out, _ = run(str(good), "--unit", org.town1.division_code, "--dry-run", "--report", str(report))
    assert status == 0 and "仅检查" in out
    assert json.loads(report.read_text(encoding="utf-8"))["created"] == 2
    assert Person.objects.count() == 0


def test_update_policy(org, good):
    Person.objects.create(name="张三", id_number=make_id(seq=123), owner_unit=org.village1, workplace="旧")
    path = good.with_name("更新.xlsx")
    path.write_bytes(ledger([person(身份证号=make_id(seq=123), 工作单位及职务="新单位")]))
    assert run(str(path), "--unit", org.town1.division_code, "--update", "fill")[0] == 0
    assert Person.objects.get(name="张三").workplace == "旧"
    assert run(str(path), "--unit", org.town1.division_code, "--update", "overwrite")[0] == 0
    assert Person.objects.get(name="张三").workplace == "新单位"


@pytest.mark.parametrize("content", [b"not an excel file", b"", b"PK\x03\x04broken"])
def test_an_unreadable_file_exits_2(org, tmp_path, content):
    path = tmp_path / "坏文件.xlsx"
    path.write_bytes(content)
    report = tmp_path / "report.json"
    status, _, err = run(str(path), "--unit", org.town1.division_code, "--report", str(report))
    assert status == 2 and err.strip()
    assert json.loads(report.read_text(encoding="utf-8"))["errors"][0]["row"] == 0


def test_a_missing_file_exits_2(org, tmp_path):
    assert run(str(tmp_path / "none.xlsx"), "--unit", org.town1.division_code)[0] == 2


def test_wrong_unit_or_user_is_a_usage_error(org, good):
    with pytest.raises(CommandError) as error:
        run(str(good), "--unit", "999999")
    assert error.value.returncode == 2
    with pytest.raises(CommandError) as error:
        run(str(good), "--unit", org.town1.division_code, "--user", "nobody")
    assert error.value.returncode == 2


def test_user_scope_applies(org, good, tmp_path):
    create_user("town02", org.town2, "town_officer")
    create_user("town01", org.town1, "town_officer")
    with pytest.raises(CommandError, match="没有向“东溪镇”导入") as error:
        run(str(good), "--unit", org.town1.division_code, "--user", "town02")
    assert error.value.returncode == 2
    Person.objects.create(name="秘密人", id_number=make_id(seq=123), owner_unit=org.village1)
    report = tmp_path / "report.json"
    status, _, err = run(str(good), "--unit", org.town2.division_code, "--user", "town02", "--report", str(report))
    assert status == 1 and "秘密人" not in err
    assert json.loads(report.read_text(encoding="utf-8"))["errors"] == [
        {"row": 3, "column": "身份证号", "message": registered_elsewhere("东溪村")}]
    assert run(str(good), "--unit", org.town1.division_code, "--user", "town01", "--skip-invalid")[0] == 0
    assert Person.objects.get(name="李四").created_by.username == "town01"


def test_the_summary_never_suggests_skip_invalid_once_given(org, tmp_path):
    path = tmp_path / "全错.xlsx"
    path.write_bytes(ledger([person(身份证号=330998197503141230)]))
    status, out, _ = run(str(path), "--unit", org.town1.division_code)
    assert status == 1 and "可用 --skip-invalid 只导入无误的行" in out
    status, out, _ = run(str(path), "--unit", org.town1.division_code, "--skip-invalid")
    assert status == 1 and "--skip-invalid" not in out and "没有无误的行" in out
    assert Person.objects.count() == 0

