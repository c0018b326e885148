"""Reading a watchers CSV: good rows become registrations, each bad row is reported with its column and reason."""

from __future__ import annotations

import pytest

from services.patrol.domain.csv_import import decode, parse_watchers_csv
from services.patrol.domain.csv_sample import sample_watchers_csv
from services.patrol.domain.watcher_errors import InvalidInput
from services.patrol.domain.watchers import normalise_phone
from shared.reference import ReferenceBundle

BUNDLE = ReferenceBundle.load()
CODES = [organisation.code for organisation in BUNDLE.organisations]
NAMES = {**{o.name_zh: o.code for o in BUNDLE.organisations}, **{code: code for code in CODES}}


def _rejects(parsed):
    return [(r.row, r.field, r.reason) for r in parsed.rejects]


def test_the_sample_file_of_1396_rows_is_read_with_exactly_its_deliberate_rejects():
    text, expected = sample_watchers_csv(CODES)
    parsed = parse_watchers_csv(text, NAMES)
    assert parsed.data_rows == 1396
    assert _rejects(parsed) == [(e.row, e.field, e.reason) for e in expected]
    assert len(parsed.rows) == 1396 - len(expected)
    assert {row.row for row in parsed.rows}.isdisjoint(parsed.rejected_rows)


def test_a_row_can_be_wrong_in_several_columns_at_once():
    text = "display_name,phone,community,armband_issued_on\n,12345,NOWHERE,yesterday\n"
    parsed = parse_watchers_csv(text, NAMES)
    assert _rejects(parsed) == [
        (2, "display_name", "missing"),
        (2, "phone", "bad_phone"),
        (2, "community", "unknown_community"),
        (2, "armband_issued_on", "bad_date"),
    ]
    assert parsed.rows == []


def test_chinese_headers_community_names_and_phone_formats_are_understood():
    text = "\ufeff姓名,手机号,社区,pairing_role,pairing_name\n老马,+86 138-1234-5678,团结社区,辅警,李警官\n"
    parsed = parse_watchers_csv(decode(text.encode("utf-8")), NAMES)
    [row] = parsed.rows
    assert (row.fields.display_name, row.fields.phone, row.fields.community_code) == (
        "老马",
        "13812345678",
        "WG-TJ",
    )
    assert row.fields.pairings[0].role == "auxiliary_police"


def test_phones_already_registered_are_rejected_with_the_watcher_they_belong_to():
    text = "display_name,phone,community\n老马,13812345678,WG-TJ\n王姐,13912345678,WG-TJ\n"
    parsed = parse_watchers_csv(text, NAMES)
    parsed.reject_registered({"13912345678": "w-0007"})
    assert [row.row for row in parsed.rows] == [2]
    assert _rejects(parsed) == [(3, "phone", "already_registered")]
    assert "w-0007" in parsed.rejects[0].message


def test_blank_lines_are_skipped_and_row_numbers_stay_those_of_the_file():
    text = "display_name,phone,community\n\n老马,1381234567,WG-TJ\n"
    parsed = parse_watchers_csv(text, NAMES)
    assert parsed.data_rows == 1
    assert _rejects(parsed) == [(3, "phone", "bad_phone")]


def test_a_header_without_a_required_column_names_it():
    with pytest.raises(InvalidInput) as refused:
        parse_watchers_csv("display_name,community\n老马,WG-TJ\n", NAMES)
    assert refused.value.field == "file" and "phone" in refused.value.message


SHEET = "姓名,手机号,社区\n老马,13812345678,团结社区\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_a_sheet_saved_by_excel_or_wps_in_any_of_their_encodings_is_read(encoding):
    assert decode(SHEET.encode(encoding)) == SHEET
    parsed = parse_watchers_csv(decode(SHEET.encode(encoding)), NAMES)
    assert [row.fields.display_name for row in parsed.rows] == ["老马"]


def test_excels_unicode_text_separated_by_tabs_is_read():
    parsed = parse_watchers_csv(decode(SHEET.replace(",", "\t").encode("utf-16")), NAMES)
    assert [(row.fields.display_name, row.fields.phone) for row in parsed.rows] == [("老马", "13812345678")]


@pytest.mark.parametrize(
    "content",
    [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "姓名\x00,手机号\n".encode(), b"\xff\xfe\xfd\x80\x81"],
)
def test_a_file_that_is_not_text_is_refused_naming_the_file(content):
    with pytest.raises(InvalidInput) as refused:
        decode(content)
    assert refused.value.field == "file"


@pytest.mark.parametrize("raw", ["13812345678", "+8613812345678", "0086 138 1234 5678", "138-1234-5678"])
def test_mainland_mobile_numbers_are_normalised_to_eleven_digits(raw):
    assert normalise_phone(raw) == "13812345678"


@pytest.mark.parametrize("raw", ["1381234567", "12812345678", "024-2345-6789", "+1 415 555 0100", "phone"])
def test_numbers_that_are_not_mainland_mobiles_are_refused(raw):
    with pytest.raises(ValueError):
        normalise_phone(raw)


def test_a_nul_character_in_a_cell_rejects_its_row_naming_the_column():
    text = f"display_name,phone,community\n老\x00马,13800138000,{CODES[0]}\n王芳,13900139000,{CODES[0]}\n"
    parsed = parse_watchers_csv(text, NAMES)
    assert _rejects(parsed) == [(2, "display_name", "bad_value")]
    assert [row.row for row in parsed.rows] == [3]


def test_a_field_beyond_the_csv_limit_is_a_file_error_not_a_crash():
    text = f'display_name,phone,community\n"{"长" * 131_073}",13800138000,{CODES[0]}\n'
    with pytest.raises(InvalidInput) as refused:
        parse_watchers_csv(text, NAMES)
    assert refused.value.field == "file"
    assert "row 2" in refused.value.message
