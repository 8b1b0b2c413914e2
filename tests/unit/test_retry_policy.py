"""RetryPolicy: the delay doubles after each failed attempt, up to the cap."""

from datetime import timedelta

from core.domain.retry import RetryPolicy


def test_the_fixed_half_of_the_delay_doubles_with_each_attempt_up_to_the_cap():
    policy = RetryPolicy(base_seconds=10, cap_seconds=600)
    fixed = [policy.delay(n, 0.0).total_seconds() for n in range(1, 10)]
    assert fixed == [5, 10, 20, 40, 80, 160, 300, 300, 300]


def test_the_jitter_adds_at_most_the_other_half():
    policy = RetryPolicy(base_seconds=10, cap_seconds=600)
    assert policy.delay(3, 0.5) == timedelta(seconds=30)
    assert policy.delay(3, 0.999999) < timedelta(seconds=40)
    assert policy.delay(20, 0.999999) < timedelta(seconds=600)


def test_a_policy_is_exhausted_at_its_maximum_number_of_attempts():
    policy = RetryPolicy(max_attempts=3)
    assert [policy.exhausted(n) for n in (1, 2, 3, 4)] == [False, False, True, True]
