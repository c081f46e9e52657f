"""Shared fixtures: a tiny hand-made register in English and Chinese headers."""

import pandas as pd
import pytest


def tiny_register() -> pd.DataFrame:
    """Five records: a and b are one woman (one-digit ID typo, homophone name), c is her legacy
    15-digit number, d is a different woman with the same name, e is unrelated."""
    return pd.DataFrame({
        "record_id": ["a", "b", "c", "d", "e"],
        "unit_code": ["330106001", "330106002", "330105001001", "330106003", "330106001"],
        "name": ["王芳", "王方", "王 芳", "王芳", "李静"],
        "id_number": ["330106199001011248", "330106199001011348", "330106900101124", "110101199001010021", ""],
        "sex": ["女", "女", "2", "女", "女"],
        "birth_date": ["1990-01-01", "1990/1/1", "", "1990年1月1日", "1985-03-04"],
    })


@pytest.fixture
def register() -> pd.DataFrame:
    return tiny_register()


@pytest.fixture(scope="session")
def sample_audit(tmp_path_factory):
    """The newcomer's audit of the bundled sample register, children table and extract, written
    once for every test that reads its outputs: (folder, AuditResult)."""
    from pathlib import Path

    import linkage

    data = Path(__file__).resolve().parents[1] / "benchmarks" / "data"
    out = tmp_path_factory.mktemp("sample-audit")
    result = linkage.audit(data / "sample_register.csv", children=data / "sample_children.csv",
                           externals=[data / "sample_extract.csv"], district="330106", as_of="2026-11-30")
    result.write(out)
    return out, result
