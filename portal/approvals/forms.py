from django import forms
from django.contrib.auth import get_user_model

from portal.core.text import PrintableText

from .models import Decision
from .selectors import RISKS, SORTS


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(choices=Decision.Outcome.choices)
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
                              validators=[PrintableText(multiline=True)])


class QueueFilterForm(forms.Form):
    team = forms.ChoiceField(required=False)
    risk = forms.ChoiceField(required=False, choices=[("", "Any risk"), *RISKS.items()])
    overdue = forms.BooleanField(required=False, label="Overdue only")
    sort = forms.ChoiceField(required=False, choices=[
        ("age", "Oldest first"), ("-age", "Newest first"), ("cost", "Highest cost first"),
        ("-cost", "Lowest cost first")])

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", "All my teams"), *((t.slug, t.name) for t in teams)]

    def filters(self) -> dict:
        self.is_valid()  # a bad value (another team's slug, an unknown sort) is dropped, the rest applies
        data = getattr(self, "cleaned_data", {})  # unbound: no filters
        sort = data.get("sort") or "age"
        return {"team": data.get("team", ""), "risk": data.get("risk", ""), "overdue": data.get("overdue", False),
                "sort": sort if sort in SORTS else "age"}


class DelegationForm(forms.Form):
    to_user = forms.CharField(label="Who decides for you (username)", max_length=150)
    starts_at = forms.DateTimeField(label="From", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(label="Until", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    reason = forms.CharField(required=False, max_length=200, validators=[PrintableText()])

    def clean_to_user(self):
        username = self.cleaned_data["to_user"].strip()
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError("Nobody with that username can log in.")
        return user
