"""How far an idle store of an inbox may fall behind before its position is moved up: the
commits moving positions up cost the same per message however many stores the inbox serves."""

from ogi_platform.messaging.inbox import CHECKPOINT_GAP, checkpoint_gap_of


def test_a_few_stores_keep_the_least_gap() -> None:
    assert checkpoint_gap_of(1) == checkpoint_gap_of(100) == CHECKPOINT_GAP


def test_the_gap_grows_with_the_stores_so_moves_per_message_stay_bounded() -> None:
    for stores in (300, 1000, 5000):
        assert stores / checkpoint_gap_of(stores) <= 0.01
    assert checkpoint_gap_of(1000) == 100_000
