"""ZK punches from the device's attlog.dat and from the vendor software's CSV export."""

from __future__ import annotations

import pytest

from connectors.files.column_maps import HeaderError
from connectors.files.zk_attlog import read_attlog, read_punch_export


def _write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_pins_keep_their_leading_zeros(tmp_path):
    path = _write(tmp_path, "CDQ9192960002_attlog.dat", b"00012\t2026-03-02 09:07:00\t1\t0\t0\t0\r\n")

    rows = read_attlog(path).rows

    assert rows.iloc[0].to_dict() == {
        "device_sn": "CDQ9192960002",
        "pin": "00012",
        "punch_time_local": "2026-03-02 09:07:00",
        "verify_type": "1",
        "punch_state": "0",
        "work_code": "0",
        "_source_ref": "CDQ9192960002_attlog.dat:1",
    }


@pytest.mark.trust("bad input", "files: ZKTeco attlog")
def test_a_cut_last_line_is_quarantined_not_a_crash(tmp_path):
    data = (
        b"00012\t2026-03-02 09:07:00\t1\t0\t0\t0\r\n"
        b"00012\t2026-03-02 18:02:00\t1\t1\t0\t0\r\n"
        b"00345\t2026-03-02 21:55:10\t15\t0\t0\t0\r\n"
        b"00345\t2026-03-03 06:0"
    )
    path = _write(tmp_path, "ZK01_attlog.dat", data)

    result = read_attlog(path)

    assert len(result.rows) + len(result.quarantine) == 4
    assert len(result.rows) == 3
    bad = result.quarantine.iloc[0]
    assert bad["source_ref"] == "ZK01_attlog.dat:4"
    assert "got 2" in bad["reason"] and "cut mid-write" in bad["reason"]
    assert "2026-03-03 06:0" in bad["payload"]


@pytest.mark.trust("bad input", "files: ZKTeco attlog")
def test_rows_with_impossible_values_are_quarantined_with_the_reason(tmp_path):
    data = (
        b"00012\t2026-03-02 09:07:00\t1\t0\t0\t0\n"
        b"00012\t2026-02-30 09:07:00\t1\t0\t0\t0\n"
        b"00012\t2026-03-02 18:02:00\t1\t9\t0\t0\n"
        b"\t2026-03-02 18:02:00\t1\t1\t0\t0\n"
    )
    result = read_attlog(_write(tmp_path, "ZK01_attlog.dat", data))

    assert result.rows["_source_ref"].tolist() == ["ZK01_attlog.dat:1"]
    reasons = dict(zip(result.quarantine["source_ref"], result.quarantine["reason"], strict=True))
    assert "punch_time_local" in reasons["ZK01_attlog.dat:2"]
    assert "punch_state" in reasons["ZK01_attlog.dat:3"]
    assert "pin failed not_blank" in reasons["ZK01_attlog.dat:4"]


def test_blank_lines_are_not_rows(tmp_path):
    data = b"00012\t2026-03-02 09:07:00\t1\t0\t0\t0\r\n\r\n00012\t2026-03-02 18:02:00\t1\t1\t0\t0\r\n"

    result = read_attlog(_write(tmp_path, "ZK01_attlog.dat", data))

    assert result.rows["_source_ref"].tolist() == ["ZK01_attlog.dat:1", "ZK01_attlog.dat:3"]
    assert result.quarantine.empty


def test_vendor_export_with_gbk_chinese_headers_and_excel_serials(tmp_path):
    content = (
        "考勤号码,姓名,日期,时间,机器号,出入状态,验证方式\r\n"
        "00012,张伟,46083,0.3798611111,1,上班签到,指纹\r\n"
        "00012,张伟,2026/3/2,18:02,1,下班签退,人脸\r\n"
    )
    path = _write(tmp_path, "attendance_export_march.csv", content.encode("gbk"))

    result = read_punch_export(path)

    assert result.quarantine.empty
    assert result.rows[["pin", "punch_time_local", "device_sn", "punch_state", "verify_type"]].values.tolist() == [
        ["00012", "2026-03-02 09:07:00", "1", "0", "1"],
        ["00012", "2026-03-02 18:02:00", "1", "1", "15"],
    ]


def test_vendor_export_with_a_single_punch_time_column(tmp_path):
    content = "工号,打卡时间,机器号,出入状态\n007,2026-03-02 09:00:05,2,0\n"

    rows = read_punch_export(_write(tmp_path, "attendance_export.csv", content.encode())).rows

    assert rows[["pin", "punch_time_local", "punch_state"]].values.tolist() == [["007", "2026-03-02 09:00:05", "0"]]


@pytest.mark.trust("bad input", "files: ZKTeco attlog")
def test_vendor_export_without_any_punch_time_is_refused(tmp_path):
    content = "考勤号码,日期,机器号,出入状态\n007,2026-03-02,2,0\n"

    with pytest.raises(HeaderError, match="punch_time_local"):
        read_punch_export(_write(tmp_path, "attendance_export.csv", content.encode()))
