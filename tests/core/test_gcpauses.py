"""Bulk jobs pause the cyclic collector and leave it as they found it, even when they fail."""

from __future__ import annotations

import gc

import pytest

from lantern.gcpauses import collector_off


def test_the_collector_is_off_inside_and_back_on_after_a_failure() -> None:
    assert gc.isenabled()

    @collector_off()
    def failing_job() -> None:
        assert not gc.isenabled()
        raise RuntimeError("stops half-way")

    with pytest.raises(RuntimeError):
        failing_job()
    assert gc.isenabled()


def test_a_collector_already_off_stays_off() -> None:
    gc.disable()
    try:
        with collector_off():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
