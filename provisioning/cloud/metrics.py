"""Machine utilization from CloudWatch (or the sandbox's), by the hour. No Django here.

CPU: ``AWS/EC2 CPUUtilization`` (every instance has it). GPU: what the CloudWatch agent publishes for NVIDIA GPUs,
``CWAgent nvidia_smi_utilization_gpu``, with the agent told to append only the ``InstanceId`` dimension
(``"append_dimensions": {"InstanceId": "${aws:InstanceId}"}``, ``"aggregation_dimensions": [["InstanceId"]]``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

CPU = ("AWS/EC2", "CPUUtilization")
GPU = ("CWAgent", "nvidia_smi_utilization_gpu")
HOUR = 3600


@dataclass(frozen=True)
class HourlyUse:
    hour: datetime  # the hour's start (UTC)
    cpu: float | None  # average percent over the hour
    gpu: float | None


def _averages(client, metric: tuple[str, str], instance_id: str, start: datetime, end: datetime) -> dict:
    namespace, name = metric
    answer = client.get_metric_statistics(Namespace=namespace, MetricName=name,
                                          Dimensions=[{"Name": "InstanceId", "Value": instance_id}],
                                          StartTime=start, EndTime=end, Period=HOUR, Statistics=["Average"])
    return {point["Timestamp"].astimezone(UTC).replace(minute=0, second=0, microsecond=0): float(point["Average"])
            for point in answer.get("Datapoints", [])}


def hourly_use(client, *, instance_id: str, start: datetime, end: datetime, gpu: bool) -> list[HourlyUse]:
    """Average CPU (and GPU) use per hour between ``start`` and ``end``, oldest first; hours with no data
    are left out. ``client``: a boto3 CloudWatch client."""
    cpu_points = _averages(client, CPU, instance_id, start, end)
    gpu_points = _averages(client, GPU, instance_id, start, end) if gpu else {}
    hours = sorted(set(cpu_points) | set(gpu_points))
    return [HourlyUse(hour=h, cpu=cpu_points.get(h), gpu=gpu_points.get(h)) for h in hours]


def put_use(client, *, instance_id: str, at: datetime, cpu: float, gpu: float | None) -> None:
    """Write one data point per metric (the sandbox's load simulator and tests; on AWS the agent does)."""
    dims = [{"Name": "InstanceId", "Value": instance_id}]
    client.put_metric_data(Namespace=CPU[0], MetricData=[
        {"MetricName": CPU[1], "Dimensions": dims, "Timestamp": at, "Value": cpu, "Unit": "Percent"}])
    if gpu is not None:
        client.put_metric_data(Namespace=GPU[0], MetricData=[
            {"MetricName": GPU[1], "Dimensions": dims, "Timestamp": at, "Value": gpu, "Unit": "Percent"}])


def hours_between(start: datetime, end: datetime) -> list[datetime]:
    first = start.replace(minute=0, second=0, microsecond=0)
    return [first + timedelta(hours=n) for n in range(int((end - first).total_seconds() // HOUR) + 1)]
