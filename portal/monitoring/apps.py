from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    """Health (/healthz, /readyz) and metrics (/metrics) for load balancers, Kubernetes and Prometheus."""

    name = "portal.monitoring"
    label = "monitoring"
