"""Processing fees for OGI applications (Art. 42; 国办函〔2020〕109号).

Free by default. One method per application, never both; the higher tiers apply only to the
part above each threshold (“…的部分”):

* per application, counted per applicant per calendar month: the 1st-10th are free, the
  11th-30th cost ¥100 each, and from the 31st the price rises by ¥100 for every further 10
  (31st-40th ¥200, 41st-50th ¥300, …);
* per page: pages 1-30 free, 31-100 ¥10 a page, 101-200 ¥20 a page, from 201 ¥40 a page.
"""

from __future__ import annotations

from ogi_errors import InvalidInput
from ogi_law.labels import FEE_METHODS

PAYMENT_PERIOD_DAYS = 20  # local rules: working days to pay after the fee notice

_PAGE_TIERS = ((30, 0), (100, 10), (200, 20), (None, 40))


def per_application_fee(nth_in_month: int) -> int:
    """Yuan for the applicant's ``nth_in_month`` application of the calendar month."""
    if nth_in_month < 1:
        raise InvalidInput("monthly_count", "must be at least 1")
    if nth_in_month <= 10:
        return 0
    if nth_in_month <= 30:
        return 100
    return 100 * (2 + (nth_in_month - 31) // 10)


def per_page_fee(pages: int) -> int:
    """Yuan for ``pages`` pages, each tier charging only the pages inside it."""
    if pages < 1:
        raise InvalidInput("pages", "must be at least 1")
    total, floor = 0, 0
    for ceiling, price in _PAGE_TIERS:
        top = pages if ceiling is None else min(pages, ceiling)
        if top > floor:
            total += (top - floor) * price
        if ceiling is None or pages <= ceiling:
            break
        floor = ceiling
    return total


def fee_for(method: str, nth_in_month: int, pages: int) -> int:
    if method == "per_application":
        return per_application_fee(nth_in_month)
    if method == "per_page":
        return per_page_fee(pages)
    raise InvalidInput("method", f"{method!r} is not one of {', '.join(FEE_METHODS)}")
