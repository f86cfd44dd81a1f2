from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "portal.onboarding"
    label = "onboarding"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects to provisioning's signals)
