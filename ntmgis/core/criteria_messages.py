"""What is wrong with a criteria set file, in Vietnamese and English.

A province may write its own set (``[criteria] commune_set = "tinh.toml"``,
``docs/CRITERIA_SETS.md``): every reason a file is refused is said in the
user's language, naming the criterion and indicator (``tiêu chí 10, chỉ tiêu
10.1``).
"""

from __future__ import annotations

from ntmgis.core.errors import CriteriaError
from ntmgis.core.i18n import catalog

__all__ = ["Refused", "SetError", "both_langs", "criteria_msg", "reason"]

_MSG: dict[str, tuple[str, str]] = {
    "unknown_set": ("không có bộ tiêu chí '{key}'; các bộ có: {sets}",
                    "there is no criteria set '{key}'; the sets are: {sets}"),
    "bad_set": ("bộ tiêu chí '{key}' không hợp lệ: {where}: {reason}",
                "criteria set '{key}' is malformed: {where}: {reason}"),
    "where_criterion": ("{key}, tiêu chí {number}", "{key}, criterion {number}"),
    "where_indicator": ("{key}, tiêu chí {number}, chỉ tiêu {indicator}",
                        "{key}, criterion {number}, indicator {indicator}"),
    "missing_key": ("thiếu khóa {name}", "the key {name} is missing"),
    "bad_value": ("giá trị không hợp lệ ({detail})", "a value is not allowed ({detail})"),
    "class_unknown": ("lớp '{cls}' không có trong các lớp {classes}",
                      "class '{cls}' is not one of {classes}"),
    "not_a_number": ("giá trị {value} không phải là số", "value {value} is not a number"),
    "kind_unknown": ("loại '{kind}' không phải một trong {kinds}",
                     "kind '{kind}' is not one of {kinds}"),
    "direction_unknown": ("chiều so sánh '{direction}' không phải một trong {directions}",
                          "direction '{direction}' is not one of {directions}"),
    "needs_thresholds": ("chỉ tiêu định lượng cần có ngưỡng (hoặc dòng 'missing')",
                         "a numeric indicator needs thresholds (or a 'missing' text)"),
    "threshold_value": ("ngưỡng định lượng cần có giá trị (hoặc dòng 'missing' của chỉ tiêu)",
                        "a numeric threshold needs a value (or the indicator 'missing')"),
    "default_class": ("default_class '{cls}' không có trong các lớp",
                      "default_class '{cls}' is not one of the classes"),
    "group_unknown": ("nhóm {group} không có trong [[groups]]",
                      "group {group} is not one of the [[groups]]"),
    "no_criteria": ("không có mục [[criteria]] nào", "no [[criteria]]"),
    "bands": ("bands {bands}: ba số giảm dần, bắt đầu từ {n}, ví dụ {example}",
              "bands {bands}: three decreasing numbers from {n}, e.g. {example}"),
    "repeats_number": ("bộ tiêu chí '{key}' lặp lại số thứ tự của một tiêu chí",
                       "criteria set '{key}' repeats a criterion number"),
    "repeats_indicator": ("bộ tiêu chí '{key}' lặp lại mã của một chỉ tiêu",
                          "criteria set '{key}' repeats an indicator key"),
    "no_threshold": ("chỉ tiêu '{key}' không có giá trị ngưỡng để so sánh",
                     "indicator '{key}' has no threshold value to compare with"),
    "village_number": ("tiêu chí thôn, bản không có số thứ tự hợp lệ: {row}",
                       "village criterion without a valid number: {row}"),
    "village_empty": ("bộ tiêu chí thôn, bản không có tiêu chí nào",
                      "the village criteria set is empty"),
}

criteria_msg = catalog(_MSG)


class Refused(ValueError):
    """A reason already said in the user's language (raised while a set is read)."""


def reason(exc: Exception, lang: str) -> str:
    """Why reading a set failed, in ``lang``.

    Our own reasons (:class:`Refused`, :class:`SetError`) as they are; Python's
    (a missing key, ``int("mười")``) inside a sentence in ``lang``, so that a
    Vietnamese message is not an English one.
    """
    if isinstance(exc, SetError):
        return exc.say(lang)
    if isinstance(exc, Refused):
        return str(exc)
    if isinstance(exc, KeyError):
        return criteria_msg("missing_key", lang, name=exc)
    return criteria_msg("bad_value", lang, detail=exc)


def both_langs(msg: str, /, **kw: object) -> str:
    """A message in Vietnamese / English, for errors raised where no language is known."""
    return criteria_msg(msg, "vi", **kw) + " / " + criteria_msg(msg, "en", **kw)


class SetError(CriteriaError):
    """A criteria set refused where no language is known: both languages, or :meth:`say`."""

    def __init__(self, msg: str, /, **kw: object) -> None:
        super().__init__(both_langs(msg, **kw))
        self.msg, self.kw = msg, kw

    def say(self, lang: str) -> str:
        """The reason in ``lang`` alone."""
        return criteria_msg(self.msg, lang, **self.kw)
