from django import forms

from portal.teams.models import Team


class RequestDetailsForm(forms.Form):
    """What every request asks besides the template's own values."""

    title = forms.CharField(max_length=200, label="Request title",
                            help_text="A short name your approvers will see in their queue.")
    team = forms.ModelChoiceField(queryset=Team.objects.none(), empty_label=None, label="For team")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(
            memberships__user=user, kind=Team.Kind.MODELLING
        ).order_by("name")
