from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model

from portal.onboarding.models import DataClassification

from .models import Access, RetentionAction
from .services import MAX_RETENTION_DAYS


class RegisterDatasetForm(forms.Form):
    """A dataset of ``team``; the existing-bucket field only for people who may register one."""

    name = forms.SlugField(max_length=80, help_text="Lowercase letters, digits and hyphens, e.g. claims-raw.")
    bucket_resource = forms.ModelChoiceField(queryset=None, required=False, label="Bucket",
                                             help_text="One of the team's buckets the portal made.")
    bucket = forms.CharField(max_length=63, required=False, label="Existing bucket",
                             help_text="Admins: the name of a bucket the portal did not make.")
    prefix = forms.CharField(max_length=200, required=False, help_text="e.g. raw/claims/ ; empty: the whole bucket.")
    data_owner = forms.ModelChoiceField(queryset=None, help_text="A member of the team; decides access requests.")
    classification = forms.ChoiceField(choices=DataClassification.choices, initial=DataClassification.INTERNAL)
    description = forms.CharField(required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    schema_notes = forms.CharField(required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    quality_notes = forms.CharField(required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
    retention_days = forms.IntegerField(min_value=0, max_value=MAX_RETENTION_DAYS, initial=0,
                                        help_text="Days objects are kept; 0: until someone deletes them.")
    retention_action = forms.ChoiceField(choices=RetentionAction.choices, initial=RetentionAction.DELETE,
                                         label="After the retention")
    last_reviewed = forms.DateField(required=False, help_text="YYYY-MM-DD",
                                    widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, team, buckets, existing_bucket: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bucket_resource"].queryset = buckets
        self.fields["data_owner"].queryset = get_user_model().objects.filter(
            memberships__team=team).order_by("username")
        if not existing_bucket:
            del self.fields["bucket"]

    def clean(self):
        data = super().clean()
        if not data.get("bucket_resource") and not data.get("bucket") and "bucket_resource" not in self.errors:
            self.add_error("bucket_resource", "Choose one of the team's buckets"
                           + (" or name an existing one." if "bucket" in self.fields else "."))
        return data


class AccessRequestForm(forms.Form):
    """A team's ask for access to a dataset; ``teams``: the modelling teams the person may ask for."""

    team = forms.ModelChoiceField(queryset=None, empty_label=None, help_text="The team whose role gets the grant.")
    access = forms.ChoiceField(choices=Access.choices, initial=Access.READ)
    days = forms.IntegerField(min_value=1, label="For how many days", initial=30,
                              help_text="The grant ends (is removed) after this many days.")
    purpose = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="What the data is for; the data owner reads it.")

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["days"].widget.attrs["max"] = settings.PORTAL_DATASET_GRANT_MAX_DAYS

    def clean_days(self):
        days, longest = self.cleaned_data["days"], settings.PORTAL_DATASET_GRANT_MAX_DAYS
        if days > longest:
            raise forms.ValidationError(f"A grant lasts at most {longest} days (ask again to extend it).")
        return days


class LifecycleChangeForm(forms.Form):
    """The data owner's new classification and retention for a dataset (reviewed before it applies)."""

    classification = forms.ChoiceField(choices=DataClassification.choices)
    retention_days = forms.IntegerField(min_value=0, max_value=MAX_RETENTION_DAYS,
                                        help_text="Days objects are kept; 0: until someone deletes them.")
    retention_action = forms.ChoiceField(choices=RetentionAction.choices, label="After the retention")
    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="Why; the reviewers read it.")

    @classmethod
    def initial_for(cls, dataset) -> dict:
        return {"classification": dataset.classification, "retention_days": dataset.retention_days,
                "retention_action": dataset.retention_action}
