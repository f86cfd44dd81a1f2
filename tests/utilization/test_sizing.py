"""Right-sizing from measured use, as pure functions: under-used machines step down to the cheapest type that still
fits the measured peak, starved ones step up, too little data says nothing."""

from decimal import Decimal

from portal.utilization.sizing import advise_from_use, percentile

GPU_TYPES = ["g4dn.xlarge", "g5.xlarge", "g5.2xlarge", "g5.12xlarge"]


def test_percentile_is_nearest_rank():
    assert percentile([5, 1, 3, 2, 4], 95) == 5 and percentile([5, 1, 3, 2, 4], 50) == 3
    assert percentile([7], 95) == 7


def test_an_idle_gpu_machine_steps_down_to_the_cheapest_gpu_that_fits():
    advice = advise_from_use(current="g5.2xlarge", offered=GPU_TYPES, cpu=[12.0] * 168, gpu=[4.0] * 168)
    assert advice.direction == "smaller" and advice.suggested == "g4dn.xlarge"
    assert advice.monthly_change < 0 and "averaged 4 % GPU and 12 % CPU over 7 days" in advice.message


def test_the_smallest_gpu_barely_used_is_told_a_cpu_would_do():
    advice = advise_from_use(current="g4dn.xlarge", offered=GPU_TYPES, cpu=[3.0] * 100, gpu=[1.0] * 100)
    assert advice.suggested is None and "a CPU machine" in advice.message and advice.monthly_change == Decimal(0)


def test_a_busy_peak_keeps_enough_vcpus():
    # p95 at 35 % of 8 vCPUs needs ~4.7 vCPUs at 60 % load: the 4-vCPU types are too small.
    advice = advise_from_use(current="m5.2xlarge", offered=["t3.large", "t3.xlarge", "m5.2xlarge", "r5.2xlarge"],
                             cpu=[10.0] * 90 + [35.0] * 10, gpu=[])
    assert advice is None


def test_too_little_data_or_an_unknown_type_gives_no_advice():
    assert advise_from_use(current="t3.xlarge", offered=["t3.large"], cpu=[1.0] * 10, gpu=[]) is None
    assert advise_from_use(current="x9.huge", offered=["t3.large"], cpu=[1.0] * 100, gpu=[]) is None


def test_a_starved_machine_with_nothing_larger_is_told_so():
    advice = advise_from_use(current="r5.2xlarge", offered=["t3.large", "r5.2xlarge"], cpu=[97.0] * 80, gpu=[])
    assert advice.direction == "larger" and advice.suggested is None and "no larger type" in advice.message
