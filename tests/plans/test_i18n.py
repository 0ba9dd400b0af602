"""The compiled Chinese catalogue is what pages, choices and messages read.

The catalogue itself (complete, no fuzzy entry, every msgid of the code) is checked by
tests/ops/test_translations.py.
"""

from django.utils import translation


def test_the_compiled_catalogue_is_used(db):
    # `make install` compiles the .po; the pages, choices and messages then read in Chinese.
    from targets.choices import ProgressStatus

    with translation.override("zh-hans"):
        assert str(ProgressStatus.ON_TRACK.label) == "进度正常"
        assert translation.gettext("Dashboard") == "首页"
    with translation.override("en"):
        assert str(ProgressStatus.ON_TRACK.label) == "on track"
