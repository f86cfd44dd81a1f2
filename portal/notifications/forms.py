from django import forms

from .models import PERSONAL_EVENTS, Audience, Event, TeamWebhook


class PreferencesForm(forms.Form):
    """One e-mail and one in-app choice per event."""

    def __init__(self, *args, preferences, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for event, preference in preferences.items():
            label = Event(event).label
            self.fields[f"{event}:email"] = forms.ChoiceField(choices=Audience.choices, initial=preference.email,
                                                               label=f"{label}: e-mail")
            self.fields[f"{event}:in_app"] = forms.ChoiceField(choices=Audience.choices, initial=preference.in_app,
                                                                label=f"{label}: in the portal")
            self.rows.append((label, self[f"{event}:email"], self[f"{event}:in_app"]))

    def choices(self) -> dict[str, tuple[str, str]]:
        return {event: (self.cleaned_data[f"{event}:email"], self.cleaned_data[f"{event}:in_app"])
                for event in PERSONAL_EVENTS}


class WebhookForm(forms.Form):
    name = forms.CharField(max_length=80)
    url = forms.URLField(max_length=500, label="URL", assume_scheme="https",
                         help_text="A Slack or Microsoft Teams incoming webhook, or your own endpoint.")
    format = forms.ChoiceField(choices=TeamWebhook.Format.choices, initial=TeamWebhook.Format.TEXT,
                               help_text="Signed JSON carries X-Portal-Timestamp and X-Portal-Signature "
                                         "(v1=HMAC-SHA256 of “timestamp.body”).")
    events = forms.MultipleChoiceField(choices=Event.choices, required=False, widget=forms.CheckboxSelectMultiple,
                                       help_text="None ticked: every event.")
