"""Right-sizing advice: pure function, shown not forced."""

from portal.catalog.seed.machines import CPU_VM_TYPES, GPU_VM_TYPES
from portal.catalog.sizing import advise, memory_needed_gib


def cpu(**values):
    return advise(kind="cpu_vm", values=values, offered=CPU_VM_TYPES)


def gpu(**values):
    return advise(kind="gpu_vm", values=values, offered=GPU_VM_TYPES)


def test_no_workload_answers_no_advice():
    assert cpu(instance_type="t3.large") == []
    assert advise(kind="storage", values={"workload_framework": "pytorch"}, offered=[]) == []


def test_gpu_for_a_small_cpu_bound_job_is_warned_with_a_cpu_suggestion():
    [advice] = gpu(instance_type="g5.xlarge", workload_framework="scikit-learn", workload_data_gb=2)
    assert advice.level == "warning" and "does not use a GPU" in advice.message
    assert advice.suggested_type == "t3.large" and "CPU virtual machine" in advice.message


def test_cpu_for_deep_learning_training_is_warned_with_a_gpu_suggestion():
    [advice] = cpu(instance_type="m5.2xlarge", workload_framework="pytorch", workload_stage="training")
    assert advice.level == "warning" and advice.suggested_type == "g4dn.xlarge"
    assert "GPU virtual machine" in advice.message
    assert cpu(instance_type="m5.2xlarge", workload_framework="pytorch", workload_stage="inference") == []


def test_too_little_memory_for_the_data_suggests_the_cheapest_type_that_fits():
    assert memory_needed_gib(20, "pandas", "exploration") == 40
    [advice] = cpu(instance_type="t3.large", workload_framework="pandas", workload_data_gb=20)
    assert advice.level == "warning" and "about 40 GiB" in advice.message and advice.suggested_type == "r5.2xlarge"
    [advice] = cpu(instance_type="t3.large", workload_framework="pandas", workload_data_gb=500)
    assert advice.suggested_type is None and "process the data in chunks" in advice.message


def test_an_oversized_machine_gets_a_cheaper_suggestion():
    [advice] = cpu(instance_type="r5.2xlarge", workload_framework="scikit-learn", workload_data_gb=1)
    assert advice.level == "info" and advice.suggested_type == "t3.large" and "less" in advice.message


def test_multi_gpu_for_inference_and_few_hours_a_week_are_pointed_out():
    advice = gpu(instance_type="p3.8xlarge", workload_framework="pytorch", workload_stage="inference",
                 workload_hours_per_week=10)
    assert [a.level for a in advice] == ["info", "info"]
    assert "one GPU is usually enough (g4dn.xlarge)" in advice[0].message
    assert "10 h a week" in advice[1].message


def test_prices_from_the_table_are_used_when_given():
    from decimal import Decimal

    [advice] = gpu(instance_type="g5.xlarge", workload_framework="xgboost")
    assert "instead of $734" in advice.message  # 1.006 × 730
    [advice] = advise(kind="gpu_vm", values={"instance_type": "g5.xlarge", "workload_framework": "xgboost"},
                      offered=GPU_VM_TYPES, prices={"g5.xlarge": Decimal("2")})
    assert "instead of $1,460" in advice.message
    big = gpu(instance_type="g5.xlarge", workload_framework="xgboost", workload_data_gb=200)
    assert not any("idle" in a.message for a in big)  # GPU boosting pays off on large data


def test_odd_answers_do_not_break_it():
    for values in ({"workload_data_gb": "lots"}, {"workload_hours_per_week": True}, {"instance_type": 3,
                                                                                      "workload_stage": None}):
        assert isinstance(cpu(**values), list)
