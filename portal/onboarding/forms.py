from django import forms

from portal.core.text import PrintableText
from portal.teams.models import Team

from .details import COST_CENTRE, COST_CENTRE_MESSAGE, DETAIL_FIELDS, DURATION_CHOICES
from .models import DataClassification


class ReviewDetailsForm(forms.Form):
    """What approval routing asks: classification, justification, cost centre, expected duration."""

    data_classification = forms.ChoiceField(
        choices=DataClassification.choices, label="Data classification", initial=DataClassification.INTERNAL,
        help_text="The most sensitive data these resources will hold. Confidential and restricted data "
                  "add an InfoSec review.")
    business_justification = forms.CharField(
        min_length=10, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}), label="Business justification",
        validators=[PrintableText(multiline=True)],
        help_text="What the resources are for and why the team needs them; approvers read this.")
    cost_centre = forms.CharField(max_length=30, label="Cost centre", help_text=COST_CENTRE_MESSAGE,
                                  validators=[PrintableText()])
    expected_duration_days = forms.TypedChoiceField(choices=DURATION_CHOICES, coerce=int, label="Expected duration")

    def clean_cost_centre(self):
        centre = self.cleaned_data["cost_centre"].strip().upper()
        if not COST_CENTRE.match(centre):
            raise forms.ValidationError(COST_CENTRE_MESSAGE)
        return centre

    def details(self) -> dict:
        return {name: self.cleaned_data[name] for name in DETAIL_FIELDS}

    @staticmethod
    def initial_for(request) -> dict:
        return {name: getattr(request, name) for name in DETAIL_FIELDS}


class RequestDetailsForm(ReviewDetailsForm):
    """What every request asks besides the template's own values."""

    title = forms.CharField(max_length=200, label="Request title", validators=[PrintableText()],
                            help_text="A short name your approvers will see in their queue.")
    team = forms.ModelChoiceField(queryset=Team.objects.none(), empty_label=None, label="For team")
    field_order = ["title", "team", *DETAIL_FIELDS]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(
            memberships__user=user, kind=Team.Kind.MODELLING
        ).order_by("name")
